// Placeholder until the emulator lands (issue 2): the command exists and says so.
export async function runEmulatorCli(_argv: string[], io: { stderr: NodeJS.WritableStream }): Promise<number> {
  io.stderr.write('dynasql emulator: not built yet\n');
  return 1;
}
