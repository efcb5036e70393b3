/**
 * The installed entry point, bin/dynasql.js, as a separate process: what a shell sees.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/dynasql.js');

function runBin(args: string[], onStdout?: (chunk: Buffer, stop: () => void) => void) {
  return new Promise<{ code: number | null; out: string; err: string }>((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      onStdout?.(chunk, () => child.stdout.destroy());
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => done({ code, out, err }));
  });
}

describe('bin/dynasql.js', () => {
  it('prints its version', async () => {
    const r = await runBin(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('leaves quietly with 0 when the reader of its output goes away (| head)', async () => {
    const many = Array.from({ length: 20 }, () => ['-e', 'SELECT fullname FROM contact']).flat();
    const r = await runBin(['--demo', '--format', 'ndjson', ...many], (_chunk, stop) => stop());
    expect(r.err).not.toContain('EPIPE');
    expect(r.code).toBe(0);
  });
});
