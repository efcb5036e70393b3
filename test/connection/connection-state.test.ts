/**
 * The connection's edges (issue 22 items 6 and 7): bad arguments give coded errors, a refused port
 * fails at once with what to check, a closed connection says so with DYNASQL_ERR_CLOSED (queries and
 * streams alike, no buffered rows after close), and verbosity 1 writes statement summaries and
 * failed statements with secrets masked.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DynasqlError, type Connection } from '../../src/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 30 });
});
afterAll(async () => {
  await emulator?.close();
});

async function failure(run: () => unknown): Promise<DynasqlError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw new Error(`expected a DynasqlError, got ${String(error)}`);
  }
  throw new Error('expected a failure');
}

/** a loopback port nobody listens on */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('bad arguments', () => {
  it.each([null, undefined, 7, ['Url=x']])('connect(%j) fails with DYNASQL_ERR_CONFIG', async (input) => {
    const error = await failure(() => connect(input as never));
    expect(error.code).toBe('DYNASQL_ERR_CONFIG');
    expect(error.message).toContain('connection string or an options object');
  });

  it.each([null, 7, undefined, { sql: 'SELECT 1' }])('query(%j), stream and explain fail with DYNASQL_ERR_SYNTAX', async (sql) => {
    const conn = await connect(`Url=${emulator.url}`);
    try {
      for (const run of [
        () => conn.query(sql as never),
        async () => { for await (const row of conn.stream(sql as never)) void row; },
        () => conn.explain(sql as never),
      ]) {
        const error = await failure(run);
        expect(error.code).toBe('DYNASQL_ERR_SYNTAX');
        expect(error.message).toContain('must be a string of SQL text');
      }
    } finally {
      await conn.close();
    }
  });
});

describe('more bad arguments at the entry points', () => {
  it('parameters, options, names and dialects of the wrong type are coded errors, never a TypeError', async () => {
    const conn = await connect(`Url=${emulator.url}`);
    try {
      const sql = 'SELECT TOP 1 name FROM account';
      const cases: Array<[string, () => unknown]> = [
        ['DYNASQL_ERR_PARAMETER', () => conn.query(sql, 7 as never)],
        ['DYNASQL_ERR_PARAMETER', () => conn.query(sql, 'x' as never)],
        ['DYNASQL_ERR_PARAMETER', () => conn.query(sql, undefined, null as never)],
        ['DYNASQL_ERR_PARAMETER', () => conn.query(sql, undefined, 7 as never)],
        ['DYNASQL_ERR_PARAMETER', async () => { for await (const row of conn.stream(sql, 7 as never)) void row; }],
        ['DYNASQL_ERR_PARAMETER', () => conn.explain(sql, undefined, null as never)],
        ['DYNASQL_ERR_PARAMETER', () => conn.action(null as never)],
        ['DYNASQL_ERR_PARAMETER', () => conn.action('WhoAmI', undefined, null as never)],
        ['DYNASQL_ERR_PARAMETER', () => conn.entity(null as never)],
        ['DYNASQL_ERR_PARAMETER', () => conn.entity('')],
        ['DYNASQL_ERR_PARAMETER', () => conn.begin(null as never)],
        ['DYNASQL_ERR_CONFIG', () => connect({ organizationUrl: emulator.url, dialect: 'oracle' as never })],
      ];
      for (const [code, run] of cases) expect((await failure(run)).code).toBe(code);
      // no parameters at all is still fine, as null or undefined
      expect((await conn.query(sql, null as never)).rowCount).toBe(1);
    } finally {
      await conn.close();
    }
  });
});

