/**
 * `dynasql mcp --demo --http 0 --allow-writes`: streamable HTTP with a bearer token, driven by the
 * SDK's Client in this process (the command runs in-process through runCli), on the demo emulator.
 * Writes are allowed up to --max-rows-affected 5.
 */
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { bearerMatches } from '../../src/mcp/http-server.js';
import { mcpConnectionString } from '../../src/mcp/connection-settings.js';
import { Capture } from '../cli/in-memory-connection.js';

const TOKEN = 'mcp-test-token-7f3a9c1e5b';
const stdout = new Capture();
const stderr = new Capture();
const stop = new AbortController();
let done: Promise<number>;
let url: string;
let client: Client;
const seen: string[] = [];

async function call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
  const result = (await client.callTool({ name, arguments: args })) as { content: { text: string }[]; isError?: boolean };
  const text = result.content.map((c) => c.text).join('\n');
  seen.push(text);
  return { text, isError: result.isError === true };
}

const count = async (where: string) => Number(/\| (\d+) \|/.exec((await call('query', { sql: `SELECT COUNT(*) AS n FROM contact WHERE ${where}` })).text)![1]);

const post = (authorization?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...(authorization ? { Authorization: authorization } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });

/** a POST with the Host header a browser sends for a DNS name pointed at 127.0.0.1 (fetch keeps its own) */
const postWithHost = (host: string) =>
  new Promise<number>((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { Host: host, Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
  });

beforeAll(async () => {
  done = runCli({
    argv: ['mcp', '--demo', '--http', '0', '--allow-writes', '--max-rows-affected', '5'],
    stdout,
    stderr,
    env: { DYNASQL_MCP_TOKEN: TOKEN },
    interrupt: stop.signal,
  });
  for (let i = 0; i < 3000 && !stdout.text.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
  url = stdout.text.trim();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  client = new Client({ name: 'dynasql-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
}, 120_000);

afterAll(async () => {
  await client?.close();
  stop.abort();
  await done;
});

describe('dynasql mcp over HTTP', () => {
  it('answers 401 to a wrong or missing bearer token, and never logs it', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, 'Bearer wrong-guess', undefined, `Basic ${TOKEN}`]) {
      const response = await post(authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="dynasql"');
      expect(await response.text()).not.toContain('guess');
    }
    const wrong = new Client({ name: 'intruder', version: '1.0.0' });
    await expect(wrong.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: 'Bearer wrong-guess' } } }))).rejects.toThrow();
    expect(stderr.text).not.toContain('wrong-guess');
    expect((await post(`Bearer ${TOKEN}`)).status).toBe(200);
  });

  it('refuses a request addressed to a host that is not loopback (DNS rebinding)', async () => {
    expect(await postWithHost(`evil.example:${new URL(url).port}`)).toBe(403);
    expect(await postWithHost(`localhost:${new URL(url).port}`)).not.toBe(403);
  });

  it('writes within Max Rows Affected, all statements of a batch together', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'query')!.annotations?.readOnlyHint).toBe(false);
    const written = await call('execute', { sql: "INSERT INTO contact (firstname, lastname) VALUES ('Ada', 'McpWrite'), ('Grace', 'McpWrite');\nUPDATE contact SET jobtitle = 'Pioneer' WHERE lastname = 'McpWrite'" });
    expect(written.isError).toBe(false);
    expect(written.text).toBe('Written: 2 rows, all or nothing in one $batch change set.\n-- statement 1 (line 1): INSERT of 2 rows\n-- statement 2 (line 2): UPDATE of 0 rows');
    expect(await count("lastname = 'McpWrite'")).toBe(2);
    const updated = await call('execute', { sql: "UPDATE contact SET jobtitle = 'Pioneer' WHERE lastname = 'McpWrite'" });
    expect(updated.text).toContain('Written: 2 rows');
    expect(await count("jobtitle = 'Pioneer'")).toBe(2);
  });

  it('writes nothing past Max Rows Affected: one statement over it, or a batch over it in all', async () => {
    expect(await count("lastname LIKE 'S%'")).toBeGreaterThan(5);
    const over = await call('execute', { sql: "UPDATE contact SET jobtitle = 'McpOver' WHERE lastname LIKE 'S%'" });
    expect(over.isError).toBe(true);
    // 18 rows match: the message said "6 rows" (where the read stopped) until it said what is known
    expect(over.text).toMatch(/^DYNASQL_ERR_MAX_ROWS_AFFECTED: The statement would change more than 5 rows \(Max Rows Affected\); nothing was written/);
    const viaQuery = await call('query', { sql: "UPDATE contact SET jobtitle = 'McpOver' WHERE lastname LIKE 'S%'" });
    expect(viaQuery.text).toMatch(/^DYNASQL_ERR_MAX_ROWS_AFFECTED: /);
    const batch = await call('execute', {
      sql: "UPDATE contact SET jobtitle = 'McpOver' WHERE lastname = 'McpWrite'; INSERT INTO contact (lastname) VALUES ('McpOver1'), ('McpOver2'), ('McpOver3'), ('McpOver4')",
    });
    expect(batch.text).toBe('DYNASQL_ERR_MAX_ROWS_AFFECTED: The batch would change 6 rows, more than Max Rows Affected (5); nothing was written\nHint: nothing was written. Narrow the WHERE clause, or split the change into smaller statements.');
    expect(await count("jobtitle = 'McpOver' OR lastname LIKE 'McpOver%'")).toBe(0);
  });

  it('never shows the bearer token', () => {
    for (const text of [...seen, stdout.text, stderr.text]) expect(text).not.toContain(TOKEN);
  });
});

describe('dynasql mcp usage', () => {
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const err = new Capture();
    const code = await runCli({ argv: ['mcp', ...argv], stdout: new Capture(), stderr: err, env: { HOME: '/nonexistent', ...env } });
    return { code, err: err.text };
  };

  it('refuses to serve HTTP beyond loopback without a token, a short token, and HTTP flags without --http', async () => {
    const open = await run(['--demo', '--http', '0', '--host', '0.0.0.0']);
    expect(open.code).toBe(2);
    expect(open.err).toContain('--host 0.0.0.0 is not a loopback address: set a bearer token in DYNASQL_MCP_TOKEN');
    expect((await run(['--demo', '--http', '0', '--host', '0.0.0.0'], { DYNASQL_MCP_TOKEN: 'short' })).err).toContain('at least 16 characters');
    expect((await run(['--demo', '--token', TOKEN])).err).toContain('--host and --token go with --http PORT');
    expect((await run(['--demo', '--max-rows-affected', '0'])).code).toBe(2);
    expect((await run([])).err).toContain('No connection given');
  });

  it('puts its own Max Rows Affected on the connection and shows the org\'s procedures unless told otherwise', () => {
    expect(mcpConnectionString('Organization URL=https://x.crm.dynamics.com;max rows affected=0;Client Secret="a;b""c"', 100)).toBe(
      'Organization URL="https://x.crm.dynamics.com";Client Secret="a;b""c";Use Dynamic Stored Procedures="true";Max Rows Affected="100"',
    );
    expect(mcpConnectionString('Organization URL=https://x.crm.dynamics.com;Use Dynamic Stored Procedures=false', 7)).toBe(
      'Organization URL="https://x.crm.dynamics.com";Use Dynamic Stored Procedures="false";Max Rows Affected="7"',
    );
  });

  it('compares bearer tokens whole', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer  ${TOKEN} `, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe(false);
    expect(bearerMatches(TOKEN, TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
  });
});
