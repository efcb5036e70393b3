export { LocalEngine, trimDecimal, type LocalInput, type LocalResult } from './engine.js';
export type { ColumnValue } from './load.js';
