/**
 * The REPL's mechanics driven in-process: lines typed into a stream, output read back. An in-memory
 * Connection stands in for the driver; test/cli/tmux-demo.test.ts drives the real command in a terminal.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { listTablesQuery } from '../../src/cli/catalog-queries.js';
import { runCli } from '../../src/cli/main.js';
import { DynasqlError } from '../../src/errors/index.js';
import type { QueryOptions } from '../../src/connection/types.js';
import { Capture, InMemoryConnection, result, type Answer } from './in-memory-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'dynasql-repl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOP = 'SELECT TOP 2 name, revenue FROM account ORDER BY revenue DESC';

function answers(): Record<string, Answer> {
  return {
    [TOP]: result([['name', 'nvarchar'], ['revenue', 'decimal']], [['Contoso', '900.00'], ['Fabrikam', '12.50']]),
    'SELECT 1 AS one': result([['one', 'int']], [[1]]),
    'SELECT nme FROM account': new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', "Unknown column 'nme'", { position: { offset: 7, line: 1, column: 8 } }),
    [listTablesQuery('acc').sql]: result([['table_name', 'nvarchar'], ['entity_set_name', 'nvarchar'], ['description', 'nvarchar']], [['account', 'accounts', 'Business']]),
    'SELECT COUNT(*) AS affected FROM account WHERE revenue > 10': result([['affected', 'int']], [[5]]),
    'SELECT COUNT(*) AS affected FROM contact': result([['affected', 'int']], [[1]]),
    "UPDATE account SET name = 'x' WHERE revenue > 10": { ...result([], [], 'UPDATE'), rowCount: 5 },
    'DELETE FROM contact': { ...result([], [], 'DELETE'), rowCount: 1 },
    'SELECT slow': (options?: QueryOptions) =>
      new Promise((_, reject) => options!.signal!.addEventListener('abort', () => reject(new DynasqlError('DYNASQL_ERR_CANCELLED', 'Statement cancelled')))),
  };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

function startRepl(options: { terminal?: boolean; argv?: string[] } = {}) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new Capture(options.terminal ? { columns: 100 } : undefined);
  const stderr = new Capture();
  const conn = new InMemoryConnection(answers());
  const home = mkdtempSync(join(dir, 'home-'));
  const done = runCli({
    argv: ['-c', 'URL=http://127.0.0.1:1', ...(options.argv ?? [])],
    stdout,
    stderr,
    stdin,
    env: { HOME: home, NO_COLOR: '1' },
    connect: async () => conn,
  });
  return {
    conn,
    stdout,
    stderr,
    done,
    home,
    type: (text: string) => stdin.write(text),
    end: () => stdin.end(),
    seen: (text: string, stream: Capture = stdout) => waitFor(() => stream.text.includes(text), JSON.stringify(text)),
  };
}

describe('REPL', () => {
  it('runs multi-line statements, backslash commands, survives errors, and quits on \\q', async () => {
    const repl = startRepl();
    repl.type('SELECT TOP 2 name, revenue\nFROM account\nORDER BY revenue DESC;\n');
    await repl.seen('(2 rows)');
    expect(repl.stdout.text).toContain('dynasql> dynasql-> dynasql-> ');
    expect(repl.stdout.text).toContain(' Contoso  |  900.00\n');

    repl.type('SELECT nme FROM account;\n');
    await repl.seen('ERROR DYNASQL_ERR_UNKNOWN_COLUMN', repl.stderr);
    expect(repl.stderr.text).toContain('LINE 1: SELECT nme FROM account\n               ^');

    repl.type('\\x on\nSELECT 1 AS one;\n');
    await repl.seen('-[ RECORD 1 ]');
    repl.type('\\x off\n\\format csv\nSELECT 1 AS one;\n');
    await repl.seen('one\n1\n');
    repl.type('\\format table\n\\timing on\nSELECT 1 AS one;\n');
    await repl.seen('Time: ');
    repl.type('\\dt acc\n');
    await repl.seen(' account    | accounts        | Business');
    expect(repl.conn.calls.at(-1)!.sql).toBe(listTablesQuery('acc').sql);
    repl.type('\\nope\n\\?\n');
    await repl.seen('\\dt [PATTERN]', repl.stderr);
    expect(repl.stderr.text).toContain('Unknown command \\nope');

    repl.type('\\q\nSELECT 1 AS one;\n');
    expect(await repl.done).toBe(0);
    expect(repl.conn.calls.filter((c) => c.sql === 'SELECT 1 AS one')).toHaveLength(3);
    expect(repl.conn.closed).toBe(true);
  });

  it('keeps history in the data folder, one entry per statement, readable only by the user', async () => {
    const repl = startRepl();
    repl.type('SELECT 1 AS one;\n\\x\nSELECT TOP 2 name, revenue\n\n  FROM account\nORDER BY revenue DESC;\nSELECT 1 -- one\nAS one;\n');
    await repl.seen('Expanded display', repl.stderr);
    await waitFor(() => repl.conn.calls.length === 3, 'three statements');
    repl.end();
    await repl.done;
    const file = join(repl.home, '.local/share/dynasql/history');
    expect(readFileSync(file, 'utf8')).toBe(
      `SELECT 1 AS one;\n\\x\n${TOP};\nSELECT 1 -- one\nAS one;\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('asks before a write above the threshold and runs it only on yes', async () => {
    const repl = startRepl({ argv: ['--confirm-threshold', '3'] });
    repl.type("UPDATE account SET name = 'x' WHERE revenue > 10;\n");
    await repl.seen('UPDATE would touch 5 rows of account. Continue? [y/N] ');
    repl.type('n\n');
    await repl.seen('Not run.', repl.stderr);
    expect(repl.conn.calls.map((c) => c.sql)).not.toContain("UPDATE account SET name = 'x' WHERE revenue > 10");
    repl.type("UPDATE account SET name = 'x' WHERE revenue > 10;\n");
    await waitFor(() => repl.stdout.text.split('Continue?').length === 3, 'second question');
    repl.type('y\n');
    await repl.seen('UPDATE 5\n');
    // below the threshold: no question
    repl.type('DELETE FROM contact;\n');
    await repl.seen('DELETE 1\n');
    expect(repl.stdout.text.split('Continue?')).toHaveLength(3);
    // input ending at the question is a no, and the session still ends cleanly
    repl.type("UPDATE account SET name = 'x' WHERE revenue > 10;\n");
    await waitFor(() => repl.stdout.text.split('Continue?').length === 4, 'third question');
    repl.end();
    expect(await repl.done).toBe(0);
    expect(repl.conn.calls.filter((c) => c.sql.startsWith('UPDATE'))).toHaveLength(1);
  });

  it('\\o sends results to a file and back; \\i runs a file', async () => {
    const repl = startRepl();
    const out = join(dir, 'repl-out.txt');
    const script = join(dir, 'repl-script.sql');
    writeFileSync(script, 'SELECT 1 AS one;\nGO\nSELECT nme FROM account;\nSELECT 1 AS one');
    repl.type(`\\o ${out}\nSELECT 1 AS one;\n\\o\n`);
    await repl.seen('Results go to the terminal.', repl.stderr);
    expect(readFileSync(out, 'utf8')).toBe(' one\n-----\n   1\n(1 row)\n');
    repl.type(`\\i ${script}\n`);
    await waitFor(() => repl.stdout.text.split('(1 row)').length === 3, 'both statements of the file');
    expect(repl.stderr.text).toContain('DYNASQL_ERR_UNKNOWN_COLUMN');
    repl.type('\\i /no/such/file.sql\n');
    await repl.seen('ENOENT', repl.stderr);
    repl.end();
    expect(await repl.done).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('on a terminal, Ctrl-C cancels a running statement and keeps the REPL; twice at an empty prompt quits', async () => {
    const repl = startRepl({ terminal: true });
    await repl.seen('dynasql> ');
    repl.type('SELECT slow;\r');
    await waitFor(() => repl.conn.calls.some((c) => c.sql === 'SELECT slow'), 'the slow statement to start');
    repl.type('\x03');
    await repl.seen('Cancelled.', repl.stderr);
    repl.type('SELECT 1 AS one;\r');
    await repl.seen('(1 row)');
    repl.type('SELECT 1 AS\x03');
    await repl.seen('^C');
    expect(repl.conn.calls.filter((c) => c.sql.startsWith('SELECT 1 AS')).length).toBe(1);
    repl.type('\x03');
    await repl.seen('To quit, press Ctrl-C again');
    repl.type('\x03');
    expect(await repl.done).toBe(0);
  });
});
