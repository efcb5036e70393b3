/**
 * The emulator in its own process (`node bin/dynasql.js emulator …`), so that the client being
 * measured does not share an event loop (or a CPU budget) with the server. The URL is the first
 * line the command prints.
 *
 *   const emulator = await spawnEmulator(['--rows', '100000']);
 *   … emulator.url …  // http://127.0.0.1:41234/api/data/v9.2/
 *   await emulator.close();
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/dynasql.js');

export interface EmulatorProcess {
  url: string;
  pid: number;
  close(): Promise<void>;
}

export function spawnEmulator(args: string[], startTimeoutMs = 120_000): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolveStart, reject) => {
    let out = '';
    const timer = setTimeout(() => { void close(); reject(new Error(`emulator did not start within ${startTimeoutMs} ms: ${stderr}`)); }, startTimeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolveStart({ url: out.slice(0, newline).trim(), pid: child.pid!, close });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`emulator exited with ${code}: ${stderr}`)); });
  });
}
