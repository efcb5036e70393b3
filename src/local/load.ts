/**
 * Loading decoded rows into a DuckDB temp table with the appender, page by page: one typed column per catalog
 * column. Decimals are exact (DECIMAL(38,10) from their text), GUIDs are UUIDs (so `'{…}'` and
 * upper-case text compare equal, as in SQL Server), dates are TIMESTAMPTZ / DATE.
 */
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBTimestampTZValue, DuckDBUUIDValue, type DuckDBAppender } from '@duckdb/node-api';
import type { Column } from '../catalog/types.js';
import type { LocalStatement, RowPages } from './engine.js';
import { quoteIdent } from './render.js';

export const DECIMAL_SCALE = 10;

export type ColumnValue = string | number | boolean | bigint | Date | Uint8Array | null;

interface LocalType {
  sql: string;
  append(appender: DuckDBAppender, value: Exclude<ColumnValue, null>): void;
}

const VARCHAR: LocalType = { sql: 'VARCHAR', append: (a, v) => a.appendVarchar(v instanceof Date ? v.toISOString() : String(v)) };
const INTEGER: LocalType = { sql: 'INTEGER', append: (a, v) => a.appendInteger(Number(v)) };
const BIGINT: LocalType = { sql: 'BIGINT', append: (a, v) => a.appendBigInt(typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))) };
const DOUBLE: LocalType = { sql: 'DOUBLE', append: (a, v) => a.appendDouble(Number(v)) };
const BOOLEAN: LocalType = { sql: 'BOOLEAN', append: (a, v) => a.appendBoolean(v === true || v === 1 || v === 'true') };
const DECIMAL: LocalType = { sql: `DECIMAL(38,${DECIMAL_SCALE})`, append: (a, v) => a.appendDecimal(new DuckDBDecimalValue(scaledDecimal(String(v)), 38, DECIMAL_SCALE)) };
const TIMESTAMPTZ: LocalType = {
  sql: 'TIMESTAMPTZ',
  append: (a, v) => a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt((v instanceof Date ? v : new Date(String(v))).getTime()) * 1000n)),
};
const DATE: LocalType = {
  sql: 'DATE',
  append: (a, v) => a.appendDate(new DuckDBDateValue(Math.floor((v instanceof Date ? v : new Date(String(v))).getTime() / 86_400_000))),
};
const UUID: LocalType = { sql: 'UUID', append: (a, v) => a.appendUUID(DuckDBUUIDValue.fromUint128(BigInt(`0x${String(v).replace(/[^0-9a-f]/gi, '')}`))) };
const BLOB: LocalType = { sql: 'BLOB', append: (a, v) => a.appendBlob(v instanceof Uint8Array ? v : new TextEncoder().encode(String(v))) };

export function localType(column: Column): LocalType {
  if (column.kind === 'lookupName' || column.kind === 'choiceLabel' || column.kind === 'lookupType') return VARCHAR;
  switch (column.edmType) {
    case 'Edm.Int32': case 'Edm.Int16': case 'Edm.Byte': case 'Edm.SByte': return INTEGER;
    case 'Edm.Int64': return BIGINT;
    case 'Edm.Double': case 'Edm.Single': return DOUBLE;
    case 'Edm.Decimal': return DECIMAL;
    case 'Edm.Boolean': return BOOLEAN;
    case 'Edm.DateTimeOffset': return TIMESTAMPTZ;
    case 'Edm.Date': return DATE;
    case 'Edm.Binary': return BLOB;
    case 'Edm.Guid': return UUID;
    default: return VARCHAR;
  }
}

/** `'-12.5'` → -125000000000n at scale 10; digits past the scale are cut */
export function scaledDecimal(text: string): bigint {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m) return BigInt(Math.round(Number(text) * 10 ** DECIMAL_SCALE));
  if (m[4]) return BigInt(Math.round(Number(text) * 10 ** DECIMAL_SCALE));
  const fraction = (m[3] ?? '').padEnd(DECIMAL_SCALE, '0').slice(0, DECIMAL_SCALE);
  const magnitude = BigInt(`${m[2] || '0'}${fraction}`);
  return m[1] === '-' ? -magnitude : magnitude;
}

/**
 * Creates the temp table and its appender. DuckDB calls on one connection go one at a time, so every
 * input's table is made before any page is read; then `appendPages` fills them all at once.
 */
export async function createTable(statement: LocalStatement, name: string, columns: readonly Column[]): Promise<DuckDBAppender> {
  const definition = columns.length > 0
    ? columns.map((c) => `${quoteIdent(c.name)} ${localType(c).sql}`).join(', ')
    : '"_row" INTEGER';
  await statement.call((c) => c.run(`CREATE TEMP TABLE ${quoteIdent(name)} (${definition})`));
  return statement.appender(name);
}

/**
 * Appends `pages` as they come: each page is flushed into DuckDB before the next is read, so a scan
 * is never held whole in JavaScript. Appending is synchronous, so inputs read at the same time never
 * interleave within a page; only the waits for pages overlap.
 */
export async function appendPages(statement: LocalStatement, appender: DuckDBAppender, columns: readonly Column[], pages: RowPages): Promise<void> {
  const types = columns.map(localType);
  const source = Symbol.asyncIterator in pages ? pages[Symbol.asyncIterator]() : toAsync(pages[Symbol.iterator]());
  let done = false;
  try {
    while (!done) {
      const next = await statement.wait(source.next());
      done = next.done === true;
      if (next.done) break;
      for (const row of next.value) {
        if (columns.length === 0) appender.appendInteger(1);
        for (let i = 0; i < columns.length; i++) {
          const value = row[i];
          if (value === null || value === undefined) appender.appendNull();
          else types[i]!.append(appender, value);
        }
        appender.endRow();
      }
      appender.flushSync();
    }
  } finally {
    statement.closeAppender(appender);
    // stopped midway (a cancel, or another input failed): the source stops too (a remote scan aborts its read-ahead request)
    if (!done) await source.return?.().catch(() => undefined);
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}
