/**
 * The `dynasql` command's entry point. `runCli` takes its edges (argv, streams, env) so tests drive it
 * in-process; the bottom of the file runs it when this module is the program.
 */
import { runEmulatorCli } from '../emulator/cli.js';

export interface CliIo {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Resolves with the exit code once the command is done (long-running commands resolve on exit). */
export async function runCli(io: CliIo): Promise<number> {
  const [command, ...rest] = io.argv;
  if (command === 'emulator') return runEmulatorCli(rest, io);
  if (command === '--demo') return runEmulatorCli(['--port', '0'], io);
  io.stderr.write('usage: dynasql emulator [--port N] [--host H] [--edition dataverse|finops] [--metadata FILE] [--rows N] [--seed N]\n');
  return 2;
}
