/**
 * The shapes `dynasql sync` passes between its parts: what a table looks like in a target, the state a
 * target keeps beside each table, and the counts a run reports. A target (DuckDB file, Parquet folder,
 * PostgreSQL database) implements `SyncTarget`; `sync-table.ts` decides what to read and hands the
 * rows over in batches, each batch one transaction in the target.
 */
import type { SqlType } from '../index.js';

/** One column as the target stores it: the SQL name users query, and its type from the catalog. */
export interface SyncColumn {
  name: string;
  type: SqlType;
}

/** A Dynamics table as the target holds it: same name, its key column(s) and the columns copied. */
export interface TableSpec {
  name: string;
  /** the primary key's column names (one on Dataverse; F&O keys are composite) */
  key: string[];
  columns: SyncColumn[];
}

/** How a table is kept up to date. */
export type SyncMethod =
  /** the service's change tracking: a full read once, then only what changed since the stored token */
  | 'changes'
  /** every row read each run: tables without change tracking (deletes are only seen this way) */
  | 'full';

/**
 * What a target keeps beside a table's rows, written in the same transaction as the batch that
 * completes a run, so the rows and the token never disagree.
 */
export interface TableState {
  table: string;
  method: SyncMethod;
  /** the change token for the next run (`changes` only) */
  token?: string;
  /** the column names the rows were copied with: a column added since makes the next run copy again */
  columns: string[];
  /** when the run that wrote this state finished (ISO text) */
  syncedAt: string;
}

export interface ChangeCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/** One batch of an incremental run: rows to write whole (created or changed) and keys to delete. */
export interface ChangeBatch {
  upserts: Record<string, unknown>[];
  deletes: string[];
}

/** The rows of a full copy, written as they arrive; nothing is visible to readers before `commit`. */
export interface CopyWriter {
  append(rows: readonly Record<string, unknown>[]): Promise<void>;
  /** replaces the table's rows by the copied ones and stores `state`, in one transaction */
  commit(state: TableState): Promise<ChangeCounts>;
  /** drops what was copied; the table keeps its last complete state */
  abort(): Promise<void>;
}

export interface SyncTarget {
  /** `analytics.duckdb (DuckDB)`, for the output */
  readonly description: string;
  /** the table's state, or undefined before its first completed run */
  readState(table: string): Promise<TableState | undefined>;
  /** starts a full copy: the table (created, or given the columns it lacks) is replaced at `commit` */
  startCopy(spec: TableSpec): Promise<CopyWriter>;
  /**
   * Applies one batch of changes in one transaction: each upsert replaces the row with its key (or adds
   * it), each delete removes the row if there is one, so a batch applied twice leaves the same rows.
   * With `state`, it is stored in the same transaction (the batch that completes the run).
   */
  applyChanges(spec: TableSpec, batch: ChangeBatch, state?: TableState): Promise<ChangeCounts>;
  close(): Promise<void>;
}
