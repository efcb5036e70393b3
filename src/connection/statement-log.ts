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

function clipSql(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > SQL_LOG_LIMIT ? `${flat.slice(0, SQL_LOG_LIMIT)} … (${flat.length} characters)` : flat;
}
