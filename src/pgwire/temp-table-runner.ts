/**
 * Runs the statements that change a session's temporary tables (temp-tables.ts), as PostgreSQL does:
 *
 * - `CREATE TEMP TABLE t (cols)`: the catalog engine checks and types the definition (its pg_temp then
 *   shows the table); `CREATE TEMP TABLE t AS query`: the query runs in the translator (Dynamics
 *   tables pushed down as usual), its result types become the columns and its rows the table's;
 * - `INSERT … VALUES`: the catalog engine evaluates the rows into its (empty) copy of the table, with
 *   PostgreSQL's casts, NOT NULL and parameters, hands them back and forgets them; `INSERT … query`:
 *   the translator runs the query;
 * - `UPDATE` / `DELETE`: the translator runs them as a query over the table's rows
 *   (temp-table-statements.ts); `TRUNCATE`, `DROP TABLE`.
 *
 * Read-only transactions may change temporary tables' rows but not create or drop them (PostgreSQL's
 * rule: "INSERT, UPDATE, DELETE … if the table they would write to is not a temporary table; all
 * CREATE, ALTER, and DROP commands" are refused).
 */
import type { QueryResult, ResultColumn, SqlValue } from '../index.js';
import { decodeDataRow, decodeErrorFields, type ErrorFields } from './backend-messages.js';
import type { CatalogEngine, EngineSession } from './catalog-engine.js';
import type { FormatCode } from './frontend-messages.js';
import { decodeParameter, pgTypeOf } from './pg-types.js';
import { leadingWords, tokenize } from './sql-text.js';
import {
  deleteAsQuery, insertParts, isCreateTempTable, parseCreateTempTable, quoteIdent, selectIntoTemp, tempTableDdl, updateAsQuery, writeTarget, type CreateTempTable,
} from './temp-table-statements.js';
import { columnTypeOf, storedValue, type TempColumn, type TempTable, type TempTables } from './temp-tables.js';

/** An error for the client, with PostgreSQL's fields. */
export class TempTableError extends Error {
  constructor(readonly fields: ErrorFields) {
    super(fields.message);
  }
}

export interface TempTableHost {
  engine: CatalogEngine;
  session: EngineSession;
  temps: TempTables;
  /** the statement runs read-only (the block's or the session's mode) */
  readOnly: boolean;
  /** a translator query over the Dynamics tables and the session's temp tables, under the statement's signal */
  query(sql: string, values: readonly SqlValue[]): Promise<QueryResult>;
  /** the engine's pg_temp now holds these definitions (DDL of every temp table, in order) */
  defineTables(ddl: readonly string[]): Promise<void>;
}

export interface BoundParameters {
  types: readonly number[];
  formats: readonly FormatCode[];
  raw: readonly (Buffer | null)[];
  values: readonly SqlValue[];
}

const error = (code: string, message: string): TempTableError => new TempTableError({ severity: 'ERROR', code, message });

/** the DDL the engine gets for each of the session's temp tables */
export function definitionsOf(tables: readonly TempTable[]): string[] {
  return tables.map((t) => tempTableDdl(t.name, t.columns.map((c) => ({ name: c.name, type: c.pgType, notNull: c.notNull }))));
}

