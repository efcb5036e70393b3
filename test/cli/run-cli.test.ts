/**
 * The command driven in-process with injected argv, streams and env. The driver is replaced by an
 * in-memory Connection here, to pin down argument handling and printing; test/cli/demo.test.ts runs
 * the same paths on the real connect() and the real emulator.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { QueryOptions } from '../../src/connection/types.js';
import { DynasqlError } from '../../src/errors/index.js';
import { Capture, InMemoryConnection, result, type Answer } from './in-memory-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'dynasql-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOP = 'SELECT TOP 2 name, revenue FROM account ORDER BY revenue DESC';
const ANSWERS: Record<string, Answer> = {
  [TOP]: result([['name', 'nvarchar'], ['revenue', 'decimal']], [['Contoso', '900.00'], ['Fabrikam', '12.50']]),
  'SELECT 1 AS one': result([['one', 'int']], [[1]]),
  "UPDATE account SET name = 'x' WHERE revenue > 10": { ...result([], [], 'UPDATE'), rowCount: 2, warnings: ['2 rows updated one by one'] },
  'SELECT slow': (options?: QueryOptions) =>
    new Promise((_, reject) => options!.signal!.addEventListener('abort', () => reject(new DynasqlError('DYNASQL_ERR_CANCELLED', 'cancelled')))),
  'SELECT nme FROM account': new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', "Unknown column 'nme'. Did you mean 'name'?", {
    position: { offset: 7, line: 1, column: 8 },
  }),
};

interface RunOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  interrupt?: AbortSignal;
  streams?: ConstructorParameters<typeof InMemoryConnection>[2];
}

async function run(argv: string[], options: RunOptions = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const conn = new InMemoryConnection(ANSWERS, undefined, options.streams);
  const connected: string[] = [];
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const code = await runCli({
    argv,
    stdout,
    stderr,
    stdin,
    env: { HOME: dir, ...options.env },
    connect: async (s) => {
      connected.push(s);
      return conn;
    },
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
  });
  return { code, out: stdout.text, err: stderr.text, conn, connected };
}

describe('dynasql (non-interactive)', () => {
  it('runs -e statements in order and prints aligned tables without colour on a pipe', async () => {
    const r = await run(['-c', 'URL=http://127.0.0.1:1', '-e', TOP, '-e', 'SELECT 1 AS one']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(' name     | revenue\n----------+---------\n Contoso  |  900.00\n Fabrikam |   12.50\n(2 rows)\n one\n-----\n   1\n(1 row)\n');
    expect(r.out).not.toContain('\x1b[');
    expect(r.connected).toEqual(['URL=http://127.0.0.1:1']);
    expect(r.conn.closed).toBe(true);
  });

  it('prints csv, json, ndjson and markdown', async () => {
    expect((await run(['-c', 'x', '--format', 'csv', '-e', TOP])).out).toBe('name,revenue\nContoso,900.00\nFabrikam,12.50\n');
    expect(JSON.parse((await run(['-c', 'x', '--format', 'json', '-e', TOP])).out)).toEqual([
      { name: 'Contoso', revenue: '900.00' },
      { name: 'Fabrikam', revenue: '12.50' },
    ]);
    expect((await run(['-c', 'x', '--format', 'ndjson', '-e', TOP])).out).toBe('{"name":"Contoso","revenue":"900.00"}\n{"name":"Fabrikam","revenue":"12.50"}\n');
    expect((await run(['-c', 'x', '--format', 'markdown', '-e', TOP])).out).toContain('| Fabrikam | 12.50 |');
  });

  it('prints the command tag and warnings of a write; with a machine format the tag goes to stderr', async () => {
    const table = await run(['-c', 'x', '-e', "UPDATE account SET name = 'x' WHERE revenue > 10"]);
    expect(table.out).toBe('UPDATE 2\n');
    expect(table.err).toContain('WARNING: 2 rows updated one by one');
    const csv = await run(['-c', 'x', '--format', 'csv', '-e', "UPDATE account SET name = 'x' WHERE revenue > 10"]);
    expect(csv.out).toBe('');
    expect(csv.err).toContain('UPDATE 2');
    // scripts never stop to ask, whatever the threshold
    expect(table.conn.calls.map((c) => c.sql)).toEqual(["UPDATE account SET name = 'x' WHERE revenue > 10"]);
  });

  it('runs a file split at ; and GO, then -e, in the order given', async () => {
    const file = join(dir, 'script.sql');
    writeFileSync(file, `${TOP};\n-- a comment; with a semicolon\nGO\nSELECT 1 AS one\n`);
    const r = await run(['-c', 'x', '-f', file, '-e', 'SELECT 1 AS one', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.conn.calls.map((c) => c.sql)).toEqual([TOP, 'SELECT 1 AS one', 'SELECT 1 AS one']);
  });

  it('reads SQL from standard input when it is not a terminal', async () => {
    const r = await run(['-c', 'x', '--format', 'csv'], { stdin: `${TOP};\nSELECT 1 AS one` });
    expect(r.code).toBe(0);
    expect(r.out).toBe('name,revenue\nContoso,900.00\nFabrikam,12.50\none\n1\n');
  });

  it('writes results to -o file', async () => {
    const file = join(dir, 'out.csv');
    const r = await run(['-c', 'x', '--format', 'csv', '-o', file, '-e', 'SELECT 1 AS one']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('one\n1\n');
  });

  it('stops at the first error with exit code 1, the code and a caret', async () => {
    const file = join(dir, 'bad.sql');
    writeFileSync(file, 'SELECT 1 AS one;\n\nSELECT nme FROM account;\nSELECT 1 AS one;');
    const r = await run(['-c', 'x', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("ERROR DYNASQL_ERR_UNKNOWN_COLUMN: Unknown column 'nme'. Did you mean 'name'?\nLINE 1: SELECT nme FROM account\n               ^\n");
    expect(r.err).toContain(`(in ${file}, statement starting on line 3)`);
    expect(r.conn.calls).toHaveLength(2);
  });

  it('colours errors when FORCE_COLOR is set and not when NO_COLOR is', async () => {
    expect((await run(['-c', 'x', '-e', 'SELECT nme FROM account'], { env: { FORCE_COLOR: '1' } })).err).toContain('\x1b[31m');
    expect((await run(['-c', 'x', '-e', 'SELECT nme FROM account'], { env: { NO_COLOR: '1' } })).err).not.toContain('\x1b[');
  });

  it('takes the connection from DYNASQL_CONNECTION or a profile', async () => {
    expect((await run(['-e', 'SELECT 1 AS one'], { env: { DYNASQL_CONNECTION: 'from env' } })).connected).toEqual(['from env']);
    const config = join(dir, 'xdg');
    mkdirSync(join(config, 'dynasql'), { recursive: true });
    writeFileSync(join(config, 'dynasql', 'config.json'), '{"profiles":{"demo":{"connection":"from profile"}}}');
    const r = await run(['--profile', 'demo', '-e', 'SELECT 1 AS one'], { env: { XDG_CONFIG_HOME: config, DYNASQL_CONNECTION: 'from env' } });
    expect(r.connected).toEqual(['from profile']);
    const missing = await run(['--profile', 'dmeo', '-e', 'SELECT 1 AS one'], { env: { XDG_CONFIG_HOME: config } });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("Did you mean 'demo'?");
    expect(missing.connected).toEqual([]);
  });

  it('explains what is missing and exits 2 on usage errors, before connecting', async () => {
    const none = await run(['-e', 'SELECT 1 AS one']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('ERROR DYNASQL_ERR_CONFIG: No connection given.');
    expect((await run(['-c', 'x', '--format', 'xml', '-e', 'SELECT 1'])).err).toMatch(/Allowed choices are table, csv, json, ndjson, markdown/);
    expect((await run(['-c', 'x', '--confirm-threshold', 'many'])).code).toBe(2);
    expect((await run(['-c', 'x', '--nope'])).err).toContain("unknown option '--nope'");
    expect((await run(['--demo', '-c', 'x'])).code).toBe(2);
    const noFile = await run(['-c', 'x', '-f', join(dir, 'missing.sql')]);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain('ENOENT');
    expect(noFile.connected).toEqual([]);
  });

  it('prints --help with examples and --version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Examples:');
    expect(help.out).toContain('--demo');
    expect(help.out).toContain('dynasql emulator');
    const version = await run(['--version']);
    expect(version.out.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it('writes csv and ndjson row by row from conn.stream, and a cancelled export keeps what it wrote', async () => {
    let pulled = 0;
    const interrupt = new AbortController();
    const streams = {
      'SELECT name FROM account': async function* () {
        for (const name of ['a', 'b,c']) {
          pulled++;
          yield { name };
        }
      },
      'SELECT name FROM lead': async function* (options?: QueryOptions) {
        yield { name: 'first' };
        interrupt.abort();
        await new Promise((resolve) => options!.signal!.addEventListener('abort', resolve));
        yield { name: 'never' };
      },
      'SELECT name FROM contact WHERE 1 = 0': async function* () {},
    };
    const csv = await run(['-c', 'x', '--format', 'csv', '-e', 'SELECT name FROM account', '-e', 'SELECT name FROM contact WHERE 1 = 0'], { streams });
    expect(csv.out).toBe('name\na\n"b,c"\n');
    expect(pulled).toBe(2);
    expect(csv.conn.calls.map((c) => c.method)).toEqual(['stream', 'stream']);
    const ndjson = await run(['-c', 'x', '--format', 'ndjson', '-e', 'SELECT name FROM lead'], { streams, interrupt: interrupt.signal });
    expect(ndjson.code).toBe(130);
    expect(ndjson.out).toBe('{"name":"first"}\n');
    // writes still go through query(), so their command tag is reported
    const write = await run(['-c', 'x', '--format', 'csv', '-e', "UPDATE account SET name = 'x' WHERE revenue > 10"]);
    expect(write.conn.calls.map((c) => c.method)).toEqual(['query']);
  });

  it('an interrupt cancels the running statement, skips the rest and exits 130', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 50);
    const r = await run(['-c', 'x', '-e', 'SELECT slow', '-e', 'SELECT 1 AS one'], { interrupt: interrupt.signal });
    expect(r.code).toBe(130);
    expect(r.err).toContain('Cancelled.');
    expect(r.conn.calls.map((c) => c.sql)).toEqual(['SELECT slow']);
  });

  it('EXPLAIN goes to conn.explain and prints the plan', async () => {
    const r = await run(['-c', 'x', '-e', 'EXPLAIN SELECT name FROM account']);
    expect(r.out).toBe('GET accounts?$select=name\n');
    expect(r.conn.calls).toEqual([{ method: 'explain', sql: 'SELECT name FROM account' }]);
  });
});
