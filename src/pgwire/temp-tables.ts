/**
 * A session's temporary tables (`CREATE TEMP TABLE`), as PostgreSQL keeps them per session: their
 * rows live here, in the session, and never go to Dynamics; statements over them run in the driver's
 * local engine, which gets them as `QueryOptions.localTables` (bound ahead of the Dynamics tables, so
 * a temp table named `account` hides the Dynamics one, as `pg_temp` comes first in PostgreSQL's search
 * path). Their definitions also go into the catalog engine (catalog-engine.ts), so pg_catalog,
 * information_schema and Describe see them in `pg_temp`.
 *
 * Transactions: a block's changes to the tables (created, dropped, rows) are undone by ROLLBACK and
 * by ROLLBACK TO a savepoint (the tables are immutable values, so a snapshot is a copy of the map);
 * at each commit, the block's or an implicit one's, `ON COMMIT DELETE ROWS` empties a table and
 * `ON COMMIT DROP` drops it.
 *
 * Example: `create temp table f (city text) on commit preserve rows` → a table `f` with one column of
 * SQL type nvarchar (PostgreSQL `text`), its rows `[]`; `insert into f values ('Redmond')` → rows
 * `[{city: 'Redmond'}]`.
 */
import type { Column, LocalTables, SqlType, Table } from '../index.js';

export type OnCommit = 'preserve' | 'delete' | 'drop';

export interface TempColumn {
  name: string;
  /** the type as PostgreSQL names it (`format_type`: `character varying(20)`, `numeric(10,2)`) */
  pgType: string;
  sqlType: SqlType;
  edmType: string;
  notNull: boolean;
}

export interface TempTable {
  /** as PostgreSQL keeps it: unquoted names folded to lower case */
  readonly name: string;
  readonly columns: readonly TempColumn[];
  readonly rows: readonly Record<string, unknown>[];
  readonly onCommit: OnCommit;
  /** the table the translator binds */
  readonly table: Table;
}

/** A PostgreSQL type (as `format_type` writes it) as the SQL and Edm types the driver's local engine loads; undefined: not kept */
export function columnTypeOf(pgType: string): { sqlType: SqlType; edmType: string } | undefined {
  const sized = /^(character varying|character|numeric)\((\d+)(?:,(\d+))?\)$/.exec(pgType);
  if (sized) {
    const n = Number(sized[2]);
    if (sized[1] === 'numeric') return { sqlType: { name: 'decimal', precision: n, scale: Number(sized[3] ?? 0) }, edmType: 'Edm.Decimal' };
    return { sqlType: { name: sized[1] === 'character' ? 'nchar' : 'nvarchar', length: n }, edmType: 'Edm.String' };
  }
  switch (pgType) {
    case 'integer': return { sqlType: { name: 'int' }, edmType: 'Edm.Int32' };
    case 'smallint': return { sqlType: { name: 'smallint' }, edmType: 'Edm.Int16' };
    case 'bigint': return { sqlType: { name: 'bigint' }, edmType: 'Edm.Int64' };
    // an unconstrained numeric: the local engine holds decimals at scale 10
    case 'numeric': return { sqlType: { name: 'decimal', precision: 38, scale: 10 }, edmType: 'Edm.Decimal' };
    case 'real': return { sqlType: { name: 'real' }, edmType: 'Edm.Single' };
    case 'double precision': return { sqlType: { name: 'float' }, edmType: 'Edm.Double' };
    case 'boolean': return { sqlType: { name: 'bit' }, edmType: 'Edm.Boolean' };
    case 'text':
    case 'character varying': return { sqlType: { name: 'nvarchar' }, edmType: 'Edm.String' };
    case 'uuid': return { sqlType: { name: 'uniqueidentifier' }, edmType: 'Edm.Guid' };
    // instants, as Dynamics' date-times are; a timestamp without time zone is held as that time in UTC
    case 'timestamp with time zone':
    case 'timestamp without time zone': return { sqlType: { name: 'datetime2' }, edmType: 'Edm.DateTimeOffset' };
    case 'date': return { sqlType: { name: 'date' }, edmType: 'Edm.Date' };
    case 'bytea': return { sqlType: { name: 'varbinary' }, edmType: 'Edm.Binary' };
    default: return undefined;
  }
}

/** the table the translator binds for a temp table */
export function tableOf(name: string, columns: readonly TempColumn[]): Table {
  return {
    name, entitySetName: name, entityType: name, primaryKey: [], alternateKeys: [], relationships: [], capabilities: {},
    columns: columns.map((c): Column => ({
      name: c.name, odataName: c.name, kind: 'data', edmType: c.edmType, sqlType: c.sqlType, nullable: !c.notNull,
      readOnly: false, insertable: true, updatable: true, isPrimaryKey: false,
    })),
  };
}

