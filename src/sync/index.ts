/** `dynasql sync`: keeps copies of Dynamics tables in a DuckDB file, Parquet files or PostgreSQL (docs/sync.md). */
export { openTarget, parseTarget, describeTarget, type TargetAddress } from './open-target.js';
export { resolveTables, runSyncPass, type SyncPassOptions } from './run-sync.js';
export { syncTable, tableSpec, DEFAULT_BATCH_SIZE, type TableReport, type TableProgress } from './sync-table.js';
export type { SyncTarget, TableState, SyncMethod } from './types.js';
