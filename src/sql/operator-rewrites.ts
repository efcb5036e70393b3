/**
 * Syntax node-sql-parser cannot read, rewritten before parsing into forms it reads with the same
 * meaning (the text holds no string literal any more: string-literals.ts ran first):
 * - PostgreSQL `$1::INTEGER` (SQLAlchemy, node-postgres): `($1)::INTEGER`; the parser reads a cast
 *   only after a parenthesised parameter.
 * - PostgreSQL `substring(x FROM 2 FOR 3)`: `substring(x , 2 , 3)`; `substring(x FOR 3)` starts at 1.
 * - `a IS [NOT] DISTINCT FROM b` (both dialects): `__DYNASQL_IS_[NOT_]DISTINCT_FROM(a, b)`, which
 *   the normaliser turns into a comparison that treats two NULLs as equal and is never NULL. Each
 *   operand runs as far as the operators that bind tighter (arithmetic, `||`, casts): `a + 1 IS
 *   DISTINCT FROM b * 2 AND c = 1` is `(a + 1) IS DISTINCT FROM (b * 2) AND c = 1`; beside a
 *   comparison, LIKE, IN, BETWEEN or another IS, where the dialects group differently, it is refused.
 * - PostgreSQL `x BETWEEN SYMMETRIC a AND b`: `x BETWEEN __DYNASQL_SYMMETRIC(a) AND b`, which the
 *   normaliser reads as `x BETWEEN a AND b OR x BETWEEN b AND a`; `BETWEEN ASYMMETRIC` is BETWEEN.
 */
import { DynasqlError } from '../errors/index.js';
import { closingParen, sqlTokens, type QuotingDialect, type SqlToken } from './quoting.js';
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
  // IS DISTINCT FROM copies its operands, which must already be rewritten: the other rewrites run
  // first, then IS DISTINCT FROM from the innermost out (one pass per level of nesting)
  let result = rewritePass(sql, dialect, false);
  for (let level = 0; level <= sql.length && /DISTINCT\s+FROM/i.test(result.sql); level++) {
    const pass = rewritePass(result.sql, dialect, true);
    if (pass.sql === result.sql) break;
    const outer = result.originalOffset;
    result = { sql: pass.sql, originalOffset: (offset) => outer(pass.originalOffset(offset)) };
  }
  return result;
}

/** the index of DISTINCT when token `k` starts `IS [NOT] DISTINCT FROM`, else -1 */
function distinctFromAt(word: (k: number) => string, k: number): number {
  if (word(k) !== 'IS') return -1;
  const d = word(k + 1) === 'NOT' ? k + 2 : k + 1;
  return word(d) === 'DISTINCT' && word(d + 1) === 'FROM' ? d : -1;
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
    } else if (distinctFrom && distinctFromAt(word, k) >= 0) {
      const d = distinctFromAt(word, k);
      const negated = d === k + 2;
      const leftStart = operandStartBefore(tokens, k - 1);
      const rightEnd = operandEndAfter(tokens, d + 2);
      if (leftStart < 0 || rightEnd < 0) {
        throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'IS [NOT] DISTINCT FROM beside a comparison, LIKE, IN, BETWEEN or another IS is ambiguous: add parentheses');
      }
      // an operand holding another IS DISTINCT FROM (in a CASE, a subquery, brackets) waits for the
      // next pass, when that one is a function call; the inner ones on its right come first
      let nested = false;
      for (let j = leftStart; j <= rightEnd && !nested; j++) nested = j !== k && distinctFromAt(word, j) >= 0;
      if (nested) continue;
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

/** index of the `)` closing the `(` at `open`, or the last token when it never closes */
function matching(tokens: SqlToken[], open: number): number {
  const close = closingParen(tokens, open);
  return close < 0 ? tokens.length - 1 : close;
}

