/**
 * Checks at the connection's public entry points, so a wrong argument from JavaScript (no type checker)
 * or a call after `close()` is a coded DynasqlError, never a TypeError from deep inside. Messages name
 * the argument's type only: a value passed in the wrong place may be a secret.
 *
 *   checkStatementArguments(null, undefined, undefined)  // DYNASQL_ERR_SYNTAX: the statement must be a string …
 */
import { DynasqlError } from '../errors/index.js';

export function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** `query(sql, params, options)`, `stream` and `explain`: text, parameters as an object or array (or none), options as an object */
export function checkStatementArguments(sql: unknown, params: unknown, options: unknown): asserts sql is string {
  if (typeof sql !== 'string') throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The statement must be a string of SQL text (got ${describeType(sql)}).`);
  if (params !== undefined && params !== null && typeof params !== 'object') {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Statement parameters must be an object ({ name: value }) or an array ([value, …]) (got ${describeType(params)}).`);
  }
  checkOptionsObject('Statement options', options);
}

/** an options argument: absent, or a plain object */
export function checkOptionsObject(what: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `${what} must be an object (got ${describeType(options)}).`);
  }
}

/** the name of an action or a table given to `action()` / `entity()` */
export function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `${what} must be a non-empty string (got ${typeof name === 'string' ? 'an empty string' : describeType(name)}).`);
  }
}

/** `changes(table, options)`: a non-empty token, a list of column names, a positive whole page size */
export function checkChangesOptions(options: unknown): void {
  checkOptionsObject('Change options', options);
  const { since, columns, pageSize } = (options ?? {}) as Record<string, unknown>;
  if (since !== undefined && (typeof since !== 'string' || since === '')) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `since must be the token of an earlier read's end record, a non-empty string (got ${typeof since === 'string' ? 'an empty string' : describeType(since)}).`);
  }
  if (columns !== undefined && (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string' || c.trim() === ''))) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'columns must be a non-empty array of column names.');
  }
  if (pageSize !== undefined && (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1)) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `pageSize must be a positive whole number (got ${typeof pageSize === 'number' ? pageSize : describeType(pageSize)}).`);
  }
}

/** A statement, a stream or a transaction used after `close()`. */
export function closedError(cause?: unknown): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_CLOSED', 'The connection is closed: connect() again to run statements.', cause !== undefined ? { cause } : {});
}
