import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, type LogLevel } from '../../src/http/index.js';
import { json, startLoopbackServer, type LoopbackServer } from './loopback-server.js';

const CLIENT_SECRET = 'Kx8Q~client.secret-value_42';
const ACCESS_TOKEN = 'opaque-access-token-7f3a9c';
const PROXY_PASSWORD = 'pr0xy-pa55word';
const SECRETS = [CLIENT_SECRET, ACCESS_TOKEN, PROXY_PASSWORD];

let server: LoopbackServer;
beforeAll(async () => {
  // a server that echoes secrets back in every way a real one might
  server = await startLoopbackServer((req, res, body) => {
    if (req.url!.includes('fail')) {
      return json(res, 400, { error: { code: '0x80040265', message: `plug-in saw ${req.headers.authorization} and ${body}` } });
    }
    json(res, 200, { value: [{ echoedAuth: req.headers.authorization, echoedBody: body, access_token: ACCESS_TOKEN }] }, {
      'set-cookie': `ReqClientId=${ACCESS_TOKEN}; path=/`,
      'x-echo': String(req.headers.authorization),
    });
  });
});
afterAll(() => server.close());

async function runAt(verbosity: LogLevel): Promise<string[]> {
  const lines: string[] = [];
  const executor = createExecutor({
    serviceRoot: `${server.url}/api/data/v9.2/`,
    maxConcurrency: 2,
    maxRetries: 0,
    retryBudgetMs: 1000,
    requestTimeoutMs: 5000,
    isLoopback: true,
    verbosity,
    logSink: (line) => lines.push(line),
    secrets: SECRETS,
    auth: { getToken: async () => ACCESS_TOKEN },
  });
  try {
    await executor.send({ method: 'GET', url: `accounts?$filter=name eq '${CLIENT_SECRET}'` });
    await executor.send({ method: 'POST', url: 'token', body: `client_id=app&client_secret=${encodeURIComponent(CLIENT_SECRET)}&refresh_token=rt-unknown-1&code=authcode-unknown-1` });
    await executor.send({ method: 'POST', url: 'fail', body: JSON.stringify({ secret: CLIENT_SECRET, note: `Bearer ${ACCESS_TOKEN}` }) }).catch((e: Error) => {
      expect(e.message).not.toContain(ACCESS_TOKEN);
      expect(e.message).not.toContain(CLIENT_SECRET);
    });
    executor.log(1, `statement summary: connected with client secret ${CLIENT_SECRET} via proxy http://user:${PROXY_PASSWORD}@proxy`);
  } finally {
    await executor.close();
  }
  return lines;
}

describe('logging by verbosity', () => {
  it.each([1, 2, 3, 4, 5] as LogLevel[])('never writes a secret at verbosity %i', async (verbosity) => {
    const lines = await runAt(verbosity);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      for (const secret of [...SECRETS, encodeURIComponent(CLIENT_SECRET), 'rt-unknown-1', 'authcode-unknown-1']) {
        expect(line, `verbosity ${verbosity}`).not.toContain(secret);
      }
    }
    const text = lines.join('\n');
    // each level adds its own kind of line
    expect(text).toContain('statement summary');
    expect(text).toContain('error DYNASQL_ERR_SERVICE 400 0x80040265');
    expect(text.includes('→ GET')).toBe(verbosity >= 2);
    expect(/← 200 GET .* \d+ ms/.test(text)).toBe(verbosity >= 2);
    expect(text.includes('authorization: ***')).toBe(verbosity >= 3);
    expect(text.includes('set-cookie: ***')).toBe(verbosity >= 3);
    expect(text.includes('"echoedAuth"')).toBe(verbosity >= 4);
    expect(/connected http:\/\/127\.0\.0\.1/.test(text)).toBe(verbosity >= 5);
  });

  it('writes the Log File with mode 0600, redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynasql-log-'));
    const file = join(dir, 'sub', 'dynasql.log');
    const executor = createExecutor({
      serviceRoot: `${server.url}/api/data/v9.2/`,
      maxConcurrency: 2,
      maxRetries: 0,
      retryBudgetMs: 1000,
      requestTimeoutMs: 5000,
      isLoopback: true,
      verbosity: 4,
      logFile: file,
      secrets: SECRETS,
      auth: { getToken: async () => ACCESS_TOKEN },
    });
    await executor.send({ method: 'GET', url: 'accounts' });
    await executor.close();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('→ GET');
    expect(text).not.toContain(ACCESS_TOKEN);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
