/**
 * T-SQL forms node-sql-parser's T-SQL grammar cannot read, written before parsing as calls of
 * reserved `__DYNASQL_` functions the parser reads like any other call; the normaliser turns each
 * back into what was written (the text holds no string literal any more: string-literals.ts ran first).
 * - `TRY_CAST(x AS int)` → `__DYNASQL_TRY(CAST(x AS int))`, `TRY_CONVERT(int, x)` →
 *   `__DYNASQL_TRY(CONVERT(int, x))`: a cast that gives NULL where the conversion fails.
 * - `a LIKE p ESCAPE '!'` → `a LIKE __DYNASQL_ESCAPE((p), '!')`: the pattern with its escape character.
 * - `STRING_AGG(x, ', ') WITHIN GROUP (ORDER BY y)` → `__DYNASQL_STRING_AGG(x, ', ') WITHIN GROUP (…)`:
 *   the parser reads WITHIN GROUP after a plain call, not after its STRING_AGG aggregate.
 * - `COUNT_BIG(*)` → `__DYNASQL_COUNT_BIG_STAR()`: the parser allows `*` in COUNT only.
 * - PostgreSQL `CUME_DIST() OVER (…)` / `PERCENT_RANK() OVER (…)` → `NTILE(__DYNASQL_WINDOW_CUME_DIST) OVER (…)`:
 *   the PostgreSQL grammar knows neither name and reads OVER after a few named calls only, NTILE one of
 *   them; the normaliser reads the function's name from the marker column (the T-SQL grammar reads
 *   both as written).
 * A statement that already holds one of these names is refused, so a user's name is never taken for one.
 *
 *   rewriteMarkerCalls("SELECT TRY_CAST(a AS int) FROM t WHERE b LIKE 'x!%' ESCAPE '!'", 'tsql').sql
 *     → "SELECT __DYNASQL_TRY(CAST(a AS int)) FROM t WHERE b LIKE __DYNASQL_ESCAPE(('x!%'), '!')"
 */
import { DynasqlError } from '../errors/index.js';
import { closingParen, sqlTokens, type QuotingDialect, type SqlToken } from './quoting.js';
import { applyEdits, type EditedText, type TextEdit } from './text-edits.js';

export const TRY_FUNCTION = '__DYNASQL_TRY';
export const ESCAPE_FUNCTION = '__DYNASQL_ESCAPE';
export const ORDERED_STRING_AGG_FUNCTION = '__DYNASQL_STRING_AGG';
export const COUNT_BIG_STAR_FUNCTION = '__DYNASQL_COUNT_BIG_STAR';

/** the prefix of the marker column naming a PostgreSQL window function the parser cannot read (`NTILE(__DYNASQL_WINDOW_CUME_DIST)`) */
export const ARGUMENTLESS_WINDOW_PREFIX = '__DYNASQL_WINDOW_';
const ARGUMENTLESS_WINDOW_FUNCTIONS = new Set(['CUME_DIST', 'PERCENT_RANK']);

const RESERVED = [TRY_FUNCTION, ESCAPE_FUNCTION, ORDERED_STRING_AGG_FUNCTION, COUNT_BIG_STAR_FUNCTION, ARGUMENTLESS_WINDOW_PREFIX];

export function rewriteMarkerCalls(sql: string, dialect: QuotingDialect): EditedText {
  const identity = { sql, originalOffset: (offset: number) => offset };
  const pattern = dialect === 'tsql' ? /\b(?:TRY_CAST|TRY_CONVERT|ESCAPE|WITHIN|COUNT_BIG)\b/i : /\b(?:CUME_DIST|PERCENT_RANK)\b/i;
  if (!pattern.test(sql)) return identity;
  const upper = sql.toUpperCase();
  const taken = RESERVED.find((name) => upper.includes(name));
  if (taken) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `The name ${taken} is reserved by dynasql`);
  if (dialect !== 'tsql') return pass(sql, dialect, 'window');
  // two passes: a LIKE pattern is copied whole, so a TRY_CAST inside it is rewritten in the second
  const first = pass(sql, dialect, 'escape');
  const second = pass(first.sql, dialect, 'try');
  return { sql: second.sql, originalOffset: (offset) => first.originalOffset(second.originalOffset(offset)) };
}

