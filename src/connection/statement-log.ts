/**
 * What a connection writes about each statement at verbosity 1 (errors and statement summaries). The logger redacts every line (secrets by value and
 * by shape); parameter values are never written, only the statement text, clipped.
 *
 *   statementSummary('SELECT name FROM account', started, { command: 'SELECT', rows: 12 })
 *   // → 'statement SELECT 12 rows in 35 ms: SELECT name FROM account'
 */
import { DynasqlError } from '../errors/index.js';

/** enough of a statement to recognise it; a 10,000-row INSERT is not written whole */
const SQL_LOG_LIMIT = 200;

export type StatementOutcome =
  | { command: string; rows: number; stoppedEarly?: boolean }
  | { error: unknown };

export function statementSummary(sql: string, startedAt: number, outcome: StatementOutcome): string {
  const ms = Math.round(performance.now() - startedAt);
  const text = clipSql(sql);
  if ('error' in outcome) {
    const error = outcome.error;
    const code = error instanceof DynasqlError ? error.code : 'error';
    const message = error instanceof Error ? error.message : String(error);
    return `statement failed after ${ms} ms: ${code}: ${message} — ${text}`;
  }
  const rows = `${outcome.rows} row${outcome.rows === 1 ? '' : 's'}`;
  return `statement ${outcome.command} ${rows} in ${ms} ms${outcome.stoppedEarly ? ' (the caller stopped reading)' : ''}: ${text}`;
}

/**
 * The statement with its whitespace runs made one space, clipped. Only as much of the text as the clip
 * needs is flattened: a 20,000-row INSERT is ~600 KB, and flattening it whole cost a cancelled
 * write ~20 ms of CPU before it could settle.
 */
function clipSql(sql: string): string {
  let read = Math.min(sql.length, 2 * SQL_LOG_LIMIT);
  let flat = flatten(sql.slice(0, read));
  // whitespace may shrink the prefix below the limit: read more until the clip is full or the text ends
  while (flat.length <= SQL_LOG_LIMIT && read < sql.length) {
    read = Math.min(sql.length, 2 * read);
    flat = flatten(sql.slice(0, read));
  }
  if (read === sql.length) flat = flat.trimEnd();
  return flat.length > SQL_LOG_LIMIT ? `${flat.slice(0, SQL_LOG_LIMIT)} … (${sql.length} characters)` : flat;
}

const flatten = (text: string) => text.replace(/\s+/g, ' ').trimStart();
