/**
 * Positions for errors found after parsing. node-sql-parser's T-SQL ASTs carry no locations, so when
 * binding finds an unknown name, the name is looked up in the SQL text instead: the first identifier
 * token equal to it (case-insensitively; bare, `[bracketed]` or `"quoted"`), outside strings and comments.
 *   locateIdentifier('SELECT nme FROM account', 'nme') → { offset: 7, line: 1, column: 8 }
 */
import { DynasqlError, type SqlPosition } from '../errors/index.js';
import { positionAt } from './parse.js';
import { spanAt } from './quoting.js';

const WORD = /[A-Za-z0-9_@$#\u0080-\uffff]/;

export function locateIdentifier(sql: string, name: string): SqlPosition | undefined {
  const wanted = name.toLowerCase();
  let i = 0;
  while (i < sql.length) {
    const span = spanAt(sql, i, '\'"[');
    if (span) {
      // strings and comments are skipped; a quoted identifier is compared without its quotes
      const quotedIdentifier = span.kind === 'quoted' && sql[i] !== "'";
      if (quotedIdentifier && sql.slice(i + 1, span.terminated ? span.end - 1 : span.end).toLowerCase() === wanted) {
        return positionAt(sql, i);
      }
      i = span.end;
    } else if (WORD.test(sql[i]!)) {
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
