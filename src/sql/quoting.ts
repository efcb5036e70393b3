/**
 * The one scanner for the spans of SQL text that hold no SQL: quoted text (a doubled closing quote is an
 * escaped one, `[a]]b]` included) and comments. Callers that rewrite or search the text (`?`
 * placeholders, write keywords, unknown names) step over these spans so user data never matches.
 *   spanAt("'it''s' x", 0, "'") → { end: 7, kind: 'quoted', terminated: true }
 */
const CLOSERS: Record<string, string> = { "'": "'", '"': '"', '[': ']', '`': '`' };

export interface TextSpan {
  /** index just past the span (the text's length when it never closes) */
  end: number;
  kind: 'quoted' | 'comment';
  terminated: boolean;
}

/** the quoted text or comment starting at `i`, or undefined; `quotes` lists the opening quotes that count */
export function spanAt(sql: string, i: number, quotes: string): TextSpan | undefined {
  const ch = sql[i]!;
  const closer = quotes.includes(ch) ? CLOSERS[ch] : undefined;
  if (closer) {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] !== closer) j++;
      else if (sql[j + 1] === closer) j += 2;
      else return { end: j + 1, kind: 'quoted', terminated: true };
    }
    return { end: sql.length, kind: 'quoted', terminated: false };
  }
  if (ch === '-' && sql[i + 1] === '-') {
    const nl = sql.indexOf('\n', i);
    return { end: nl < 0 ? sql.length : nl, kind: 'comment', terminated: true };
  }
  if (ch === '/' && sql[i + 1] === '*') {
    const close = sql.indexOf('*/', i + 2);
    return { end: close < 0 ? sql.length : close + 2, kind: 'comment', terminated: close >= 0 };
  }
  return undefined;
}

/**
 * A string literal or quoted identifier as the dialect defines it, read from the source text: this is
 * where literal values come from, never from node-sql-parser (which reads backslash escapes in every
 * string, so `N'\'' OR 1=1 --'` would end after `\'`). The forms:
 * - both dialects: `'it''s'` (a doubled quote is one quote; a backslash is a backslash), `"quoted ""id"""`
 * - T-SQL: `N'…'`, `[bracketed]]id]` (a doubled `]` is one `]`)
 * - PostgreSQL: `N'…'`, `E'…'` (backslash escapes), `U&'…'` (`\0061`, `\+000061`), `$$…$$` and `$tag$…$tag$`
 *   (verbatim); `B'…'` / `X'…'` bit strings are marked `binary`.
 *   quotedTokenAt("E'a\\nb' x", 0, 'postgresql') → { kind: 'string', value: 'a\nb', start: 0, end: 7 }
 */
export type QuotingDialect = 'tsql' | 'postgresql';

export interface QuotedToken {
  kind: 'string' | 'identifier' | 'binary';
  /** the decoded value (for a string) or name (for an identifier) */
  value: string;
  start: number;
  /** index just past the closing quote */
  end: number;
}

/** thrown as a plain error with an offset; the caller turns it into a coded SQL error with a position */
export class QuotingError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** the quoted token starting at `i` (where a token may start), or undefined; comments are not tokens here (see spanAt) */
export function quotedTokenAt(sql: string, i: number, dialect: QuotingDialect): QuotedToken | undefined {
  const c = sql[i];
  if (c === "'") return doubledQuote(sql, i, i, "'", 'string');
  if (c === '"') return doubledQuote(sql, i, i, '"', 'identifier');
  if (dialect === 'tsql') {
    if (c === '[') return doubledQuote(sql, i, i, ']', 'identifier');
    if ((c === 'N' || c === 'n') && sql[i + 1] === "'") return doubledQuote(sql, i, i + 1, "'", 'string');
    return undefined;
  }
  const next = sql[i + 1];
  if ((c === 'N' || c === 'n') && next === "'") return doubledQuote(sql, i, i + 1, "'", 'string');
  if ((c === 'E' || c === 'e') && next === "'") return escapeString(sql, i);
  if ((c === 'U' || c === 'u') && next === '&' && sql[i + 2] === "'") return unicodeString(sql, i);
  if ((c === 'B' || c === 'b' || c === 'X' || c === 'x') && next === "'") {
    const token = doubledQuote(sql, i, i + 1, "'", 'string');
    return { ...token, kind: 'binary' };
  }
  if (c === '$') return dollarQuoted(sql, i);
  return undefined;
}

