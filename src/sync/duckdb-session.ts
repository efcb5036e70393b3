/**
 * The DuckDB file target's database: one connection to the file, rows loaded with the appender (text
 * values, which DuckDB casts to each column's type as it appends).
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { targetError, type SqlSession } from './sql-session.js';

/** counts come back as BIGINT: numbers here; other DuckDB values (decimals, instants) as their text */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value !== null && typeof value === 'object') return String(value);
  return value;
}

export class DuckDbSession implements SqlSession {
  readonly dialect = 'duckdb' as const;

  private constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  /** opens (or creates) the database file; `:memory:` for a scratch database */
  static async open(path: string): Promise<DuckDbSession> {
    // loaded here: DuckDB is a heavy module only sync and the local engine need
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(path);
    return new DuckDbSession(instance, await instance.connect());
  }

  async query(sql: string, params: readonly (string | null)[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, params.length > 0 ? [...params] : undefined).catch(targetError);
    const rows = reader.getRowObjects();
    return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
  }

  async load(table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<void> {
    if (rows.length === 0) return;
    // the appender fills every column in the table's order: staging tables are made with exactly `columns`
    const appender = await this.connection.createAppender(table).catch(targetError);
    try {
      for (const row of rows) {
        for (const value of row) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.flushSync();
    } catch (error) {
      targetError(error);
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
