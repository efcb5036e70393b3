import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseEmulatorArgs, runEmulatorCli } from '../../src/emulator/cli.js';
import { get } from './helpers.js';

const capture = () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
};

describe('dynasql emulator command', () => {
  it('parses its flags and refuses bad ones', () => {
    expect(parseEmulatorArgs(['--port', '0', '--host', '127.0.0.1', '--edition', 'dataverse', '--rows', '500', '--seed', '7'])).toEqual({
      options: { port: 0, host: '127.0.0.1', edition: 'dataverse', rows: 500, seed: 7 },
    });
    expect(parseEmulatorArgs(['--port', 'abc'])).toEqual({ error: "--port needs an integer from 0 to 65535, got 'abc'" });
    expect(parseEmulatorArgs(['--edition', 'crm'])).toEqual({ error: "--edition must be dataverse or finops, got 'crm'" });
    expect(parseEmulatorArgs(['--bogus'])).toEqual({ error: "unknown option '--bogus'" });
    expect(parseEmulatorArgs(['--change-retention-days', '30'])).toEqual({ options: { changeRetentionDays: 30 } });
  });

  it('prints the service root as the first stdout line, serves, and stops on SIGTERM', async () => {
    const out = capture();
    const err = capture();
    const done = runEmulatorCli(['--port', '0', '--rows', '5', '--seed', '3'], { stdout: out.stream, stderr: err.stream });
    for (let i = 0; i < 200 && !out.text().includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
    const url = out.text().split('\n')[0]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.2\/$/);
    expect((await get(`${url}accounts/$count`)).text).toBe('5');
    process.emit('SIGTERM');
    expect(await done).toBe(0);
  });

  it('exits 2 with usage on a bad flag, 1 on an unreadable metadata file', async () => {
    const err = capture();
    expect(await runEmulatorCli(['--rows'], { stdout: capture().stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('Usage: dynasql emulator');
    const err2 = capture();
    expect(await runEmulatorCli(['--metadata', '/nonexistent/file.xml'], { stdout: capture().stream, stderr: err2.stream })).toBe(1);
    expect(err2.text()).toContain('ENOENT');
  });
});

describe('dynasql emulator --help', () => {
  it('lists every option, the limit, fault and auth flags included, and exits 0', async () => {
    const out = capture();
    expect(await runEmulatorCli(['--help'], { stdout: out.stream, stderr: capture().stream })).toBe(0);
    for (const flag of ['--port <n>', '--host <address>', '--edition <edition>', '--metadata <file>', '--rows <n>', '--seed <n>', '--limit-requests', '--fault-5xx-rate', '--auth-client']) {
      expect(out.text()).toContain(flag);
    }
  });
});
