/**
 * Syntax node-sql-parser cannot read, rewritten before parsing into forms it reads with the same
 * meaning (the text holds no string literal any more: string-literals.ts ran first):
 * - PostgreSQL `$1::INTEGER` (SQLAlchemy, node-postgres): `($1)::INTEGER`; the parser reads a cast
 *   only after a parenthesised parameter.
 * - PostgreSQL `substring(x FROM 2 FOR 3)`: `substring(x , 2 , 3)`; `substring(x FOR 3)` starts at 1.
 * - `a IS [NOT] DISTINCT FROM b` (both dialects): `__DYNASQL_IS_[NOT_]DISTINCT_FROM(a, b)`, which
 *   the normaliser turns into a comparison that treats two NULLs as equal and is never NULL. Only
 *   between simple operands (a name, parameter, literal, call or parenthesised expression) with no
 *   operator right beside them, so precedence cannot change the meaning; otherwise it is refused.
 * - PostgreSQL `x BETWEEN SYMMETRIC a AND b`: `x BETWEEN __DYNASQL_SYMMETRIC(a) AND b`, which the
 *   normaliser reads as `x BETWEEN a AND b OR x BETWEEN b AND a`; `BETWEEN ASYMMETRIC` is BETWEEN.
 */
import { DynasqlError } from '../errors/index.js';
import { sqlTokens, type QuotingDialect, type SqlToken } from './quoting.js';
import { applyEdits, type TextEdit } from './text-edits.js';

export const DISTINCT_FROM_FUNCTION = '__DYNASQL_IS_DISTINCT_FROM';
export const NOT_DISTINCT_FROM_FUNCTION = '__DYNASQL_IS_NOT_DISTINCT_FROM';
export const SYMMETRIC_FUNCTION = '__DYNASQL_SYMMETRIC';

export interface OperatorRewrite {
  sql: string;
  originalOffset(offset: number): number;
}


export function rewriteOperators(sql: string, dialect: QuotingDialect): OperatorRewrite {
  if (/__DYNASQL_(IS_|SYMMETRIC)/i.test(sql)) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'Names starting with __DYNASQL_IS_ or __DYNASQL_SYMMETRIC are reserved by dynasql');
  // two passes: IS DISTINCT FROM copies its operands, which must already be rewritten
  const first = rewritePass(sql, dialect, false);
  const second = rewritePass(first.sql, dialect, true);
  return { sql: second.sql, originalOffset: (offset) => first.originalOffset(second.originalOffset(offset)) };
}

function rewritePass(sql: string, dialect: QuotingDialect, distinctPass: boolean): OperatorRewrite {
  const identity = { sql, originalOffset: (offset: number) => offset };
  const castParam = !distinctPass && dialect === 'postgresql' && /\$\d+\s*::/.test(sql);
  const substring = !distinctPass && dialect === 'postgresql' && /substring/i.test(sql);
  const distinctFrom = distinctPass && /DISTINCT\s+FROM/i.test(sql);
  const symmetric = !distinctPass && dialect === 'postgresql' && /BETWEEN\s+(A?SYMMETRIC)/i.test(sql);
  if (!castParam && !substring && !distinctFrom && !symmetric) return identity;
  const tokens = sqlTokens(sql, dialect);
  const word = (k: number) => (tokens[k] && !tokens[k]!.quoted ? tokens[k]!.text.toUpperCase() : '');
  const edits: TextEdit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (castParam && /^\$\d+$/.test(t.text) && tokens[k + 1]?.text === ':' && tokens[k + 2]?.text === ':') {
      edits.push({ start: t.start, end: t.end, text: `(${t.text})` });
    } else if (substring && word(k) === 'SUBSTRING' && tokens[k + 1]?.text === '(') {
      const close = matching(tokens, k + 1);
      let depth = 0;
      for (let j = k + 2; j < close; j++) {
        const text = tokens[j]!.text;
        if (text === '(') depth++;
        else if (text === ')') depth--;
        else if (depth === 0 && word(j) === 'FROM') edits.push({ start: tokens[j]!.start, end: tokens[j]!.end, text: ',' });
        else if (depth === 0 && word(j) === 'FOR') {
          const hasFrom = tokens.slice(k + 2, j).some((_, i) => word(k + 2 + i) === 'FROM');
          edits.push({ start: tokens[j]!.start, end: tokens[j]!.end, text: hasFrom ? ',' : ', 1,' });
        }
      }
    } else if (symmetric && word(k) === 'BETWEEN' && (word(k + 1) === 'SYMMETRIC' || word(k + 1) === 'ASYMMETRIC')) {
      if (word(k + 1) === 'ASYMMETRIC') {
        edits.push({ start: tokens[k + 1]!.start, end: tokens[k + 1]!.end, text: '' });
        continue;
      }
      const and = topLevelAnd(tokens, k + 2, word);
      if (and < 0) continue; // the parser reports the missing AND
      edits.push({ start: tokens[k + 1]!.start, end: tokens[k + 1]!.end, text: `${SYMMETRIC_FUNCTION}(` });
      edits.push({ start: tokens[and]!.start, end: tokens[and]!.start, text: ') ' });
    } else if (distinctFrom && word(k) === 'IS') {
      const negated = word(k + 1) === 'NOT';
      const d = negated ? k + 2 : k + 1;
      if (word(d) !== 'DISTINCT' || word(d + 1) !== 'FROM') continue;
      const leftStart = operandStartBefore(tokens, k - 1);
      const rightEnd = operandEndAfter(tokens, d + 2);
      const before = tokens[leftStart - 1];
      const after = tokens[rightEnd + 1];
      if (leftStart < 0 || rightEnd < 0 || !quietNeighbour(before) || !quietNeighbour(after)) {
        throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'IS [NOT] DISTINCT FROM is supported between a column, parameter, literal, call or parenthesised expression, with no operator beside it: add parentheses');
      }
      const left = sql.slice(tokens[leftStart]!.start, tokens[k - 1]!.end);
      const right = sql.slice(tokens[d + 2]!.start, tokens[rightEnd]!.end);
      edits.push({ start: tokens[leftStart]!.start, end: tokens[rightEnd]!.end, text: `${negated ? NOT_DISTINCT_FROM_FUNCTION : DISTINCT_FROM_FUNCTION}(${left}, ${right})` });
      k = rightEnd;
    }
  }
  if (edits.length === 0) return identity;
  edits.sort((a, b) => a.start - b.start);
  return applyEdits(sql, edits);
}

