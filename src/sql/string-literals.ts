/**
 * String literals never reach node-sql-parser. It reads backslash escapes in every string of both
 * dialects, which neither T-SQL nor standard PostgreSQL strings have: `N'\'' OR 1=1 --'` is the
 * 14-character string `\' OR 1=1 --`, but the parser ends the string after `\'` and reads
 * `OR 1=1` as SQL. So before parsing, every literal is read by the one quoting scanner
 * (quoting.ts) and replaced by a placeholder string the parser keeps verbatim; after parsing,
 * `restore()` puts the scanner's values back into the parser's AST. Quoted identifiers the parser
 * would misread (`[a]]b]`, `"a\b"`) are replaced the same way.
 *
 *   protectLiterals("SELECT 1 WHERE a = N'\\'' OR 1=1 --'", 'tsql').sql
 *     → "SELECT 1 WHERE a = '\uE000s0'"   (restore() maps '\uE000s0' back to `\' OR 1=1 --`)
 *
 * The placeholder's first character is one that does not occur in the statement, so nothing the user
 * wrote can be mistaken for one; and a string node in the parsed AST that is not a placeholder means
 * the parser found a literal the scanner did not: the statement is refused rather than trusted.
 */
import { DynasqlError } from '../errors/index.js';
import { positionAt } from './position.js';
import { quotedTokenAt, QuotingError, spanAt, isSqlWordChar, type QuotingDialect } from './quoting.js';

export interface ProtectedText {
  /** the statement with every string literal replaced by a placeholder */
  sql: string;
  /** maps an offset in `sql` back to the text given (for syntax error positions) */
  originalOffset(offset: number): number;
  /** node-sql-parser's AST of `sql` with the placeholders replaced by the literals' values (in place) */
  restore<T>(raw: T): T;
}

/** where errors point: the user's text and a map into it from the text given (which may be rewritten) */
export interface UserText {
  text: string;
  offset(offset: number): number;
}

/** node types node-sql-parser gives string literals: each must be a placeholder */
const STRING_NODE_TYPES = new Set([
  'single_quote_string', 'var_string', 'string', 'natural_string', 'regex_string', 'hex_string', 'full_hex_string', 'bit_string',
  'dollar_quote_string', 'dollar_string',
]);

interface Replacement { newStart: number; newEnd: number; oldStart: number; oldEnd: number }

export function protectLiterals(sql: string, dialect: QuotingDialect, user?: UserText): ProtectedText {
  const marker = markerFor(sql);
  const values: string[] = [];
  const names: string[] = [];
  const replacements: Replacement[] = [];
  let out = '';
  let copiedTo = 0;
  const replace = (start: number, end: number, text: string) => {
    out += sql.slice(copiedTo, start);
    replacements.push({ newStart: out.length, newEnd: out.length + text.length, oldStart: start, oldEnd: end });
    out += text;
    copiedTo = end;
  };
  const fail = (message: string, offset: number, code: 'DYNASQL_ERR_SYNTAX' | 'DYNASQL_ERR_UNSUPPORTED_SQL' = 'DYNASQL_ERR_SYNTAX'): never => {
    const text = user?.text ?? sql;
    const position = positionAt(text, Math.min(text.length, user ? user.offset(offset) : offset));
    throw new DynasqlError(code, `${message} (line ${position.line}, column ${position.column})`, { position });
  };

  let i = 0;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if ((c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) || (c === 0x2f /* / */ && sql.charCodeAt(i + 1) === 0x2a)) {
      i = spanAt(sql, i, '')!.end;
      continue;
    }
    let token;
    try {
      token = quotedTokenAt(sql, i, dialect);
    } catch (error) {
      if (error instanceof QuotingError) fail(error.message, error.offset);
      throw error;
    }
    if (token) {
      if (token.kind === 'binary') fail('Bit-string literals (B\'…\', X\'…\') are not supported', token.start, 'DYNASQL_ERR_UNSUPPORTED_SQL');
      if (token.kind === 'string') {
        // T-SQL's N'…' keeps its N, so the literal is read as the nvarchar it is (the parser's var_string)
        const national = dialect === 'tsql' && (sql[token.start] === 'N' || sql[token.start] === 'n');
        replace(token.start, token.end, `${national ? 'N' : ''}'${marker}s${values.length}'`);
        values.push(token.value);
      } else if (sql.slice(token.start + 1, token.end - 1) !== token.value || token.value.includes('\\')) {
        // a doubled closer or a backslash: the parser would misread the name
        replace(token.start, token.end, dialect === 'tsql' ? `[${marker}i${names.length}]` : `"${marker}i${names.length}"`);
        names.push(token.value);
      }
      i = token.end;
    } else if (isSqlWordChar(c)) {
      // a whole word (`colE`, `a$b`, `1e5`), so a prefix letter inside one never starts a literal
      i++;
      while (i < sql.length && isSqlWordChar(sql.charCodeAt(i))) i++;
    } else {
      i++;
    }
  }
  if (replacements.length === 0) {
    return { sql, originalOffset: (offset) => offset, restore: (raw) => checkNoUnreadStrings(raw, marker) };
  }
  out += sql.slice(copiedTo);
  const originalOffset = (offset: number): number => {
    let shift = 0;
    for (const r of replacements) {
      if (offset < r.newStart) break;
      if (offset < r.newEnd) return r.oldStart;
      shift = r.oldEnd - r.newEnd;
    }
    return offset + shift;
  };
  return { sql: out, originalOffset, restore: (raw) => restoreIn(raw, marker, values, names) };
}

