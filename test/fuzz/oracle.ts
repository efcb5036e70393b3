/**
 * The oracle: PGlite (real PostgreSQL, independent of dynasql's DuckDB) over the raw rows, read
 * from the emulator's OData endpoints with plain HTTP GETs (undici), not through dynasql.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { request } from 'undici';
import { ORACLE_PRELUDE } from './render-oracle.js';
import { ORACLE_TYPE, type ColumnDef, type TableDef } from './schema.js';

export type RawRow = Record<string, unknown>;

/** Every row of an entity set, following nextLinks, with formatted values and lookup types. */
export async function exportRows(serviceRoot: string, table: TableDef, extraQuery = ''): Promise<RawRow[]> {
  const fields = [...new Set(table.columns.map((c) => c.field))];
  let url: string | undefined = `${serviceRoot}${table.entitySet}?$select=${fields.join(',')}${extraQuery}`;
  const rows: RawRow[] = [];
  for (let pages = 0; url && pages < 1000; pages++) {
    const { statusCode, body } = await getJson(url);
    if (statusCode !== 200) throw new Error(`export of ${table.entitySet}: HTTP ${statusCode} ${JSON.stringify(body)}`);
    rows.push(...body.value);
    url = body['@odata.nextLink'];
  }
  return rows;
}

/**
 * One GET, sent again when the connection was reset: a kept-alive socket the emulator closed as idle
 * can meet the next request on a loaded machine (the suite saw `read ECONNRESET` here at load 25).
 * A GET changes nothing, so sending it again is safe.
 */
async function getJson(url: string): Promise<{ statusCode: number; body: { value: RawRow[]; '@odata.nextLink'?: string } }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await request(url, { headers: { Accept: 'application/json', Prefer: 'odata.include-annotations="*"' } });
      return { statusCode: response.statusCode, body: (await response.body.json()) as { value: RawRow[]; '@odata.nextLink'?: string } };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt >= 3 || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw e;
    }
  }
}

/** A column's value in a raw row, as the oracle stores it. */
export function rawValue(row: RawRow, c: ColumnDef): unknown {
  if (c.read === 'formatted') return row[`${c.field}@OData.Community.Display.V1.FormattedValue`] ?? null;
  if (c.read === 'lookupType') return row[c.field] == null ? null : (row[`${c.field}@Microsoft.Dynamics.CRM.lookuplogicalname`] ?? null);
  const v = row[c.field];
  if (v === undefined || v === null) return null;
  switch (c.ty) {
    case 'bit': return v === true ? 1 : 0;
    case 'dt': return String(v).replace(/Z$/, '');
    case 'money': case 'int': return typeof v === 'number' ? String(v) : v;
    default: return v;
  }
}

export interface Oracle {
  db: PGlite;
  /** each table's rows as stored (column name → value), for value pools and write checks */
  rows: Map<string, Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * PostgreSQL sizes its shared memory for a server of 100 connections and 128 MB of buffers, which
 * PGlite touches at start; the oracle is one session over a few thousand rows.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'wal_buffers=256kB', '-c', 'max_connections=8'];

/**
 * Where the oracle's pristine data directory (after initdb and the prelude) is kept between
 * processes: initdb is about half of PGlite's start, seconds of CPU in every test file that opens an
 * oracle. Keyed by PGlite's version, the start parameters and the prelude, so a change to any of them
 * makes a new one.
 */
function snapshotPath(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const version = (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(`${version}\0${START_PARAMS.join(' ')}\0${ORACLE_PRELUDE}`).digest('hex').slice(0, 16);
  return join(tmpdir(), `dynasql-fuzz-oracle-${key}.tgz`);
}

export async function openOracle(): Promise<PGlite> {
  // Values come back as text where JavaScript numbers or Dates would lose or shift them.
  const asText = (x: string) => x;
  const options = { startParams: START_PARAMS, parsers: { 1700: asText, 20: asText, 1114: asText, 1184: asText, 1082: asText, 2950: asText } };
  const file = snapshotPath();
  if (existsSync(file)) {
    try {
      return await PGlite.create({ ...options, loadDataDir: new Blob([readFileSync(file)]) });
    } catch {
      // unreadable (a partial copy from another tool, a PGlite that cannot read it): made again below
    }
  }
  const db = await PGlite.create(options);
  await db.exec(ORACLE_PRELUDE);
  try {
    // written beside and renamed, so a test file starting at the same time never reads half of it
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer()));
    renameSync(partial, file);
  } catch {
    // no snapshot this time: the next process runs initdb again
  }
  return db;
}

/** the schema each oracle database's session reads first (its search_path), as last set by useSchema */
const schemaInUse = new WeakMap<PGlite, string>();

/**
 * Has the session read `schema` first (then public). Worlds sharing one database each ask for theirs before
 * every query; the SET is sent only when the schema changes (~1 ms of CPU each, as much as many a query).
 */
export async function useSchema(db: PGlite, schema: string): Promise<void> {
  if (schemaInUse.get(db) === schema) return;
  await db.exec(`SET search_path TO ${schema}, public`);
  schemaInUse.set(db, schema);
}

/** (Re)loads the tables from the service into the oracle database. */
export async function loadOracle(db: PGlite, serviceRoot: string, tables: TableDef[], schema = 'public', extraQuery = ''): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await useSchema(db, schema);
  for (const table of tables) {
    const raw = await exportRows(serviceRoot, table, extraQuery);
    const rows = raw.map((r) => Object.fromEntries(table.columns.map((c) => [c.name, rawValue(r, c)])));
    out.set(table.name, rows);
    await db.exec(`DROP TABLE IF EXISTS ${schema}.${table.name}; CREATE TABLE ${schema}.${table.name} (${table.columns.map((c) => `${c.name} ${ORACLE_TYPE[c.ty]}`).join(', ')})`);
    const chunk = Math.max(1, Math.floor(30_000 / table.columns.length));
    for (let start = 0; start < rows.length; start += chunk) {
      const slice = rows.slice(start, start + chunk);
      const params: unknown[] = [];
      const tuples = slice.map((row) => `(${table.columns.map((c) => {
        params.push(row[c.name]);
        return `$${params.length}::${ORACLE_TYPE[c.ty]}`;
      }).join(', ')})`);
      await db.query(`INSERT INTO ${schema}.${table.name} VALUES ${tuples.join(', ')}`, params);
    }
    // joins and IN / EXISTS subqueries go through the GUID columns: indexed, and the planner told the tables' sizes
    for (const c of table.columns.filter((x) => x.ty === 'guid')) await db.exec(`CREATE INDEX ON ${schema}.${table.name} (${c.name})`);
    await db.exec(`ANALYZE ${schema}.${table.name}`);
  }
  return out;
}
