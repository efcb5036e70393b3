/**
 * Syntax errors that name what the user wrote and where. node-sql-parser's errors point at one
 * character (`unexpected 'B'` for `… WHERE revenue > ORDER BY name`, where it took ORDER for a
 * column name), and its T-SQL grammar reads a misspelt keyword as something else entirely
 * (`SELEC name FROM account` became two variable assignments). Here the error names the whole
 * token, blames a clause keyword the parser swallowed as a name, and checks the first word.
 *
 *   syntaxError(e, 'SELECT name FROM account WHERE revenue > ORDER BY name', id).message
 *     → "Syntax error at line 1, column 42: unexpected 'ORDER'"
 */
import { DynasqlError } from '../errors/index.js';
import { positionAt } from './position.js';
import { sqlTokens, type QuotingDialect } from './quoting.js';
import { REFUSED_STATEMENT_WORDS, statementRefusal } from './statement-forms.js';

/** clause keywords the parser may take for a name, and then fails on the word after */
const CLAUSE_WORDS = new Set(['SELECT', 'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'UNION', 'EXCEPT', 'INTERSECT', 'LIMIT', 'OFFSET', 'FETCH', 'JOIN', 'ON', 'INTO', 'VALUES', 'SET']);

/** the words a statement may start with */
const STATEMENT_WORDS = ['SELECT', 'WITH', 'INSERT', 'UPSERT', 'UPDATE', 'DELETE', 'EXEC', 'EXECUTE', 'CALL', 'EXPLAIN', 'BEGIN', 'COMMIT', 'ROLLBACK', 'VALUES'];

/** pegjs errors carry `location.start`; the error is made from that offset in the user's text */
export function syntaxError(error: unknown, sql: string, toUserOffset: (offset: number) => number, dialect: QuotingDialect = 'tsql'): DynasqlError {
  const e = error as { message?: string; location?: { start?: { offset: number } }; found?: string | null };
  if (typeof e?.location?.start?.offset !== 'number') {
    return new DynasqlError('DYNASQL_ERR_SYNTAX', `Syntax error: ${String(e?.message ?? error)}`, { cause: error });
  }
  const offset = Math.min(sql.length, toUserOffset(e.location.start.offset));
  const tokens = sqlTokens(sql, dialect);
  let at = tokens.findIndex((t) => t.end > offset);
  if (at >= 0 && tokens[at]!.start > offset && at > 0 && offset < tokens[at - 1]!.end) at--;
  const previous = at > 0 ? tokens[at - 1] : undefined;
  // `revenue > ORDER BY name`: the parser read ORDER as a name and failed at BY; ORDER is what is wrong
  const previousWord = previous?.text.toUpperCase() ?? '';
  const blamed = at < 0 ? undefined
    : (CLAUSE_WORDS.has(previousWord) || previousWord === 'BY') && !CLAUSE_WORDS.has(tokens[at]!.text.toUpperCase()) ? previous : tokens[at];
  const position = positionAt(sql, blamed ? blamed.start : offset);
  const near = blamed ? `'${blamed.text.length > 40 ? `${blamed.text.slice(0, 40)}…` : blamed.text}'` : 'end of input';
  return new DynasqlError('DYNASQL_ERR_SYNTAX', `Syntax error at line ${position.line}, column ${position.column}: unexpected ${near}`, { position, cause: error });
}

/**
 * When the first word is not one a statement starts with (`SELEC name FROM account`), the error for
 * it, with the keyword it was probably meant to be; undefined when the first word is fine.
 */
export function leadingWordError(sql: string, dialect: QuotingDialect = 'tsql'): DynasqlError | undefined {
  const first = sqlTokens(sql, dialect)[0];
  if (!first || first.text === '(' || STATEMENT_WORDS.includes(first.text.toUpperCase())) return undefined;
  const position = positionAt(sql, first.start);
  const word = first.text.toUpperCase();
  if (REFUSED_STATEMENT_WORDS.has(word)) return new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${statementRefusal(word)}`, { position });
  const guess = STATEMENT_WORDS.find((w) => editDistance(w, first.text.toUpperCase()) <= 2);
  const hint = guess ? `; did you mean ${guess}?` : `; a statement starts with ${STATEMENT_WORDS.slice(0, 4).join(', ')}, …`;
  return new DynasqlError('DYNASQL_ERR_SYNTAX', `Syntax error at line ${position.line}, column ${position.column}: unexpected '${first.text}'${hint}`, { position });
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