/** Runs one temp-table statement; returns its command tag. */
export async function runTempTableStatement(host: TempTableHost, sql: string, parameters: BoundParameters): Promise<string> {
  if (isCreateTempTable(leadingWords(sql, 4))) return create(host, parseCreateTempTable(sql), parameters);
  const selectInto = selectIntoTemp(sql);
  if (selectInto !== undefined) return create(host, parseCreateTempTable(selectInto), parameters);
  const target = writeTarget(sql)!;
  const table = host.temps.get(target.tables[0]!.name)!;
  switch (target.verb) {
    case 'drop':
      if (host.readOnly) throw error('25006', 'cannot execute DROP TABLE in a read-only transaction');
      for (const t of target.tables) host.temps.drop(t.name);
      await host.defineTables(definitionsOf(host.temps.all()));
      return 'DROP TABLE';
    case 'truncate':
      for (const t of target.tables) host.temps.setRows(t.name, []);
      return 'TRUNCATE TABLE';
    case 'insert':
      return `INSERT 0 ${await insert(host, table, sql, parameters)}`;
    case 'delete': {
      const query = deleteAsQuery(sql, table.name, table.columns);
      if (!query.filtered) {
        host.temps.setRows(table.name, []);
        return `DELETE ${table.rows.length}`;
      }
      const result = await host.query(query.sql, parameters.values);
      const kept = result.rows.filter((r) => hitOf(result, r) !== 1).map((r) => rowOf(table.columns, result.columns, r));
      host.temps.setRows(table.name, kept);
      return `DELETE ${result.rows.length - kept.length}`;
    }
    case 'update': {
      const query = updateAsQuery(sql, table.name, table.columns);
      const result = await host.query(query.sql, parameters.values);
      let changed = 0;
      const rows = result.rows.map((r) => {
        const row = rowOf(table.columns, result.columns, r);
        if (hitOf(result, r) !== 1) return row;
        changed++;
        query.assigned.forEach((name, k) => {
          const column = table.columns.find((c) => c.name === name)!;
          row[name] = checked(table, column, storedValue(column, r[result.columns[table.columns.length + k]!.name]));
        });
        return row;
      });
      host.temps.setRows(table.name, rows);
      return `UPDATE ${changed}`;
    }
  }
}

/** the last column of a row query: 1 when the row is hit */
const hitOf = (result: QueryResult, row: Record<string, unknown>): number => Number(row[result.columns.at(-1)!.name]);

