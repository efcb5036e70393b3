export { DEFAULT_LOCAL_MEMORY_LIMIT, LocalEngine, trimDecimal, type LocalColumn, type LocalEngineSettings, type LocalInput, type LocalResult, type RowPages } from './engine.js';
export type { ColumnValue } from './load.js';
