/**
 * The little a SQL target needs of its database, so one implementation of the sync's SQL
 * (sql-target.ts) serves DuckDB and PostgreSQL: statements with `$1` text parameters, and loading
 * rows of text into a table (each value cast by the database to the column's type).
 */
import { DynasqlError } from '../errors/index.js';
import type { TargetDialect } from './column-types.js';

export interface SqlSession {
  readonly dialect: TargetDialect;
  /** runs one statement; gives its rows as objects (numbers and counts as JavaScript numbers) */
  query(sql: string, params?: readonly (string | null)[]): Promise<Record<string, unknown>[]>;
  /** appends rows (values as text, in `columns`' order) to a table, in the session's current transaction if one is open */
  load(table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<void>;
  close(): Promise<void>;
}

/** the database's own error as DYNASQL_ERR_SYNC_TARGET (its message kept, the original as the cause) */
export function targetError(error: unknown): never {
  if (error instanceof DynasqlError) throw error;
  throw new DynasqlError('DYNASQL_ERR_SYNC_TARGET', `The sync target failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
