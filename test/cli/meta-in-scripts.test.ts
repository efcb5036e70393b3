/**
 * The REPL's backslash commands as a script runs them (`dynasql -e '\dt'`), on the real driver and
 * emulator, and what they show: `\d` sorted (key first, then by name), `\df` with each procedure's
 * parameters, unnamed aggregates named like PostgreSQL names them (issue 16).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConnectionString } from '../../src/cli/demo.js';
import { runCli } from '../../src/cli/main.js';
import { startEmulator } from '../../src/emulator/index.js';
import { Capture } from './in-memory-connection.js';

const home = mkdtempSync(join(tmpdir(), 'dynasql-meta-'));
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

async function run(...statements: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end('');
  const argv = ['-c', connection, ...statements.flatMap((s) => ['-e', s])];
  const code = await runCli({ argv, stdout, stderr, stdin, env: { HOME: home, NO_COLOR: '1' } });
  return { code, out: stdout.text, err: stderr.text };
}

/** the first column of a printed table's body */
const firstColumn = (table: string) => table.split('\n').filter((l) => /^ \S/.test(l) && !/^ (column_name|table_name|procedure_name|key_name) /.test(l)).map((l) => l.split('|')[0]!.trim());

describe('backslash commands in scripts', () => {
  it("runs -e '\\dt' (was a syntax error)", async () => {
    const r = await run('\\dt acc*');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ account +\| accounts +\| accountid$/m);
  });

  it('stops with exit code 1 at an unknown command', async () => {
    const r = await run('\\nosuch', 'SELECT TOP 1 name FROM account');
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('(1 row)');
  });

  it('lists a table’s columns with the key first, then sorted by name', async () => {
    const r = await run('\\d account');
    expect(r.code).toBe(0);
    const section = r.out.split('\n\n')[0]!;
    const names = firstColumn(section);
    expect(names[0]).toBe('accountid');
    expect(names.length).toBeGreaterThan(50);
    const rest = names.slice(1);
    expect(rest).toEqual([...rest].sort());
  });

  it('shows each procedure’s parameters in \\df', async () => {
    const r = await run('\\df WinOpp*');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/WinOpportunity .*\| OpportunityClose nvarchar\(max\), Status int$/m);
  });

  it('names COUNT(*) and other unnamed calls after the function, as PostgreSQL does', async () => {
    const r = await run('SELECT COUNT(*), COUNT(name), MAX(name) FROM account');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^ count \| count_2 \| max\s*$/);
  });
});
