/**
 * The command end to end on the real driver (connect()) and the real emulator, in-process (-c to
 * one shared emulator, and --demo starting its own):
 * `--demo` starts the emulator, statements run through the SELECT engine, backslash commands
 * query the real system tables, errors come from the real binder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConnectionString } from '../../src/cli/demo.js';
import { runCli } from '../../src/cli/main.js';
import { startEmulator } from '../../src/emulator/index.js';
import { Capture } from './in-memory-connection.js';

const home = mkdtempSync(join(tmpdir(), 'dynasql-demo-'));
// One emulator for the tests that pass -c; the first test starts its own through --demo.
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let connection: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  connection = demoConnectionString(emulator.url);
});
afterAll(async () => {
  await emulator?.close();
  rmSync(home, { recursive: true, force: true });
});

const TOP5 = 'SELECT TOP 5 name, revenue FROM account ORDER BY revenue DESC';

async function run(argv: string[], stdinText = '') {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const code = await runCli({ argv, stdout, stderr, stdin, env: { HOME: home } });
  return { code, out: stdout.text, err: stderr.text };
}

describe('dynasql on the real driver and emulator', () => {
  it('--demo prints the top accounts by revenue as a table', async () => {
    const r = await run(['--demo', '-e', TOP5]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ name +\| revenue$/);
    expect(lines[1]).toMatch(/^-+\+-+$/);
    expect(lines.at(-1)).toBe('(5 rows)');
    const revenues = lines.slice(2, 7).map((l) => Number(l.split('|')[1]));
    expect(revenues.every((n) => Number.isFinite(n))).toBe(true);
    expect([...revenues].sort((a, b) => b - a)).toEqual(revenues);
  });

  it('writes csv and json that agree with each other', async () => {
    const csv = await run(['-c', connection, '--format', 'csv', '-e', TOP5]);
    const json = await run(['-c', connection, '--format', 'json', '-e', TOP5]);
    const rows = JSON.parse(json.out) as { name: string; revenue: unknown }[];
    expect(rows).toHaveLength(5);
    expect(csv.out.split('\n')[0]).toBe('name,revenue');
    expect(csv.out.trimEnd().split('\n')).toHaveLength(6);
    expect(csv.out).toContain(rows[0]!.name.includes(',') ? `"${rows[0]!.name}"` : rows[0]!.name);
  });

  it('reports errors with their code, a caret under a syntax error, and exit code 1', async () => {
    const unknown = await run(['-c', connection, '-e', 'SELECT nme FROM account']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("ERROR DYNASQL_ERR_UNKNOWN_COLUMN: Unknown column 'nme'. Did you mean 'name'?");
    const syntax = await run(['-c', connection, '-e', "SELECT name FROM account WHERE (name = 'x'"]);
    expect(syntax.code).toBe(1);
    expect(syntax.err).toContain('ERROR DYNASQL_ERR_SYNTAX');
    expect(syntax.err).toMatch(/LINE 1: SELECT name FROM account WHERE \(name = 'x'\n {50}\^/);
  });

  it('runs statements from standard input and the backslash commands on the system tables', async () => {
    const r = await run(['-c', connection, '--format', 'csv'], 'SELECT COUNT(*) AS n FROM account;\nSELECT table_name FROM sys_tables WHERE table_name = \'contact\'');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^n\n\d+\ntable_name\ncontact\n$/);
  });

  it('a script between BEGIN TRAN and COMMIT is all or nothing, and one left open is reported', async () => {
    const count = async (name: string) => {
      const r = await run(['-c', connection, '--format', 'csv', '-e', `SELECT COUNT(*) AS n FROM account WHERE name = '${name}'`]);
      return Number(r.out.split('\n')[1]);
    };
    const failed = await run(['-c', connection, '-e', 'BEGIN TRAN', '-e', "INSERT INTO account (name) VALUES ('cli-tx-1')", '-e', 'SELECT nme FROM account', '-e', 'COMMIT']);
    expect(failed.code).toBe(1);
    expect(await count('cli-tx-1')).toBe(0);
    const committed = await run(['-c', connection], "BEGIN TRAN;\nINSERT INTO account (name) VALUES ('cli-tx-2');\nCOMMIT;\n");
    expect(committed.code).toBe(0);
    expect(await count('cli-tx-2')).toBe(1);
    const open = await run(['-c', connection, '-e', 'BEGIN TRAN', '-e', "INSERT INTO account (name) VALUES ('cli-tx-3'), ('cli-tx-3')"]);
    expect(open.code).toBe(0);
    expect(open.err).toContain('The session ended inside a transaction that was never committed: its 2 held row changes were not written');
    expect(await count('cli-tx-3')).toBe(0);
  });

  it('in the REPL: \\dt, \\d by entity-set name, \\explain, \\timing, \\df, and a large DELETE asks first', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = new Capture();
    const stderr = new Capture();
    const done = runCli({ argv: ['--demo', '--confirm-threshold', '3'], stdout, stderr, stdin, env: { HOME: home } });
    const seen = async (text: string | RegExp, stream: Capture = stdout) => {
      for (let i = 0; i < 500; i++) {
        if (typeof text === 'string' ? stream.text.includes(text) : text.test(stream.text)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`never saw ${String(text)} in:\n${stream.text}\n${stderr.text}`);
    };
    await seen('dynasql demo: connected to the embedded Dynamics emulator');
    stdin.write('\\dt acc*\n');
    await seen(/ account +\| accounts +\|/);
    stdin.write('\\d accounts\n');
    await seen('Table "accounts"');
    await seen(/ revenue +\| /);
    await seen('Keys');
    stdin.write("\\explain SELECT TOP 3 name FROM account WHERE name LIKE 'A%'\n");
    await seen(/GET http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.\d\/accounts\?\$select=name&\$filter=startswith\(name,%27A%27\)/);
    stdin.write('\\timing on\nSELECT TOP 1 name FROM account;\n');
    await seen(/\(1 row\)\nTime: \d+\.\d{3} ms\n/);
    stdin.write('\\df Win*\n');
    await seen('WinOpportunity');
    stdin.write('DELETE FROM account;\n');
    await seen(/DELETE would touch [\d,]+ rows of account\. Continue\? \[y\/N\] $/);
    stdin.write('n\n');
    await seen('Not run.', stderr);
    stdin.write('SELECT COUNT(*) AS n FROM account;\n');
    await seen(/ n\n-+\n +\d+\n\(1 row\)/);
    stdin.write('BEGIN TRAN;\n');
    await seen('dynasql*> ');
    stdin.write("INSERT INTO account (name) VALUES ('repl-tx');\n");
    await seen(/INSERT 1/);
    stdin.write('\\q\n');
    expect(await done).toBe(0);
    expect(stdout.text).toContain('The session ended inside a transaction that was never committed: its 1 held row change was not written');
    expect(stderr.text).not.toContain('ERROR');
  });
});

describe('the REPL items of issue 16, on the real catalog', () => {
  const lines = (text: string) => text.trimEnd().split('\n');

  it("-e '\\dt' runs the backslash command; systemuser's key is systemuserid, not the ownerid it inherits", async () => {
    const all = await run(['-c', connection, '-e', '\\dt']);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^ account +\| accounts +\| accountid/m);
    const r = await run(['-c', connection, '-e', '\\dt systemuser']);
    expect(r.out).toMatch(/^ systemuser +\| systemusers +\| systemuserid *$/m);
  });

  it('\\d account lists the key first, then the columns sorted by name', async () => {
    const r = await run(['-c', connection, '-e', '\\d account']);
    expect(r.code).toBe(0);
    const body = lines(r.out);
    const start = body.findIndex((l) => /^-+\+/.test(l)) + 1;
    const end = body.findIndex((l, i) => i >= start && /^\(\d+ rows?\)$/.test(l));
    const names = body.slice(start, end).map((l) => l.split('|')[0]!.trim());
    expect(names[0]).toBe('accountid');
    expect(names.length).toBeGreaterThan(100);
    expect(names.slice(1)).toEqual([...names.slice(1)].sort());
  });

  it('COUNT(*) is named count, not column1; a date-only column prints as a date', async () => {
    const count = await run(['-c', connection, '-e', 'SELECT COUNT(*) FROM account']);
    expect(lines(count.out)[0]).toBe(' count');
    const dates = await run(['-c', connection, '-e', 'SELECT TOP 1 birthdate FROM contact WHERE birthdate IS NOT NULL']);
    expect(lines(dates.out)[2]).toMatch(/^ \d{4}-\d{2}-\d{2} *$/);
  });

  it('\\df shows each procedure with its parameters', async () => {
    const r = await run(['-c', connection, '-e', '\\df WinOpportunity']);
    expect(r.out).toMatch(/WinOpportunity +\| ACTION .*\| OpportunityClose [^|]*, Status int/);
  });

  it('output that is not a terminal never goes through the pager, even with PAGER set', async () => {
    const paged = join(home, 'paged.txt');
    const stdout = new Capture();
    const stderr = new Capture();
    const stdin = new PassThrough();
    stdin.end('');
    const code = await runCli({ argv: ['-c', connection, '-e', '\\d account'], stdout, stderr, stdin, env: { HOME: home, PAGER: `cat > ${paged}` } });
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/accountid/);
    expect(existsSync(paged)).toBe(false);
  });
});
