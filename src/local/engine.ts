/**
 * The local engine: an in-memory DuckDB started on first use (so statements that run entirely on
 * the service never pay for it). Each statement loads its scans' rows into temp tables, runs the
 * rendered remainder with bound values, converts the result to plain values and drops its tables.
 * Strings compare case-insensitively (`default_collation = nocase`) and NULLs sort first ascending,
 * like the service's SQL Server collation, so local and remote evaluation agree.
 */
import {
  DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBBlobValue, DuckDBUUIDValue,
  type DuckDBConnection, type DuckDBValue,
} from '@duckdb/node-api';
import type { Column } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import type { Query } from '../plan/index.js';
import { loadTable, type ColumnValue } from './load.js';
import { DuckDbRenderer, quoteIdent } from './render.js';

export interface LocalInput {
  scanId: number;
  columns: readonly Column[];
  rows: Iterable<readonly ColumnValue[]>;
}

export interface LocalResult {
  columns: { name: string; type: string; precision?: number; scale?: number }[];
  rows: Record<string, ColumnValue>[];
}

export class LocalEngine {
  private connection?: Promise<DuckDBConnection>;
  private statements = 0;
  private queue: Promise<unknown> = Promise.resolve();

  /** renders without running: EXPLAIN shows the local SQL */
  static render(query: Query, params: ReadonlyMap<string | number, unknown>): string {
    return new DuckDbRenderer((id) => `scan_${id}`, params).render(query).sql;
  }

  async run(query: Query, inputs: LocalInput[], params: ReadonlyMap<string | number, unknown>): Promise<LocalResult> {
    // one statement at a time on the shared connection
    const result = this.queue.then(() => this.runNow(query, inputs, params));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(query: Query, inputs: LocalInput[], params: ReadonlyMap<string | number, unknown>): Promise<LocalResult> {
    const connection = await this.open();
    const statement = ++this.statements;
    const tableName = (scanId: number) => `q${statement}_scan_${scanId}`;
    const rendered = new DuckDbRenderer(tableName, params).render(query);
    try {
      for (const input of inputs) await loadTable(connection, tableName(input.scanId), input.columns, input.rows);
      const reader = await connection.runAndReadAll(rendered.sql, rendered.values as DuckDBValue[]);
      // rows are keyed by name: `SELECT * FROM a JOIN b` may repeat one (statecode, statecode_2)
      const names: string[] = [];
      for (const name of reader.columnNames()) {
        let unique = name;
        for (let n = 2; names.some((t) => t.toLowerCase() === unique.toLowerCase()); n++) unique = `${name}_${n}`;
        names.push(unique);
      }
      const types = reader.columnTypes().map((t) => String(t));
      const rows = reader.getRows().map((row) => {
        const out: Record<string, ColumnValue> = {};
        names.forEach((name, i) => { out[name] = toPlain(row[i] ?? null); });
        return out;
      });
      return { columns: names.map((name, i) => ({ name, ...sqlTypeOf(types[i]!) })), rows };
    } catch (error) {
      if (error instanceof DynasqlError) throw error;
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `The local engine could not run the statement: ${(error as Error).message}`, { cause: error });
    } finally {
      for (const input of inputs) await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(tableName(input.scanId))}`).catch(() => undefined);
    }
  }

  private open(): Promise<DuckDBConnection> {
    this.connection ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
      const connection = await instance.connect();
      await connection.run("SET default_collation = 'nocase'");
      await connection.run("SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
      return connection;
    })();
    return this.connection;
  }

  async close(): Promise<void> {
    if (!this.connection) return;
    const connection = await this.connection.catch(() => undefined);
    this.connection = undefined;
    connection?.closeSync();
  }
}

/** DuckDB values → the driver's plain values; decimals as exact text without trailing zeros */
function toPlain(value: DuckDBValue): ColumnValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (value instanceof DuckDBDecimalValue) return trimDecimal(value.toString());
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) return new Date(Number(value.micros / 1000n));
  if (value instanceof DuckDBDateValue) return new Date(value.days * 86_400_000);
  if (value instanceof DuckDBBlobValue) return value.bytes;
  if (value instanceof DuckDBUUIDValue) return value.toString();
  return String(value);
}

export function trimDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function sqlTypeOf(duck: string): { type: string; precision?: number; scale?: number } {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duck);
  if (decimal) return { type: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  switch (duck) {
    case 'VARCHAR': return { type: 'nvarchar' };
    case 'INTEGER': return { type: 'int' };
    case 'BIGINT': case 'HUGEINT': return { type: 'bigint' };
    case 'SMALLINT': return { type: 'smallint' };
    case 'TINYINT': case 'UTINYINT': return { type: 'tinyint' };
    case 'DOUBLE': case 'FLOAT': return { type: 'float' };
    case 'BOOLEAN': return { type: 'bit' };
    case 'DATE': return { type: 'date' };
    case 'TIMESTAMP': return { type: 'datetime2' };
    case 'TIMESTAMP WITH TIME ZONE': return { type: 'datetimeoffset' };
    case 'BLOB': return { type: 'varbinary' };
    case 'UUID': return { type: 'uniqueidentifier' };
    default: return { type: duck.toLowerCase() };
  }
}