describe('a refused connection', () => {
  it('fails at connect time without retrying, naming the URL, the port and the proxy to check', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const error = await failure(() => connect({ organizationUrl: `http://127.0.0.1:${port}`, verbosity: 2, logSink: (line: string) => lines.push(line) }));
    expect(error.code).toBe('DYNASQL_ERR_NETWORK');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('connection was refused');
    expect(error.message).toContain('Organization URL and its port');
    expect(lines.filter((line) => line.includes(' retry '))).toEqual([]);
  });

  it('mentions the proxy when one is configured', async () => {
    const port = await closedPort();
    const error = await failure(() => connect({ organizationUrl: `http://127.0.0.1:${port}`, proxy: `http://127.0.0.1:${port}` }));
    expect(error.code).toBe('DYNASQL_ERR_NETWORK');
    expect(error.message).toContain('the proxy');
  });
});

describe('a closed connection', () => {
  it('refuses statements with DYNASQL_ERR_CLOSED', async () => {
    const conn = await connect(`Url=${emulator.url}`);
    await conn.close();
    for (const run of [
      () => conn.query('SELECT name FROM account'),
      () => conn.query('BEGIN TRAN'),
      () => conn.query("INSERT INTO account (name) VALUES ('x')"),
      () => conn.explain('SELECT name FROM account'),
      () => conn.action('WhoAmI'),
      () => conn.begin(),
      () => conn.entity('account'),
    ]) {
      const error = await failure(run);
      expect(error.code).toBe('DYNASQL_ERR_CLOSED');
      expect(error.message).toContain('The connection is closed');
    }
  });

  it('a stream iterated after close() yields no buffered row and ends with DYNASQL_ERR_CLOSED', async () => {
    const conn = await connect(`Url=${emulator.url};Page Size=10`);
    const rows = conn.stream('SELECT name FROM account')[Symbol.asyncIterator]();
    expect((await rows.next()).done).toBe(false);
    // page 1 has nine more rows buffered, page 2 is being read ahead
    await conn.close();
    const error = await failure(() => rows.next());
    expect(error.code).toBe('DYNASQL_ERR_CLOSED');
    expect((await rows.next()).done).toBe(true);
  });

  it('a stream started after close() fails with DYNASQL_ERR_CLOSED', async () => {
    const conn = await connect(`Url=${emulator.url}`);
    await conn.close();
    const error = await failure(async () => { for await (const row of conn.stream('SELECT name FROM account')) void row; });
    expect(error.code).toBe('DYNASQL_ERR_CLOSED');
  });
});

describe('verbosity 1', () => {
  const TOKEN = 'tok-Kq7~bAR-s3cRet-0x5EC';

  it('writes statement summaries and failed statements, secrets masked', async () => {
    const lines: string[] = [];
    const conn: Connection = await connect({ organizationUrl: emulator.url, authScheme: 'AccessToken', accessToken: TOKEN, verbosity: 1, logSink: (line: string) => lines.push(line) });
    try {
      await conn.query('SELECT TOP 3 name FROM account');
      for await (const row of conn.stream('SELECT TOP 2 name FROM account')) void row;
      await conn.query(`SELECT name FROM account WHERE name = '${TOKEN}'`);
      await expect(conn.query('SELECT nmae FROM account')).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_COLUMN' });
      await expect(conn.query('SELECT name FROM account WHERE')).rejects.toBeInstanceOf(DynasqlError);
    } finally {
      await conn.close();
    }
    const text = lines.join('\n');
    expect(text).toMatch(/INFO statement SELECT 3 rows in \d+ ms: SELECT TOP 3 name FROM account/);
    expect(text).toMatch(/INFO statement SELECT 2 rows in \d+ ms: SELECT TOP 2 name FROM account/);
    expect(text).toMatch(/INFO statement failed after \d+ ms: DYNASQL_ERR_UNKNOWN_COLUMN: .*SELECT nmae FROM account/);
    expect(text).toMatch(/INFO statement failed after \d+ ms: DYNASQL_ERR_\w+: .* — SELECT name FROM account WHERE$/m);
    expect(text).toContain("WHERE name = '***'");
    expect(text).not.toContain(TOKEN);
    // level 1 only: no request lines
    expect(text).not.toContain('REQ ');
  });
});