function pass(sql: string, dialect: QuotingDialect, which: 'escape' | 'try' | 'window'): EditedText {
  const tokens = sqlTokens(sql, dialect);
  const word = (k: number) => (tokens[k] && !tokens[k]!.quoted ? tokens[k]!.text.toUpperCase() : '');
  const edits: TextEdit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const w = word(k);
    if (tokens[k - 1]?.text === '.') continue;
    if (which === 'window' && ARGUMENTLESS_WINDOW_FUNCTIONS.has(w) && tokens[k + 1]?.text === '(' && tokens[k + 2]?.text === ')' && word(k + 3) === 'OVER') {
      edits.push({ start: tokens[k]!.start, end: tokens[k + 2]!.end, text: `NTILE(${ARGUMENTLESS_WINDOW_PREFIX}${w})` });
      k += 2;
    } else if (which === 'try' && (w === 'TRY_CAST' || w === 'TRY_CONVERT') && tokens[k + 1]?.text === '(') {
      const close = closingParen(tokens, k + 1);
      if (close < 0) continue;
      edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: `${TRY_FUNCTION}(${w.slice(4)}` });
      edits.push({ start: tokens[close]!.end, end: tokens[close]!.end, text: ')' });
    } else if (which === 'try' && w === 'COUNT_BIG' && tokens[k + 1]?.text === '(' && tokens[k + 2]?.text === '*' && tokens[k + 3]?.text === ')') {
      edits.push({ start: tokens[k]!.start, end: tokens[k + 3]!.end, text: `${COUNT_BIG_STAR_FUNCTION}()` });
      k += 3;
    } else if (which === 'escape' && w === 'STRING_AGG' && tokens[k + 1]?.text === '(') {
      const close = closingParen(tokens, k + 1);
      if (close >= 0 && word(close + 1) === 'WITHIN' && word(close + 2) === 'GROUP') {
        edits.push({ start: tokens[k]!.start, end: tokens[k]!.end, text: ORDERED_STRING_AGG_FUNCTION });
      }
    } else if (which === 'escape' && w === 'ESCAPE') {
      const like = likeBefore(tokens, k);
      const escapeEnd = tokens[k + 1]?.text === '(' ? closingParen(tokens, k + 1) : k + 1;
      if (like < 0 || like + 1 >= k || escapeEnd < 0 || escapeEnd >= tokens.length) continue;
      const pattern = sql.slice(tokens[like + 1]!.start, tokens[k - 1]!.end);
      const escape = sql.slice(tokens[k + 1]!.start, tokens[escapeEnd]!.end);
      edits.push({ start: tokens[like + 1]!.start, end: tokens[escapeEnd]!.end, text: `${ESCAPE_FUNCTION}((${pattern}), ${escape})` });
      k = escapeEnd;
    }
  }
  if (edits.length === 0) return { sql, originalOffset: (offset: number) => offset };
  edits.sort((a, b) => a.start - b.start);
  return applyEdits(sql, edits);
}

/** the LIKE (at the same bracket depth) whose pattern the ESCAPE at `k` ends, or -1 */
function likeBefore(tokens: SqlToken[], k: number): number {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.quoted) continue;
    if (t.text === ')') depth++;
    else if (t.text === '(') {
      if (depth === 0) return -1;
      depth--;
    } else if (depth === 0 && t.text.toUpperCase() === 'LIKE') return j;
    else if (depth === 0 && /^(?:AND|OR|WHERE|ON|WHEN|THEN|ELSE|HAVING|SELECT|,)$/i.test(t.text)) return -1;
  }
  return -1;
}