/** the first `AND` at the bracket depth of token `from`, or -1 */
function topLevelAnd(tokens: SqlToken[], from: number, word: (k: number) => string): number {
  let depth = 0;
  for (let j = from; j < tokens.length; j++) {
    const text = tokens[j]!.text;
    if (text === '(') depth++;
    else if (text === ')' && --depth < 0) return -1;
    else if (depth === 0 && word(j) === 'AND') return j;
  }
  return -1;
}

/** index of the `)` closing the `(` at `open`, or the last token */
function matching(tokens: SqlToken[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j]!.text === '(') depth++;
    else if (tokens[j]!.text === ')' && --depth === 0) return j;
  }
  return tokens.length - 1;
}

const isAtom = (t: SqlToken | undefined) => !!t && (t.quoted || /^[\w@$#]/.test(t.text) || t.text === '?');

/** the first token of the simple operand ending at token `k` (`a.b`, `f(x)`, `(…)`, `@p`, `'x'`), or -1 */
function operandStartBefore(tokens: SqlToken[], k: number): number {
  let j = k;
  if (tokens[j]?.text === ')') {
    let depth = 0;
    for (; j >= 0; j--) {
      if (tokens[j]!.text === ')') depth++;
      else if (tokens[j]!.text === '(' && --depth === 0) break;
    }
    if (j < 0) return -1;
    if (isAtom(tokens[j - 1]) && !/^(?:AND|OR|NOT|WHERE|ON|WHEN|THEN|ELSE|HAVING|SELECT|IN)$/i.test(tokens[j - 1]!.text)) j--;
  } else if (!isAtom(tokens[j])) {
    return -1;
  }
  while (tokens[j - 1]?.text === '.' && isAtom(tokens[j - 2])) j -= 2;
  // `x::int IS …`: a cast binds tighter than IS, so the operand is what is cast
  if (tokens[j - 1]?.text === ':' && tokens[j - 2]?.text === ':') return operandStartBefore(tokens, j - 3);
  return j;
}

/** the last token of the simple operand starting at token `k`, or -1 */
function operandEndAfter(tokens: SqlToken[], k: number): number {
  let j = k;
  if (tokens[j]?.text === '-' && /^\d/.test(tokens[j + 1]?.text ?? '')) j++;
  if (tokens[j]?.text === '(') j = matching(tokens, j);
  else if (!isAtom(tokens[j])) return -1;
  else {
    while (tokens[j + 1]?.text === '.' && isAtom(tokens[j + 2])) j += 2;
    if (tokens[j + 1]?.text === '(') j = matching(tokens, j + 1);
  }
  // `… FROM $1::uuid`: casts bind tighter than IS
  while (tokens[j + 1]?.text === ':' && tokens[j + 2]?.text === ':' && isAtom(tokens[j + 3])) {
    j += 3;
    if (tokens[j + 1]?.text === '(') j = matching(tokens, j + 1);
  }
  return j;
}

/** nothing, a bracket, a comma, a semicolon or a word (AND, THEN, …) may stand beside the rewritten call; an operator may not */
function quietNeighbour(t: SqlToken | undefined): boolean {
  return !t || t.quoted || ['(', ')', ',', ';'].includes(t.text) || /^[A-Za-z_]/.test(t.text);
}
