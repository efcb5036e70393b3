/**
 * Positions for errors found after parsing. node-sql-parser's T-SQL ASTs carry no locations, so when
 * binding finds an unknown name, the name is looked up in the SQL text instead: the first identifier
 * token equal to it (case-insensitively; bare, `[bracketed]` or `"quoted"`), outside strings and comments.
 *   locateIdentifier('SELECT nme FROM account', 'nme') → { offset: 7, line: 1, column: 8 }
 */
import { DynasqlError, type SqlPosition } from '../errors/index.js';
import { positionAt } from './parse.js';

const WORD = /[A-Za-z0-9_@$#\u0080-\uffff]/;

export function locateIdentifier(sql: string, name: string): SqlPosition | undefined {
  const wanted = name.toLowerCase();
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'") {
      i = closing(sql, i, "'");
    } else if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (ch === '[' || ch === '"') {
      const end = closing(sql, i, ch === '[' ? ']' : '"');
      if (sql.slice(i + 1, end - 1).toLowerCase() === wanted) return positionAt(sql, i);
      i = end;
    } else if (WORD.test(ch)) {
      let j = i + 1;
      while (j < sql.length && WORD.test(sql[j]!)) j++;
      if (sql.slice(i, j).toLowerCase() === wanted) return positionAt(sql, i);
      i = j;
    } else {
      i++;
    }
  }
  return undefined;
}

/** the index just past the quote that closes the one at `start` (a doubled quote is an escaped one) */
function closing(sql: string, start: number, closer: string): number {
  let j = start + 1;
  while (j < sql.length) {
    if (sql[j] !== closer) j++;
    else if (closer !== ']' && sql[j + 1] === closer) j += 2;
    else return j + 1;
  }
  return sql.length;
}

const NAME_ERRORS = new Set(['DYNASQL_ERR_UNKNOWN_TABLE', 'DYNASQL_ERR_UNKNOWN_COLUMN', 'DYNASQL_ERR_UNKNOWN_PROCEDURE']);

/**
 * The same error with the position of the unknown name in `sql`, when it lacks one and names what was
 * unknown in `details.name`; any other error unchanged.
 */
export function withSqlPosition(error: unknown, sql: string): unknown {
  if (!(error instanceof DynasqlError) || error.position || !NAME_ERRORS.has(error.code)) return error;
  const name = error.details?.name;
  const position = typeof name === 'string' ? locateIdentifier(sql, name) : undefined;
  if (!position) return error;
  return new DynasqlError(error.code, error.message, {
    position,
    ...(error.details ? { details: error.details } : {}),
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.serviceCode !== undefined ? { serviceCode: error.serviceCode } : {}),
    cause: error.cause,
  });
}
