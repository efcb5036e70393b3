/**
 * What the sync tests share: an emulator whose `competitor` table has change tracking turned off in
 * its metadata (the other tables keep it on), `dynasql sync` run in-process, changes made through
 * the emulator's Web API, and the comparison of a target's rows with the emulator's, row for row,
 * every synced column read back as text and brought to one spelling per SQL type.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection, type Table } from '../../src/index.js';
import { quoteName } from '../../src/sync/column-types.js';
import { DuckDbSession } from '../../src/sync/duckdb-session.js';
import { readManifest } from '../../src/sync/parquet-manifest.js';
import { tableSpec } from '../../src/sync/sync-table.js';
import type { SyncColumn } from '../../src/sync/types.js';

export const UNTRACKED = 'competitor';
export const TABLES = ['account', 'contact', UNTRACKED];

/** the built-in metadata with change tracking off for `competitors` */
function metadataWithUntrackedTable(): string {
  const xml = readFileSync(join(import.meta.dirname, '../../src/emulator/metadata/dataverse-edmx.xml'), 'utf8');
  const start = xml.indexOf('<EntitySet Name="competitors"');
  const end = xml.indexOf('</EntitySet>', start);
  const set = xml.slice(start, end);
  const flipped = set.replace(/(ChangeTracking">\s*<Record>\s*<PropertyValue Property="Supported" Bool=")true/, '$1false');
  if (flipped === set) throw new Error('competitors has no ChangeTracking annotation to turn off');
  return xml.slice(0, start) + flipped + xml.slice(end);
}

export async function startSyncEmulator(rows = 12): Promise<RunningEmulator> {
  return startEmulator({ port: 0, rows, metadataXml: metadataWithUntrackedTable() });
}

export function connectionString(emulator: RunningEmulator, extra = ''): string {
  return `Organization URL=${emulator.origin};Auth Scheme=None;Max Retries=8${extra}`;
}

export async function connectTo(emulator: RunningEmulator): Promise<Connection> {
  return connect(connectionString(emulator));
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `dynasql sync ARGS` in-process; `onStderr` sees standard error as it grows (to interrupt a --watch run) */
export async function syncCli(args: string[], options: { interrupt?: AbortSignal; onStderr?: (text: string) => void } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => {
    err += String(d);
    options.onStderr?.(err);
  });
  const code = await runCli({ argv: ['sync', ...args], stdout, stderr, env: {}, ...(options.interrupt ? { interrupt: options.interrupt } : {}) });
  return { code, stdout: out, stderr: err };
}

