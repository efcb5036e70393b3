/**
 * Which of a Dynamics table's columns a sync copies, and their types in each target, from the
 * catalog's SQL types (catalog/sql-types.ts). Stored columns only: a lookup's GUID (`primarycontactid`)
 * is copied, its virtual name and type columns (`primarycontactidname`) and choice labels
 * (`industrycodename`) are not, since the service does not track their changes on this row (a renamed
 * account changes `primarycontactidname` of every contact without changing the contacts).
 *
 * `money` is `DECIMAL(19,4)` (the service keeps four places) and Dataverse's decimals
 * `DECIMAL(38,10)`: both exact. `datetime2` values are UTC instants: `TIMESTAMPTZ` / `timestamptz`.
 */
import type { SqlType, Table } from '../index.js';
import type { SyncColumn } from './types.js';

export type TargetDialect = 'duckdb' | 'postgres';

const STORED_KINDS = new Set(['data', 'lookup']);

/** the columns a sync copies, in the catalog's order */
export function syncColumns(table: Table): SyncColumn[] {
  return table.columns.filter((c) => STORED_KINDS.has(c.kind)).map((c) => ({ name: c.name, type: c.sqlType }));
}

function decimal(type: SqlType, dialect: TargetDialect): string {
  const precision = Math.min(type.precision ?? 38, 38);
  const scale = Math.min(type.scale ?? 0, precision);
  return `${dialect === 'duckdb' ? 'DECIMAL' : 'numeric'}(${precision},${scale})`;
}

/** the column type in the target's SQL (`UUID`, `DECIMAL(19,4)`, `timestamptz` …) */
export function targetType(type: SqlType, dialect: TargetDialect): string {
  const duck = dialect === 'duckdb';
  switch (type.name) {
    case 'uniqueidentifier': return duck ? 'UUID' : 'uuid';
    case 'bit': return duck ? 'BOOLEAN' : 'boolean';
    case 'tinyint': return duck ? 'UTINYINT' : 'smallint';
    case 'smallint': return duck ? 'SMALLINT' : 'smallint';
    case 'int': return duck ? 'INTEGER' : 'integer';
    case 'bigint': return duck ? 'BIGINT' : 'bigint';
    case 'real': return duck ? 'FLOAT' : 'real';
    case 'float': return duck ? 'DOUBLE' : 'double precision';
    case 'money': return duck ? 'DECIMAL(19,4)' : 'numeric(19,4)';
    case 'decimal': return decimal(type, dialect);
    case 'datetime2': case 'datetimeoffset': return duck ? 'TIMESTAMPTZ' : 'timestamptz';
    case 'date': return duck ? 'DATE' : 'date';
    case 'time': return duck ? 'TIME' : 'time';
    case 'varbinary': return duck ? 'BLOB' : 'bytea';
    // nvarchar, F&O enums and anything travelling as text
    default: return duck ? 'VARCHAR' : 'text';
  }
}

/** `"name"` for both targets' SQL (a `"` inside doubled) */
export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