/**
 * A value the translator or the catalog engine produced, as the column holds it: what the local
 * engine loads for its type (numbers, decimal text, `Date`s, GUID text, bytes).
 */
export function storedValue(column: TempColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (column.sqlType.name) {
    case 'int':
    case 'smallint':
      return Number(value);
    case 'bigint':
      return typeof value === 'bigint' ? value : Number.isSafeInteger(Number(value)) ? Number(value) : BigInt(String(value));
    case 'real':
    case 'float':
      return Number(value);
    case 'decimal':
      return String(value);
    case 'bit':
      return value === true || value === 1 || value === 't' || value === 'true';
    case 'datetime2':
      return value instanceof Date ? value : new Date(String(value));
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
    case 'varbinary':
      return value instanceof Uint8Array ? value : new TextEncoder().encode(String(value));
    case 'uniqueidentifier':
      return String(value).toLowerCase();
    case 'nchar':
      // character(n) is blank-padded to its length
      return String(value).padEnd(column.sqlType.length ?? 1, ' ');
    default:
      return value instanceof Date ? value.toISOString() : String(value);
  }
}

export class TempTables {
  private tables = new Map<string, TempTable>();
  /** what the translator gets; a new value whenever a table or its rows change */
  private view: LocalTables | undefined;
  /** the tables as they were at BEGIN, then at each savepoint (innermost last) */
  private snapshots: { name: string | null; tables: Map<string, TempTable> }[] = [];

  get size(): number {
    return this.tables.size;
  }

  get(name: string): TempTable | undefined {
    return this.tables.get(name) ?? this.tables.get(name.toLowerCase());
  }

  /** lower-cased names, to find them in statement text */
  names(): Set<string> {
    return new Set([...this.tables.keys()].map((n) => n.toLowerCase()));
  }

  all(): TempTable[] {
    return [...this.tables.values()];
  }

  /** the tables for QueryOptions.localTables; undefined when there are none */
  localTables(): LocalTables | undefined {
    if (this.tables.size === 0) return undefined;
    if (!this.view) {
      const byName = new Map([...this.tables.values()].map((t) => [t.name.toLowerCase(), t]));
      this.view = {
        tables: [...this.tables.values()].map((t) => t.table),
        rows: (name) => byName.get(name.toLowerCase())?.rows ?? [],
      };
    }
    return this.view;
  }

  create(name: string, columns: readonly TempColumn[], onCommit: OnCommit, rows: readonly Record<string, unknown>[] = []): void {
    this.set({ name, columns, rows, onCommit, table: tableOf(name, columns) });
  }

  drop(name: string): void {
    const table = this.get(name);
    if (table) this.tables.delete(table.name);
    this.view = undefined;
  }

  setRows(name: string, rows: readonly Record<string, unknown>[]): void {
    const table = this.get(name);
    if (table) this.set({ ...table, rows });
  }

  private set(table: TempTable): void {
    this.tables.set(table.name, table);
    this.view = undefined;
  }

  /** BEGIN: what ROLLBACK goes back to */
  begin(): void {
    this.snapshots = [{ name: null, tables: new Map(this.tables) }];
  }

  savepoint(name: string): void {
    this.snapshots.push({ name, tables: new Map(this.tables) });
  }

  /** ROLLBACK TO: the tables as at the innermost savepoint of that name, which stays */
  rollbackTo(name: string): void {
    const at = this.snapshots.findLastIndex((s) => s.name === name);
    if (at < 1) return;
    this.snapshots.length = at + 1;
    this.restore(this.snapshots[at]!.tables);
  }

  release(name: string): void {
    const at = this.snapshots.findLastIndex((s) => s.name === name);
    if (at >= 1) this.snapshots.length = at;
  }

  rollback(): void {
    const start = this.snapshots[0];
    this.snapshots = [];
    if (start) this.restore(start.tables);
  }

  /** the end of a transaction, a block's or a statement's own: ON COMMIT DELETE ROWS and DROP take effect */
  commit(): void {
    this.snapshots = [];
    for (const table of [...this.tables.values()]) {
      if (table.onCommit === 'drop') this.drop(table.name);
      else if (table.onCommit === 'delete' && table.rows.length > 0) this.setRows(table.name, []);
    }
  }

  private restore(tables: Map<string, TempTable>): void {
    this.tables = new Map(tables);
    this.view = undefined;
  }
}