/** `'…'` / `"…"` / `[…]` from `open` (the quote) to its closer; a doubled closer stands for itself */
function doubledQuote(sql: string, start: number, open: number, closer: string, kind: 'string' | 'identifier'): QuotedToken {
  let value = '';
  let from = open + 1;
  let j = from;
  for (;;) {
    const at = sql.indexOf(closer, j);
    if (at < 0) throw new QuotingError(`Unterminated ${kind === 'string' ? 'string literal' : 'quoted identifier'}`, start);
    if (sql[at + 1] === closer) {
      value += sql.slice(from, at + 1);
      j = from = at + 2;
      continue;
    }
    value += sql.slice(from, at);
    return { kind, value, start, end: at + 1 };
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** PostgreSQL `E'…'`: `\n` and the like, `\ooo` octal, `\xhh` hex, `\uXXXX`, `\UXXXXXXXX`, any other `\c` is c */
function escapeString(sql: string, start: number): QuotedToken {
  let value = '';
  let j = start + 2;
  for (;;) {
    if (j >= sql.length) throw new QuotingError('Unterminated string literal', start);
    const c = sql[j]!;
    if (c === "'") {
      if (sql[j + 1] === "'") {
        value += "'";
        j += 2;
        continue;
      }
      return { kind: 'string', value, start, end: j + 1 };
    }
    if (c !== '\\') {
      value += c;
      j++;
      continue;
    }
    const e = sql[j + 1];
    if (e === undefined) throw new QuotingError('Unterminated string literal', start);
    let m: RegExpExecArray | null;
    const rest = sql.slice(j + 1, j + 10);
    if (SIMPLE_ESCAPES[e] !== undefined) {
      value += SIMPLE_ESCAPES[e];
      j += 2;
    } else if ((m = /^[0-7]{1,3}/.exec(rest))) {
      value += byteEscape(parseInt(m[0], 8), j);
      j += 1 + m[0].length;
    } else if ((m = /^x([0-9A-Fa-f]{1,2})/.exec(rest))) {
      value += byteEscape(parseInt(m[1]!, 16), j);
      j += 1 + m[0].length;
    } else if ((m = /^u([0-9A-Fa-f]{4})/.exec(rest)) || (m = /^U([0-9A-Fa-f]{8})/.exec(rest))) {
      value += codePoint(parseInt(m[1]!, 16), j);
      j += 1 + m[0].length;
    } else if (e === 'u' || e === 'U') {
      throw new QuotingError('Invalid Unicode escape: \\u needs 4 hex digits, \\U needs 8', j);
    } else {
      value += e;
      j += 2;
    }
  }
}

/** an octal or hex escape is a byte; only ASCII bytes are a whole character (the rest would need an encoding) */
function byteEscape(byte: number, offset: number): string {
  if (byte === 0) throw new QuotingError('A string cannot hold the character 0', offset);
  if (byte > 0x7f) throw new QuotingError('Octal and hex escapes above \\x7F are bytes, not characters; write \\uXXXX', offset);
  return String.fromCharCode(byte);
}

function codePoint(value: number, offset: number): string {
  if (value === 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) throw new QuotingError(`Invalid Unicode code point ${value.toString(16)}`, offset);
  return String.fromCodePoint(value);
}

/** PostgreSQL `U&'d\0061t\+000061'`: a doubled quote is a quote; `\\` a backslash; the default escape character only */
function unicodeString(sql: string, start: number): QuotedToken {
  const raw = doubledQuote(sql, start, start + 2, "'", 'string');
  if (/^\s*UESCAPE\b/i.test(sql.slice(raw.end, raw.end + 16))) throw new QuotingError('UESCAPE is not supported; write the Unicode escapes with \\', raw.end);
  let value = '';
  const text = raw.value;
  for (let k = 0; k < text.length; ) {
    if (text[k] !== '\\') {
      value += text[k];
      k++;
      continue;
    }
    let m: RegExpExecArray | null;
    if (text[k + 1] === '\\') {
      value += '\\';
      k += 2;
    } else if ((m = /^([0-9A-Fa-f]{4})/.exec(text.slice(k + 1, k + 5)))) {
      value += codePoint(parseInt(m[1]!, 16), start);
      k += 5;
    } else if ((m = /^\+([0-9A-Fa-f]{6})/.exec(text.slice(k + 1, k + 8)))) {
      value += codePoint(parseInt(m[1]!, 16), start);
      k += 8;
    } else {
      throw new QuotingError('Invalid Unicode escape in U&\'…\': write \\XXXX, \\+XXXXXX or \\\\', start);
    }
  }
  return { kind: 'string', value, start, end: raw.end };
}

/** PostgreSQL `$$…$$` / `$tag$…$tag$`: the text between the delimiters, as is; `$1` is not one */
function dollarQuoted(sql: string, start: number): QuotedToken | undefined {
  const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(start, start + 64));
  if (!tag) return undefined;
  const close = sql.indexOf(tag[0], start + tag[0].length);
  if (close < 0) throw new QuotingError('Unterminated dollar-quoted string', start);
  return { kind: 'string', value: sql.slice(start + tag[0].length, close), start, end: close + tag[0].length };
}

/** a character of a name, number or parameter in either dialect (`colE`, `a$b`, `1e5`, `@p`, `#t`): a token never starts inside a run of them */
export function isSqlWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x40 || c === 0x23 || c === 0x24 || c >= 0x80;
}

/** one token of SQL text: a word, number or parameter (a run of word characters), a quoted token, or one symbol */
export interface SqlToken {
  text: string;
  start: number;
  end: number;
  quoted: boolean;
}

/** the tokens of `sql`; comments and blanks are not tokens, and a quoted token that never closes runs to the end */
export function sqlTokens(sql: string, dialect: QuotingDialect): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c <= 0x20) {
      i++;
      continue;
    }
    const comment = c === 0x2d || c === 0x2f ? spanAt(sql, i, '') : undefined;
    if (comment) {
      i = comment.end;
      continue;
    }
    let end: number | undefined;
    try {
      end = quotedTokenAt(sql, i, dialect)?.end;
    } catch (error) {
      if (!(error instanceof QuotingError)) throw error;
      end = sql.length;
    }
    const quoted = end !== undefined;
    if (end === undefined) {
      end = i + 1;
      if (isSqlWordChar(c)) while (end < sql.length && isSqlWordChar(sql.charCodeAt(end))) end++;
    }
    tokens.push({ text: sql.slice(i, end), start: i, end, quoted });
    i = end;
  }
  return tokens;
}

/** index of the token `)` closing the `(` at `open` (quoted tokens are never brackets), or -1 when it never closes */
export function closingParen(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j]!.quoted) continue;
    if (tokens[j]!.text === '(') depth++;
    else if (tokens[j]!.text === ')' && --depth === 0) return j;
  }
  return -1;
}