function rowOf(columns: readonly TempColumn[], resultColumns: readonly ResultColumn[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  columns.forEach((c, i) => (out[c.name] = storedValue(c, row[resultColumns[i]!.name])));
  return out;
}

/** NOT NULL and a varchar's length, as PostgreSQL checks them on assignment */
function checked(table: TempTable, column: TempColumn, value: unknown): unknown {
  if (value === null && column.notNull) {
    throw error('23502', `null value in column "${column.name}" of relation "${table.name}" violates not-null constraint`);
  }
  const length = column.sqlType.length;
  if (typeof value === 'string' && length !== undefined && [...value.replace(/ +$/, '')].length > length) {
    throw error('22001', `value too long for type ${column.pgType}`);
  }
  return value;
}

async function create(host: TempTableHost, parsed: CreateTempTable, parameters: BoundParameters): Promise<string> {
  if (host.readOnly) throw error('25006', 'cannot execute CREATE TABLE in a read-only transaction');
  if (host.temps.get(parsed.name)) {
    if (parsed.ifNotExists) return 'CREATE TABLE';
    throw error('42P07', `relation "${parsed.name}" already exists`);
  }
  let definition: { name: string; type: string; notNull: boolean }[];
  let result: QueryResult | undefined;
  if (parsed.query !== undefined) {
    // WITH NO DATA: the query's columns, its rows not read
    result = await host.query(parsed.noData ? `SELECT * FROM (${parsed.query}) AS no_data LIMIT 0` : parsed.query, parameters.values);
    if (parsed.columnNames && parsed.columnNames.length > result.columns.length) throw error('42601', 'too many column names were specified');
    const described = await describedTypes(host, parsed.query, parameters.types);
    definition = result.columns.map((c, i) => ({
      name: parsed.columnNames?.[i] ?? c.name,
      type: described?.length === result!.columns.length ? described[i]! : pgTypeOf({ ...c, name: c.type }).ddl,
      notNull: false,
    }));
  } else {
    definition = parsed.columns!;
  }
  const before = host.temps.all();
  await host.defineTables([...definitionsOf(before), tempTableDdl(parsed.name, definition)]);
  const typed = await host.engine.tempColumns(host.session, parsed.name);
  if (!Array.isArray(typed)) throw new TempTableError(engineError(typed.fields));
  const columns: TempColumn[] = [];
  for (const c of typed) {
    const mapped = columnTypeOf(c.type);
    if (!mapped) {
      await host.defineTables(definitionsOf(before));
      throw error('0A000', `type ${c.type} (column "${c.name}") is not supported in temporary tables on a dynasql server: use text, a number, boolean, uuid, a date or timestamp, or bytea`);
    }
    columns.push({ name: c.name, pgType: c.type, notNull: c.notNull, ...mapped });
  }
  const rows = result ? result.rows.map((r) => rowOf(columns, result.columns, r)) : [];
  host.temps.create(parsed.name, columns, parsed.onCommit, rows);
  // PostgreSQL's tags: CREATE TABLE AS reports the rows it stored, or no count WITH NO DATA
  if (parsed.query === undefined) return 'CREATE TABLE';
  return parsed.noData ? 'CREATE TABLE AS' : `SELECT ${rows.length}`;
}

/**
 * The PostgreSQL types of a query's result columns as the catalog engine describes them over the
 * mirror (`varchar(160)` for `name`, as PostgreSQL's CREATE TABLE AS would make it); undefined when
 * the engine cannot describe the query (a form only the translator knows).
 */
async function describedTypes(host: TempTableHost, query: string, parameterTypes: readonly number[]): Promise<string[] | undefined> {
  const described = await host.engine.describe(host.session, query, parameterTypes);
  if (!('fields' in described) || !Array.isArray(described.fields) || described.fields.length === 0) return undefined;
  const sql = `SELECT ${described.fields.map((f) => `format_type(${Number(f.typeOid)}, ${Number(f.typeModifier)})`).join(', ')}`;
  const messages = await host.engine.simpleQuery(host.session, sql);
  const row = messages.find((m) => m.type === 'D');
  return row ? decodeDataRow(row.body).map((v) => v?.toString('utf8') ?? 'text') : undefined;
}

function engineError(fields: Record<string, string>): ErrorFields {
  return { severity: 'ERROR', code: fields['C'] ?? 'XX000', message: fields['M'] ?? 'error', ...(fields['D'] ? { detail: fields['D'] } : {}) };
}

async function insert(host: TempTableHost, table: TempTable, sql: string, parameters: BoundParameters): Promise<number> {
  const parts = insertParts(sql, table.columns);
  let rows: Record<string, unknown>[];
  if (parts.values) {
    // PostgreSQL evaluates the rows (casts, NOT NULL, parameters) into the engine's empty copy of the
    // table, hands them back in binary and forgets them; only constants and parameters may be in them,
    // since the engine holds no Dynamics rows
    const names = new Set(tokenize(parts.query).filter((t) => t.kind === 'word' || t.kind === 'quotedIdentifier').map((t) => t.value.toLowerCase()));
    if (names.has('select') || names.has('from')) throw error('0A000', 'INSERT … VALUES with a subquery into a temporary table is not supported on a dynasql server: write INSERT … SELECT');
    const qualified = `pg_temp.${quoteIdent(table.name)}`;
    const statement = `INSERT INTO ${qualified} (${parts.columns.map(quoteIdent).join(', ')}) ${parts.query} RETURNING *`;
    const { messages } = await host.engine.executeBetween(host.session, 'SELECT 1', statement, `DELETE FROM ${qualified}`, parameters.types, parameters.formats, parameters.raw, [1]);
    const failed = messages.find((m) => m.type === 'E');
    if (failed) throw new TempTableError(engineError(decodeErrorFields(failed.body)));
    // RETURNING * gives the table's columns in order, in binary (Execute sends no description)
    const oids = table.columns.map((c) => pgTypeOf(c.sqlType).oid);
    rows = messages.filter((m) => m.type === 'D').map((m) => {
      const values = decodeDataRow(m.body);
      return Object.fromEntries(table.columns.map((column, i) => [column.name, storedValue(column, decodeParameter(oids[i]!, 1, values[i] ?? null))]));
    });
  } else {
    const result = await host.query(parts.query, parameters.values);
    if (result.columns.length > parts.columns.length) throw error('42601', 'INSERT has more expressions than target columns');
    rows = result.rows.map((r) => {
      const row: Record<string, unknown> = Object.fromEntries(table.columns.map((c) => [c.name, null]));
      parts.columns.forEach((name, i) => {
        const column = table.columns.find((c) => c.name === name)!;
        row[name] = i < result.columns.length ? storedValue(column, r[result.columns[i]!.name]) : null;
      });
      for (const column of table.columns) checked(table, column, row[column.name]);
      return row;
    });
  }
  host.temps.setRows(table.name, [...table.rows, ...rows]);
  return rows.length;
}

