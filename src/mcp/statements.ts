/**
 * The statements of a tool call's SQL: split at `;` and `GO` lines as the command's scripts are
 * (cli/split-statements.ts), and each sorted by what it does, from its top-level words:
 *
 *   SELECT … / WITH c AS (…) SELECT …      → 'read'   (streamed: only the rows shown are read)
 *   UPDATE … / WITH c AS (…) DELETE … / EXEC → 'write'  (answered whole, with its rows affected)
 *   BEGIN TRAN / COMMIT / ROLLBACK / …      → 'transaction' (refused: each tool call stands alone)
 *
 * The sorting only chooses how a statement is run and reported; whether it may write is decided
 * by the connection (QueryOptions.readOnly refuses every write, actions included).
 */
import { DynasqlError } from '../index.js';
import { scriptStatements, type SqlStatement } from '../cli/split-statements.js';
import { isWord, tokenize } from '../cli/sql-tokens.js';

export type StatementKind = 'read' | 'write' | 'transaction';

export interface ToolStatement extends SqlStatement {
  kind: StatementKind;
}

const TRANSACTION_WORDS = ['BEGIN', 'COMMIT', 'ROLLBACK', 'SAVE', 'SAVEPOINT', 'RELEASE', 'START', 'END', 'ABORT'];
const WRITE_WORDS = ['INSERT', 'UPDATE', 'DELETE', 'UPSERT', 'MERGE', 'EXEC', 'EXECUTE', 'CALL'];

export function statementKind(sql: string): StatementKind {
  const tokens = tokenize(sql);
  if (isWord(tokens[0], ...TRANSACTION_WORDS)) return 'transaction';
  return tokens.some((t) => t.depth === 0 && isWord(t, ...WRITE_WORDS)) ? 'write' : 'read';
}

/** the statements of `sql`; none, or a transaction-control one, is refused with the reason */
export function toolStatements(sql: string): ToolStatement[] {
  const statements = scriptStatements(sql).map((s) => ({ ...s, kind: statementKind(s.sql) }));
  if (statements.length === 0) throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'No SQL statement given.');
  const control = statements.find((s) => s.kind === 'transaction');
  if (control) {
    throw new DynasqlError(
      'DYNASQL_ERR_UNSUPPORTED_SQL',
      `Transaction statements (${control.sql.split(/\s/)[0]!.toUpperCase()}) are not run by these tools: each call stands alone, and execute already runs its whole batch all or nothing.`,
    );
  }
  return statements;
}
