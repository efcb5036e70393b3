/**
 * A small lexer for Postgres SQL text, enough to split a Query message into statements, read a
 * statement's leading keywords, and drop schema qualifiers before the text goes to the translator.
 * It knows quoting ('x', E'x\'', "id", $tag$...$tag$) and comments (-- and nested block comments),
 * so `select ';' ; select 2` is two statements, not three.
 */

export type TokenKind = 'word' | 'quotedIdentifier' | 'string' | 'number' | 'parameter' | 'symbol';

export interface Token {
  kind: TokenKind;
  /** the source text of the token */
  text: string;
  /** for words: lower-cased; for quoted identifiers: the unquoted name; for strings: the content */
  value: string;
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Tokenizes `sql`; comments and whitespace are skipped. Unterminated quotes run to the end. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      continue;
    }
    const start = i;
    if ((c === 'E' || c === 'e') && sql[i + 1] === "'") {
      i = scanQuoted(sql, i + 1, "'", true);
      tokens.push({ kind: 'string', text: sql.slice(start, i), value: sql.slice(start + 2, i - 1), start, end: i });
      continue;
    }
    if (c === "'") {
      i = scanQuoted(sql, i, "'", false);
      tokens.push({ kind: 'string', text: sql.slice(start, i), value: sql.slice(start + 1, i - 1).replace(/''/g, "'"), start, end: i });
      continue;
    }
    if (c === '"') {
      i = scanQuoted(sql, i, '"', false);
      const value = sql.slice(start + 1, i - 1).replace(/""/g, '"');
      tokens.push({ kind: 'quotedIdentifier', text: sql.slice(start, i), value, start, end: i });
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
        const value = sql.slice(start + tag[0].length, close < 0 ? n : close);
        tokens.push({ kind: 'string', text: sql.slice(start, i), value, start, end: i });
        continue;
      }
      const param = /^\$\d+/.exec(sql.slice(i, i + 12));
      if (param) {
        i += param[0].length;
        tokens.push({ kind: 'parameter', text: param[0], value: param[0], start, end: i });
        continue;
      }
    }
    if (WORD_START.test(c)) {
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: 'word', text, value: text.toLowerCase(), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9.eE]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
      continue;
    }
    i++;
    tokens.push({ kind: 'symbol', text: c, value: c, start, end: i });
  }
  return tokens;
}

/** Index just past the closing quote (doubled quotes and, for E'', backslashes escape). */
function scanQuoted(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/**
 * Splits a Query message's text into statements at top-level semicolons; blank statements are
 * dropped (`'select 1;; select 2;'` → `['select 1', 'select 2']`).
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let from = 0;
  for (const t of tokenize(sql)) {
    if (t.kind === 'symbol' && t.text === ';') {
      statements.push(sql.slice(from, t.start));
      from = t.end;
    }
  }
  statements.push(sql.slice(from));
  return statements.map((s) => s.trim()).filter((s) => tokenize(s).length > 0);
}

/** The first `count` words of a statement, lower-cased (`'Begin Work'` → `['begin', 'work']`). */
export function leadingWords(sql: string, count = 3): string[] {
  const words: string[] = [];
  for (const t of tokenize(sql)) {
    if (t.kind !== 'word' || words.length >= count) break;
    words.push(t.value);
  }
  return words;
}

/**
 * Removes qualifiers naming one of `schemas`, so the translator sees plain table names:
 * `select a.name from emulator.account a` → `select a.name from account a`.
 */
export function stripSchemaQualifiers(sql: string, schemas: readonly string[]): string {
  const tokens = tokenize(sql);
  const names = new Set(schemas);
  let out = '';
  let from = 0;
  for (let k = 0; k + 2 < tokens.length; k++) {
    const t = tokens[k]!;
    const dot = tokens[k + 1]!;
    const next = tokens[k + 2]!;
    const previous = tokens[k - 1];
    const isName = (t.kind === 'word' || t.kind === 'quotedIdentifier') && names.has(t.value);
    const qualifies = dot.text === '.' && dot.start === t.end && (next.kind === 'word' || next.kind === 'quotedIdentifier');
    if (isName && qualifies && !(previous && previous.text === '.' && previous.end === t.start)) {
      out += sql.slice(from, t.start);
      from = dot.end;
    }
  }
  return out + sql.slice(from);
}