const isAtom = (t: SqlToken | undefined) => !!t && (t.quoted || /^[\w@$#]/.test(t.text) || t.text === '?');

/** operators that bind tighter than IS [NOT] DISTINCT FROM in both dialects: the operand takes them in */
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '&', '|', '^']);
/** words that are no operand (an atom that is one of these ends the operand) */
const KEYWORDS = /^(?:AND|OR|NOT|WHERE|ON|WHEN|THEN|ELSE|END|HAVING|SELECT|IN|IS|LIKE|ILIKE|BETWEEN|ESCAPE|CASE|FROM|DISTINCT|ORDER|GROUP|BY|UNION|EXCEPT|INTERSECT|LIMIT|OFFSET|FETCH|AS|JOIN|COLLATE|SET|VALUES|RETURNING)$/i;
/** what may stand right before the left operand: the start, a bracket, a comma or a word of lower precedence */
const BEFORE = /^(?:\(|,|AND|OR|NOT|WHERE|ON|WHEN|THEN|ELSE|HAVING|SELECT|RETURN)$/i;
/** what may stand right after the right operand (any other word or operator would regroup it) */
const AFTER_REFUSED = /^(?:IS|LIKE|ILIKE|IN|BETWEEN|NOT|ESCAPE|COLLATE|=|<|>|!|~|\[)$/i;

const isValueWord = (t: SqlToken | undefined) => isAtom(t) && (t!.quoted || !KEYWORDS.test(t!.text));

/** the token a `(…)` or `CASE … END` ending at `k` starts at, or -1 */
function unitStart(tokens: SqlToken[], k: number): number {
  const t = tokens[k];
  if (!t) return -1;
  if (!t.quoted && t.text === ')') {
    let depth = 0;
    for (let j = k; j >= 0; j--) {
      if (tokens[j]!.quoted) continue;
      if (tokens[j]!.text === ')') depth++;
      else if (tokens[j]!.text === '(' && --depth === 0) {
        // a call: `f(…)`, `a.f(…)`
        let start = j;
        if (isValueWord(tokens[j - 1])) start = j - 1;
        return start;
      }
    }
    return -1;
  }
  if (!t.quoted && /^END$/i.test(t.text)) {
    let depth = 0;
    for (let j = k; j >= 0; j--) {
      if (tokens[j]!.quoted) continue;
      if (/^END$/i.test(tokens[j]!.text)) depth++;
      else if (/^CASE$/i.test(tokens[j]!.text) && --depth === 0) return j;
    }
    return -1;
  }
  return isValueWord(t) ? k : -1;
}

/**
 * The first token of the left operand ending at token `k`: atoms, calls, brackets, CASE … END, casts
 * (`x::int`) and arithmetic between them (`revenue + 1`, `-a * b`), which bind tighter than
 * IS DISTINCT FROM; -1 when what stands before the operand would regroup it (a comparison, LIKE, …).
 */
function operandStartBefore(tokens: SqlToken[], k: number): number {
  let j = k;
  for (;;) {
    let start = unitStart(tokens, j);
    if (start < 0) return -1;
    while (tokens[start - 1]?.text === '.' && isValueWord(tokens[start - 2])) start -= 2;
    // `x::int IS …`: the operand is what is cast
    if (tokens[start - 1]?.text === ':' && tokens[start - 2]?.text === ':') {
      j = start - 3;
      continue;
    }
    const before = tokens[start - 1];
    if (before && !before.quoted && ARITHMETIC.has(before.text)) {
      // `a || b`: two tokens
      const operator = before.text === '|' && tokens[start - 2]?.text === '|' ? start - 2 : start - 1;
      const previous = tokens[operator - 1];
      const binary = previous && (previous.quoted || previous.text === ')' || isValueWord(previous) || /^END$/i.test(previous.text));
      if (binary) {
        j = operator - 1;
        continue;
      }
      // a sign: `-x IS …`
      if (before.text === '-' || before.text === '+') start -= 1;
    }
    const first = tokens[start - 1];
    if (first && !first.quoted && !BEFORE.test(first.text)) return -1;
    if (first && /^AND$/i.test(first.text) && betweenOpen(tokens, start - 1)) return -1;
    return start;
  }
}

/** whether the AND at `k` is BETWEEN's (`x BETWEEN 1 AND a IS DISTINCT FROM b` would regroup) */
function betweenOpen(tokens: SqlToken[], k: number): boolean {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.quoted) continue;
    if (t.text === ')') depth++;
    else if (t.text === '(') {
      if (depth === 0) return false;
      depth--;
    } else if (depth === 0 && /^(?:AND|OR|WHERE|ON|WHEN|HAVING)$/i.test(t.text)) return false;
    else if (depth === 0 && /^BETWEEN$/i.test(t.text)) return true;
  }
  return false;
}

/** the last token of the right operand starting at token `k` (as operandStartBefore, forwards), or -1 */
function operandEndAfter(tokens: SqlToken[], k: number): number {
  let j = k;
  for (;;) {
    if (tokens[j]?.text === '-' || tokens[j]?.text === '+') j++;
    const t = tokens[j];
    if (!t) return -1;
    if (!t.quoted && t.text === '(') j = matching(tokens, j);
    else if (!t.quoted && /^CASE$/i.test(t.text)) j = caseEnd(tokens, j);
    else if (isValueWord(t)) {
      while (tokens[j + 1]?.text === '.' && isValueWord(tokens[j + 2])) j += 2;
      if (tokens[j + 1]?.text === '(') j = matching(tokens, j + 1);
    } else return -1;
    if (j < 0) return -1;
    // `… FROM $1::uuid`: casts bind tighter than IS
    while (tokens[j + 1]?.text === ':' && tokens[j + 2]?.text === ':' && isAtom(tokens[j + 3])) {
      j += 3;
      if (tokens[j + 1]?.text === '(') j = matching(tokens, j + 1);
    }
    const next = tokens[j + 1];
    if (next && !next.quoted && ARITHMETIC.has(next.text) && next.text !== '|') {
      j += 2;
      continue;
    }
    if (next?.text === '|' && tokens[j + 2]?.text === '|') {
      j += 3;
      continue;
    }
    if (next && !next.quoted && AFTER_REFUSED.test(next.text)) return -1;
    return j;
  }
}

/** index of the END closing the CASE at `k`, or -1 */
function caseEnd(tokens: SqlToken[], k: number): number {
  let depth = 0;
  for (let j = k; j < tokens.length; j++) {
    if (tokens[j]!.quoted) continue;
    if (/^CASE$/i.test(tokens[j]!.text)) depth++;
    else if (/^END$/i.test(tokens[j]!.text) && --depth === 0) return j;
  }
  return -1;
}
