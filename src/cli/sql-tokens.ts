/**
 * A small SQL tokenizer for the command's own needs (completion context, the write guard): words,
 * quoted identifiers, strings, numbers and punctuation, with offsets and parenthesis depth.
 * Comments are skipped. Parsing proper belongs to src/sql; this only has to find keywords at the
 * top level of a statement, e.g. the `WHERE` of `DELETE FROM account WHERE name = 'a WHERE b'`.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** parenthesis nesting depth where the token sits (0 = top level) */
  depth: number;
}

const WORD_START = /[\p{L}_#]/u;
const WORD_PART = /[\p{L}\p{N}_$#]/u;

function closingIndex(sql: string, from: number, close: string): number {
  for (let i = from; i < sql.length; i++) {
    if (sql[i] === close) {
      if (sql[i + 1] === close) i++;
      else return i + 1;
    }
  }
  return sql.length;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    const push = (kind: TokenKind, end: number, d = depth) => {
      tokens.push({ kind, text: sql.slice(i, end), start: i, end, depth: d });
      i = end;
    };
    if (/\s/.test(ch)) i++;
    else if (ch === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (ch === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (ch === "'") push('string', closingIndex(sql, i + 1, "'"));
    else if ((ch === 'N' || ch === 'n' || ch === 'E' || ch === 'e') && next === "'") push('string', closingIndex(sql, i + 2, "'"));
    else if (ch === '"') push('quoted', closingIndex(sql, i + 1, '"'));
    else if (ch === '[') push('quoted', closingIndex(sql, i + 1, ']'));
    else if (ch === '(') {
      push('punct', i + 1);
      depth++;
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1);
      push('punct', i + 1);
    } else if (/[0-9]/.test(ch)) {
      let end = i + 1;
      while (end < sql.length && /[0-9.eE]/.test(sql[end]!)) end++;
      push('number', end);
    } else if ((ch === '@' || ch === '$' || ch === ':') && next !== undefined && WORD_PART.test(next)) {
      let end = i + 1;
      while (end < sql.length && WORD_PART.test(sql[end]!)) end++;
      push('param', end);
    } else if (WORD_START.test(ch)) {
      let end = i + 1;
      while (end < sql.length && WORD_PART.test(sql[end]!)) end++;
      push('word', end);
    } else push('punct', i + 1);
  }
  return tokens;
}

/** `account`, `[my table]`, `"x"` → the bare name as the catalog spells it. */
export function identifierName(token: Token): string {
  if (token.kind !== 'quoted') return token.text;
  const body = token.text.slice(1, token.text.endsWith(token.text[0] === '[' ? ']' : '"') ? -1 : undefined);
  return token.text[0] === '[' ? body.replace(/\]\]/g, ']') : body.replace(/""/g, '"');
}

export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token?.kind === 'word' && words.includes(token.text.toUpperCase());
}