/** Faults for the emulator's answers (`{}` turns them off); answers how many were injected so far. */
export async function setFaults(emulator: RunningEmulator, faults: Record<string, number>): Promise<void> {
  const response = await fetch(`${emulator.origin}/_emulator/faults`, { method: 'PUT', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' } });
  if (!response.ok) throw new Error(`PUT /_emulator/faults: ${response.status} ${await response.text()}`);
}

/** the faults injected since they were last set */
export async function faultsInjected(emulator: RunningEmulator): Promise<number> {
  const response = await fetch(`${emulator.origin}/_emulator/faults`);
  return ((await response.json()) as { total: number }).total;
}

let serial = 0;

/** creates, updates and deletes rows of every synced table, through the Web API */
export async function changeRows(conn: Connection): Promise<void> {
  const n = ++serial;
  await conn.query(`INSERT INTO account (name, revenue, numberofemployees, donotemail) VALUES ('Sync ${n} A', 1234.5678, ${n}, 1), ('Sync ${n} B', NULL, NULL, 0)`);
  await conn.query(`UPDATE account SET name = name + ' changed ${n}', revenue = 99.01 WHERE accountid IN (SELECT TOP (2) accountid FROM account WHERE name NOT LIKE 'Sync%' ORDER BY accountid)`);
  const [victim] = (await conn.query(`SELECT TOP 1 accountid FROM account WHERE name NOT LIKE 'Sync%' ORDER BY accountid DESC`)).rows;
  // a contact's lookup to the account goes first; the service would refuse the delete otherwise
  if (victim) {
    await conn.query('UPDATE contact SET parentcustomerid = NULL WHERE parentcustomerid = @id', { id: victim.accountid });
    await conn.query('DELETE FROM account WHERE accountid = @id', { id: victim.accountid });
  }
  await conn.query(`INSERT INTO contact (firstname, lastname, birthdate) VALUES ('Ada ${n}', 'Sync', '1990-02-0${(n % 9) + 1}')`);
  await conn.query(`UPDATE contact SET jobtitle = 'changed ${n}' WHERE contactid IN (SELECT TOP (1) contactid FROM contact WHERE lastname <> 'Sync' ORDER BY contactid)`);
  await conn.query(`DELETE FROM contact WHERE contactid IN (SELECT TOP (1) contactid FROM contact WHERE lastname = 'Sync' AND firstname <> 'Ada ${n}' ORDER BY contactid)`);
  await conn.query(`INSERT INTO ${UNTRACKED} (name) VALUES ('Rival ${n}')`);
  await conn.query(`DELETE FROM ${UNTRACKED} WHERE competitorid IN (SELECT TOP (1) competitorid FROM ${UNTRACKED} WHERE name NOT LIKE 'Rival%' ORDER BY competitorid)`);
}

/** one spelling per SQL type for a value read from the service or from a target (as text or as a value) */
export function canonical(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  const text = value instanceof Date ? value.toISOString() : value instanceof Uint8Array ? Buffer.from(value).toString('hex') : String(value);
  switch (type) {
    case 'decimal': case 'money': {
      const [whole, fraction = ''] = text.split('.');
      const f = fraction.replace(/0+$/, '');
      return f ? `${whole}.${f}` : whole!;
    }
    case 'datetime2': case 'datetimeoffset':
      return new Date(text.replace(' ', 'T').replace(/\+00(:00)?$/, 'Z')).toISOString();
    case 'bit':
      return String(text === 'true' || text === 't' || text === '1');
    case 'uniqueidentifier':
      return text.toLowerCase();
    case 'float': case 'real':
      return String(Number(text));
    case 'varbinary':
      return text.toLowerCase();
    default:
      return text;
  }
}

type Rows = Record<string, string | null>[];

function canonicalRows(table: Table, rows: Record<string, unknown>[]): Rows {
  const spec = tableSpec(table);
  const key = spec.key[0]!;
  return rows
    .map((row) => Object.fromEntries(spec.columns.map((c) => [c.name, canonical(row[c.name], c.type.name)])))
    .sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}

export async function emulatorRows(conn: Connection, table: Table): Promise<Rows> {
  const spec = tableSpec(table);
  const { rows } = await conn.query(`SELECT ${spec.columns.map((c) => `[${c.name}]`).join(', ')} FROM [${table.name}]`);
  return canonicalRows(table, rows);
}

export type TargetKind = 'duckdb' | 'parquet' | 'postgres';

/** the target's rows of a table, every column as text */
export async function targetRows(kind: TargetKind, where: string, table: Table): Promise<Rows> {
  const spec = tableSpec(table);
  if (kind === 'postgres') {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    try {
      await client.query("SET TimeZone = 'UTC'");
      const text = (c: SyncColumn) => (c.type.name === 'varbinary' ? `encode(${quoteName(c.name)}, 'hex')` : `${quoteName(c.name)}::text`);
      const { rows } = await client.query(`SELECT ${spec.columns.map((c) => `${text(c)} AS ${quoteName(c.name)}`).join(', ')} FROM ${quoteName(table.name)}`);
      return canonicalRows(table, rows as Record<string, unknown>[]);
    } finally {
      await client.end();
    }
  }
  const session = await DuckDbSession.open(kind === 'duckdb' ? where : ':memory:');
  try {
    await session.query("SET TimeZone = 'UTC'");
    let from = quoteName(table.name);
    if (kind === 'parquet') {
      const folder = join(where, table.name);
      const files = readManifest(folder)!.files.map((f) => `'${join(folder, f)}'`);
      from = `read_parquet([${files.join(', ')}], union_by_name = true)`;
    }
    const text = (c: SyncColumn) => (c.type.name === 'varbinary' ? `hex(${quoteName(c.name)})` : `CAST(${quoteName(c.name)} AS VARCHAR)`);
    const rows = await session.query(`SELECT ${spec.columns.map((c) => `${text(c)} AS ${quoteName(c.name)}`).join(', ')} FROM ${from}`);
    return canonicalRows(table, rows);
  } finally {
    await session.close();
  }
}

/** every synced table of the target equals the emulator's, row for row and column for column */
export async function expectInSync(conn: Connection, kind: TargetKind, where: string, tables = TABLES): Promise<void> {
  const catalog = await conn.catalog();
  for (const name of tables) {
    const table = catalog.tables.find((t) => t.name === name)!;
    const [expected, actual] = [await emulatorRows(conn, table), await targetRows(kind, where, table)];
    expect(actual.length, `${name}: row count`).toBe(expected.length);
    expect(actual, name).toEqual(expected);
  }
}
