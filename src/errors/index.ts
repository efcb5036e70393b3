export { ERROR_CODES, type ErrorCode } from './codes.js';
export { DynasqlError, type DynasqlErrorOptions, type SqlPosition } from './dynasql-error.js';
export { closestName } from './did-you-mean.js';
