/**
 * A failed tool call as the agent sees it: a tool result with `isError`, whose text starts with the
 * stable dynasql code, then the message (with the line and column for SQL), then what to try next.
 * Never a stack trace, and everything through the redactor:
 *
 *   DYNASQL_ERR_UNKNOWN_TABLE: Unknown table 'acount'. Did you mean 'account'? (line 1, column 18)
 *   Hint: find the table with search_tables, then read its columns with describe_table.
 *
 * An error that is no DynasqlError is a defect of ours: its message is shown under
 * DYNASQL_ERR_INTERNAL, never its stack.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DynasqlError, type ErrorCode } from '../index.js';
import type { Redactor } from '../http/index.js';
import { BatchFailure } from './run-query.js';

const HINTS: Partial<Record<ErrorCode, string>> = {
  DYNASQL_ERR_UNKNOWN_TABLE: 'find the table with search_tables, then read its columns with describe_table.',
  DYNASQL_ERR_UNKNOWN_COLUMN: 'read the table\'s columns with describe_table (a lookup\'s name is in its "name" column, a choice\'s label in its "name" column).',
  DYNASQL_ERR_AMBIGUOUS_COLUMN: 'qualify the column with its table or alias (a.name).',
  DYNASQL_ERR_SYNTAX: 'the dialect is T-SQL (TOP n, ISNULL, DATEADD, square-bracket names); one statement per query, or several separated by ;.',
  DYNASQL_ERR_UNSUPPORTED_SQL: 'rewrite the statement without the construct the message names.',
  DYNASQL_ERR_GROUPING: 'every selected column must be in GROUP BY or inside an aggregate.',
  DYNASQL_ERR_READ_ONLY_CONNECTION: 'this server was started without --allow-writes: only reads run. execute with dry_run: true shows what a write would do.',
  DYNASQL_ERR_MAX_ROWS_AFFECTED: 'nothing was written. Narrow the WHERE clause, or split the change into smaller statements.',
  DYNASQL_ERR_READ_ONLY_COLUMN: 'describe_table marks the columns the service computes (read-only); leave them out.',
  DYNASQL_ERR_AGGREGATE_LIMIT: 'filter to fewer rows before aggregating.',
  DYNASQL_ERR_THROTTLED: 'the service is limiting requests: wait a little, then ask for less (TOP, a narrower WHERE).',
  DYNASQL_ERR_TIMEOUT: 'ask for less: TOP n, a narrower WHERE, or an aggregate instead of the rows.',
  DYNASQL_ERR_TRANSACTION: 'execute runs a batch all or nothing in one change set; send fewer rows, and no EXEC of actions, in it.',
  DYNASQL_ERR_ATOMIC_LIMIT: 'execute runs a batch all or nothing in one change set; send fewer rows per call.',
  DYNASQL_ERR_FORBIDDEN: 'the signed-in user lacks the privilege for this table or operation.',
  DYNASQL_ERR_AUTH: 'the server could not sign in: check the connection, not the statement.',
  DYNASQL_ERR_NOT_FOUND: 'the row or table was not found: check the key with a query first.',
  DYNASQL_ERR_PARAMETER: 'parameters are not taken by these tools: write values into the statement as literals.',
};

/**
 * The tool's failure as text: code, message, position, hint; redacted. A batch's failure names the
 * statement, after the results of the statements that ran before it.
 */
export function toolError(error: unknown, redact: Redactor): CallToolResult {
  if (error instanceof BatchFailure) {
    const text = errorText(error.cause);
    const failed = error.label ? `${error.label} failed: ${text}` : text;
    return { isError: true, content: [{ type: 'text', text: redact(error.done ? `${error.done}\n${failed}` : failed) }] };
  }
  return { isError: true, content: [{ type: 'text', text: redact(errorText(error)) }] };
}

function errorText(error: unknown): string {
  let text: string;
  if (error instanceof DynasqlError) {
    const at = error.position ? ` (line ${error.position.line}, column ${error.position.column})` : '';
    const service = error.status !== undefined || error.serviceCode ? ` [${[error.status !== undefined ? `HTTP ${error.status}` : '', error.serviceCode ? `service code ${error.serviceCode}` : ''].filter(Boolean).join(', ')}]` : '';
    const hint = HINTS[error.code];
    text = `${error.code}: ${error.message}${at}${service}${hint ? `\nHint: ${hint}` : ''}`;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    text = `DYNASQL_ERR_INTERNAL: ${message}\nHint: this is a defect of dynasql; the statement may be fine. Try it another way.`;
  }
  return text;
}
