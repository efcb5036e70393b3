/**
 * `dynasql serve` on the real driver, emulator and pgwire adapter, reached by a real Postgres
 * client (node-postgres) over loopback; and its usage errors.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { orgUrlOf } from '../../src/cli/serve.js';
import { Capture } from './in-memory-connection.js';

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('dynasql serve', () => {
  it('serves the demo emulator to a Postgres client until interrupted', { timeout: 120_000 }, async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const interrupt = new AbortController();
    const done = runCli({
      argv: ['serve', '--demo', '--port', '0', '--user', 'bi'],
      stdout,
      stderr,
      env: { DYNASQL_SERVE_PASSWORD: 'pw-for-test' },
      interrupt: interrupt.signal,
    });
    await waitFor(() => /postgres:\/\/bi@127\.0\.0\.1:\d+\/\w+\n/.test(stdout.text) || stderr.text.includes('ERROR'), 'the server address');
    expect(stderr.text).not.toContain('ERROR');
    const [, port, database] = /postgres:\/\/bi@127\.0\.0\.1:(\d+)\/(\w+)/.exec(stdout.text)!;
    expect(stderr.text).not.toContain('pw-for-test');
    const client = new pg.Client({ host: '127.0.0.1', port: Number(port), user: 'bi', password: 'pw-for-test', database });
    await client.connect();
    try {
      const result = await client.query('SELECT name, revenue FROM account ORDER BY revenue DESC LIMIT 3');
      expect(result.rows).toHaveLength(3);
      expect(typeof result.rows[0].name).toBe('string');
    } finally {
      await client.end();
    }
    interrupt.abort();
    expect(await done).toBe(0);
  });

  it('refuses a user without a password, half a TLS pair, and no connection', async () => {
    const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const stderr = new Capture();
      const code = await runCli({ argv: ['serve', ...argv], stdout: new Capture(), stderr, env: { HOME: '/nonexistent', ...env } });
      return { code, err: stderr.text };
    };
    expect(await run(['--demo', '--user', 'bi'])).toMatchObject({ code: 2, err: expect.stringContaining('DYNASQL_SERVE_PASSWORD') });
    expect(await run(['--demo', '--tls-cert', 'x.pem'])).toMatchObject({ code: 2, err: expect.stringContaining('go together') });
    expect(await run(['--user', 'bi'], { DYNASQL_SERVE_PASSWORD: 'x' })).toMatchObject({ code: 2, err: expect.stringContaining('No connection given') });
    expect(await run(['--demo', '--port', 'x'])).toMatchObject({ code: 2 });
    expect((await run(['--help'])).code).toBe(0);
  });

  it('names the schema after the org in the connection string', () => {
    expect(orgUrlOf('Organization URL=https://contoso.crm.dynamics.com;Auth Scheme=DeviceCode')).toBe('https://contoso.crm.dynamics.com');
    expect(orgUrlOf('auth scheme=None; url = "http://127.0.0.1:5555"')).toBe('http://127.0.0.1:5555');
    expect(orgUrlOf('Auth Scheme=None')).toBeUndefined();
  });
});
