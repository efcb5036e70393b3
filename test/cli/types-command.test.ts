/**
 * `dynasql types` on the real driver and emulator: one interface per table with the value types rows
 * hold, choices with listed values as unions, and a module that type-checks (issue 16).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConnectionString } from '../../src/cli/demo.js';
import { runCli } from '../../src/cli/main.js';
import { columnTsType, interfaceName } from '../../src/cli/row-types.js';
import { startEmulator } from '../../src/emulator/index.js';
import { Capture } from './in-memory-connection.js';

const home = mkdtempSync(join(tmpdir(), 'dynasql-types-'));
let emulator: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 5 });
});
afterAll(async () => {
  await emulator?.close();
  rmSync(home, { recursive: true, force: true });
});

async function types(...args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end('');
  const code = await runCli({ argv: ['types', '-c', demoConnectionString(emulator.url), ...args], stdout, stderr, stdin, env: { HOME: home } });
  return { code, out: stdout.text, err: stderr.text };
}

describe('dynasql types', () => {
  it('writes an interface per table with the types rows hold, and a Tables index', async () => {
    const r = await types('--tables', 'account');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('export interface Account {');
    expect(r.out).toContain('  accountid?: string;');
    expect(r.out).toContain('  revenue?: string | null;');
    expect(r.out).toContain('  versionnumber?: number | string | null;');
    expect(r.out).toContain('  createdon?: Date | null;');
    expect(r.out).toMatch(/export interface Tables \{\n {2}account: Account;\n\}/);
  });

  it('writes a module that type-checks, to a file with -o', async () => {
    const file = join(home, 'rows.ts');
    const r = await types('-o', file);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^dynasql types: wrote \d+ row types to /);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('export interface Contact {');
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'], types: [] });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });

  it('types a column with listed choices as the union of their values, and names interfaces from table names', () => {
    const column = { name: 'status', odataName: 'Status', kind: 'data' as const, edmType: 'Ns.Status', sqlType: { name: 'nvarchar' }, nullable: false,
      readOnly: false, insertable: true, updatable: true, isPrimaryKey: false, options: [{ value: 'Open', label: 'Open' }, { value: 'Closed', label: 'Closed' }] };
    expect(columnTsType(column)).toBe('"Open" | "Closed"');
    expect(columnTsType({ ...column, options: undefined, sqlType: { name: 'bigint' }, nullable: true }, { useBigInt: true })).toBe('bigint | null');
    expect(interfaceName('msdyn_workorder')).toBe('MsdynWorkorder');
    expect(interfaceName('CustomersV3')).toBe('CustomersV3');
  });
});
