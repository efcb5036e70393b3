export type { WriteOperation, WriteKind, InputValue, ResolvedColumn, ChoiceLabels, WriteContext } from './types.js';
export { resolveWriteTable, resolveWriteColumns, findColumn, checkRequiredColumns, type WriteMode } from './columns.js';
export { jsonValue } from './values.js';
export { recordUrl } from './key-url.js';
export { createOperation, updateOperation, upsertOperation, deleteOperation, upsertKey, rowBody, jsonObject } from './lower.js';
export { constantInput, uniqueByKey, positional } from './where-keys.js';
export { summarize, type Outcome, type WriteFailure, type WriteSummary } from './outcome.js';
export { returningColumns, returnedColumnType, returnedRow, type ReturnedColumn } from './returning.js';
export { resolveUpdateTarget, type UpdateTarget } from './update-target.js';
