// LocalEngine is the lazy one (lazy-engine.ts): importing this module does not load DuckDB.
export { LocalEngine } from './lazy-engine.js';
export { trimDecimal } from './decimal-text.js';
export type { LocalColumn, LocalEngineSettings, LocalInput, LocalResult, RowPages } from './engine.js';
export type { ColumnValue } from './load.js';
