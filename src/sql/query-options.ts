/**
 * T-SQL's `OPTION (…)` clause at the end of a SELECT, which node-sql-parser does not read: taken out
 * of the text before parsing (blanked, so offsets stay those of the user's text) and returned as
 * values. Only `MAXRECURSION n` (the recursion limit of recursive CTEs; 0 means none) changes what a
 * statement returns here; any other query hint is refused, naming it.
 *
 *   readQueryOptions('WITH r AS (…) SELECT n FROM r OPTION (MAXRECURSION 300)', 'tsql')
 *     → { sql: 'WITH r AS (…) SELECT n FROM r                           ', maxRecursion: 300 }
 */
import { DynasqlError } from '../errors/index.js';
import { sqlTokens, type QuotingDialect } from './quoting.js';

export interface QueryOptions {
  sql: string;
  /** `OPTION (MAXRECURSION n)`: undefined when not written */
  maxRecursion?: number;
}

/** SQL Server accepts MAXRECURSION from 0 to 32767 */
const MAX_RECURSION_LIMIT = 32767;

export function readQueryOptions(sql: string, dialect: QuotingDialect): QueryOptions {
  if (dialect !== 'tsql' || !/\bOPTION\b/i.test(sql)) return { sql };
  const tokens = sqlTokens(sql, dialect);
  let end = tokens.length;
  while (end > 0 && tokens[end - 1]!.text === ';') end--;
  // OPTION ( … ) as the statement's last clause, outside every bracket
  let open = -1;
  let depth = 0;
  for (let k = 0; k < end; k++) {
    const t = tokens[k]!;
    if (t.quoted) continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.text.toUpperCase() === 'OPTION' && tokens[k + 1]?.text === '(' && tokens[end - 1]?.text === ')') open = k;
  }
  if (open < 0) return { sql };
  const hints = splitHints(tokens.slice(open + 2, end - 1).map((t) => t.text));
  let maxRecursion: number | undefined;
  for (const hint of hints) {
    const [word, value, ...rest] = hint;
    if (word?.toUpperCase() === 'MAXRECURSION' && value !== undefined && /^\d+$/.test(value) && rest.length === 0) {
      maxRecursion = Number(value);
      if (maxRecursion > MAX_RECURSION_LIMIT) {
        throw new DynasqlError('DYNASQL_ERR_SYNTAX', `MAXRECURSION ${value} is out of range: it takes 0 (no limit) to ${MAX_RECURSION_LIMIT}`);
      }
      continue;
    }
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: the query hint ${hint.join(' ') || '(empty)'} in OPTION (only MAXRECURSION n)`, { details: { construct: 'OPTION' } });
  }
  const [from, to] = [tokens[open]!.start, tokens[end - 1]!.end];
  return { sql: sql.slice(0, from) + sql.slice(from, to).replace(/[^\n]/g, ' ') + sql.slice(to), maxRecursion };
}

/** the hints of `OPTION (a, b c)` as word lists: [['a'], ['b', 'c']] */
function splitHints(words: string[]): string[][] {
  const hints: string[][] = [[]];
  for (const w of words) {
    if (w === ',') hints.push([]);
    else hints[hints.length - 1]!.push(w);
  }
  return hints;
}