/** a character absent from the statement, from the private-use area */
function markerFor(sql: string): string {
  for (let code = 0xe000; code <= 0xf8ff; code++) {
    const ch = String.fromCharCode(code);
    if (!sql.includes(ch)) return ch;
  }
  throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'The statement uses every private-use character; it cannot be read safely');
}

function restoreIn<T>(raw: T, marker: string, values: string[], names: string[]): T {
  const placeholder = (kind: string, index: number): string => {
    const found = kind === 's' ? values[index] : kind === 'i' ? names[index] : undefined;
    if (found === undefined) throw unreadString();
    return found;
  };
  // A placeholder is a whole value; the parser's own bookkeeping may also embed one in a longer text
  // (`columnList: ['select::null::\uE000s0']` for a literal in a select list beside a subquery)
  const embedded = new RegExp(`${marker}([si])(\\d+)`, 'g');
  const lookup = (text: string): string => (text[0] === marker && /^.[si]\d+$/.test(text)
    ? placeholder(text[1]!, Number(text.slice(2)))
    : text.replace(embedded, (_, kind: string, index: string) => placeholder(kind, Number(index))));
  walk(raw, lookup, marker, (node) => {
    const isStringNode = typeof node.type === 'string' && STRING_NODE_TYPES.has(node.type);
    if (isStringNode && typeof node.value === 'string' && (node.value[0] !== marker || node.value[1] !== 's')) throw unreadString();
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (typeof value === 'string' && value.includes(marker)) node[key] = lookup(value);
    }
  });
  return raw;
}

/** no literal was replaced: the parser must not have found one either */
function checkNoUnreadStrings<T>(raw: T, marker: string): T {
  return restoreIn(raw, marker, [], []);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the parser's output is untyped JSON */
function walk(root: unknown, lookup: (text: string) => string, marker: string, visit: (node: Record<string, any>) => void): void {
  // an explicit stack: a WHERE with thousands of ORs nests that deep
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const item = node[k];
        if (typeof item === 'object' && item !== null) stack.push(item);
        else if (typeof item === 'string' && item.includes(marker)) node[k] = lookup(item);
      }
      continue;
    }
    visit(node as Record<string, any>);
    for (const value of Object.values(node as Record<string, unknown>)) {
      if (typeof value === 'object' && value !== null) stack.push(value);
    }
  }
}

function unreadString(): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'The SQL parser found a string literal that dynasql\'s quoting scanner did not; the statement is refused rather than read two ways');
}
