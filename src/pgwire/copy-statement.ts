/**
 * `COPY … TO STDOUT`: reading the statement (both Postgres spellings of the options) and writing
 * rows as Postgres' text and CSV formats do. Pure: the session streams the lines as CopyData.
 * Example: `COPY (select name from account) TO STDOUT WITH (FORMAT csv, HEADER)` → the query
 * `select name from account`, lines `name\n`, `"Fourth Coffee, Inc."\n`, …;
 * `COPY account (name) TO STDOUT` → the query `SELECT name FROM account`, text lines with `\N` for NULL.
 */
import { DynasqlError } from '../errors/index.js';
import type { FieldDescription } from './backend-messages.js';
import { encodeText } from './pg-types.js';
import { tokenize, type Token } from './sql-text.js';
import type { ResultColumn, Row } from '../index.js';

export interface CopyOptions {
  format: 'text' | 'csv';
  header: boolean;
  delimiter: string;
  null: string;
  quote: string;
  escape: string;
  /** CSV: columns always quoted (`*`: all) */
  forceQuote: readonly string[] | '*';
}

export type CopyStatement =
  | { direction: 'to'; /** the query whose rows are copied */ query: string; options: CopyOptions }
  | { direction: 'from' };

const unsupported = (what: string) => new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', what);
const syntax = (message: string) => new DynasqlError('DYNASQL_ERR_SYNTAX', message);

/** A quoted option value, with E'' escapes read (`E'\t'` is a tab). */
function stringValue(token: Token | undefined, option: string): string {
  if (!token || token.kind !== 'string') throw syntax(`COPY option ${option} needs a quoted value`);
  if (!/^[eE]'/.test(token.text)) return token.value;
  return token.value.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', b: '\b', f: '\f' })[c] ?? c);
}

function booleanValue(token: Token | undefined): boolean | undefined {
  if (!token || (token.kind !== 'word' && token.kind !== 'string' && token.kind !== 'number')) return undefined;
  const v = token.value.toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(v)) return true;
  if (['false', 'off', '0', 'no'].includes(v)) return false;
  return undefined;
}

/** Reads a COPY statement; refuses what the adapter does not do (COPY FROM is reported, not refused here). */
export function parseCopy(sql: string): CopyStatement {
  const tokens = tokenize(sql);
  let i = 1;
  const at = (k = 0) => tokens[i + k];
  const isWord = (w: string, k = 0) => at(k)?.kind === 'word' && at(k)!.value === w;
  const isSymbol = (s: string, k = 0) => at(k)?.kind === 'symbol' && at(k)!.text === s;
  let query: string;
  if (isSymbol('(')) {
    let depth = 0;
    const open = at()!;
    for (; i < tokens.length; i++) {
      if (isSymbol('(')) depth++;
      else if (isSymbol(')') && --depth === 0) break;
    }
    if (i >= tokens.length) throw syntax('COPY: the query has no closing parenthesis');
    query = sql.slice(open.end, at()!.start).trim();
    i++;
  } else {
    const start = at();
    if (!start || (start.kind !== 'word' && start.kind !== 'quotedIdentifier')) throw syntax('COPY needs a table name or a (query)');
    while (at() && (at()!.kind === 'word' || at()!.kind === 'quotedIdentifier' || isSymbol('.')) && !isWord('to') && !isWord('from')) i++;
    const table = sql.slice(start.start, at(-1)!.end);
    let columns = '*';
    if (isSymbol('(')) {
      const open = at()!;
      while (i < tokens.length && !isSymbol(')')) i++;
      if (i >= tokens.length) throw syntax('COPY: the column list has no closing parenthesis');
      columns = sql.slice(open.end, at()!.start).trim();
      i++;
    }
    query = `SELECT ${columns} FROM ${table}`;
  }
  if (isWord('from')) return { direction: 'from' };
  if (!isWord('to')) throw syntax('COPY needs TO STDOUT');
  i++;
  if (isWord('program')) throw unsupported('COPY TO PROGRAM is not supported on a dynasql server: use COPY … TO STDOUT');
  if (!isWord('stdout')) {
    throw unsupported("COPY to a server file is not supported on a dynasql server: use COPY … TO STDOUT (psql's \\copy writes a client file)");
  }
  i++;
  const options: CopyOptions = { format: 'text', header: false, delimiter: '\t', null: '\\N', quote: '"', escape: '"', forceQuote: [] };
  const seen = { delimiter: false, null: false, escape: false };
  const apply = (name: string, value: () => Token | undefined, hasValue: boolean): void => {
    switch (name) {
      case 'format': {
        const v = value()?.value.toLowerCase();
        if (v === 'binary') throw unsupported('COPY in binary format is not supported on a dynasql server: use FORMAT text or csv');
        if (v !== 'text' && v !== 'csv') throw syntax(`COPY format "${v ?? ''}" not recognized`);
        options.format = v;
        return;
      }
      case 'binary':
        throw unsupported('COPY in binary format is not supported on a dynasql server: use FORMAT text or csv');
      case 'csv':
        options.format = 'csv';
        return;
      case 'header': {
        if (!hasValue) return void (options.header = true);
        const token = value();
        const b = booleanValue(token);
        if (b === undefined) throw syntax(`COPY HEADER takes a boolean, got ${token?.text ?? 'nothing'}`);
        options.header = b;
        return;
      }
      case 'delimiter':
        options.delimiter = stringValue(value(), 'DELIMITER');
        seen.delimiter = true;
        return;
      case 'null':
        options.null = stringValue(value(), 'NULL');
        seen.null = true;
        return;
      case 'quote':
        options.quote = stringValue(value(), 'QUOTE');
        return;
      case 'escape':
        options.escape = stringValue(value(), 'ESCAPE');
        seen.escape = true;
        return;
      case 'encoding': {
        const v = stringValue(value(), 'ENCODING').toUpperCase().replace(/[-_]/g, '');
        if (v !== 'UTF8' && v !== 'UNICODE') throw unsupported('COPY ENCODING other than UTF8 is not supported on a dynasql server');
        return;
      }
      default:
        throw unsupported(`COPY option ${name.toUpperCase()} is not supported on a dynasql server (TO STDOUT takes FORMAT, HEADER, DELIMITER, NULL, QUOTE, ESCAPE, FORCE_QUOTE, ENCODING)`);
    }
  };
  if (isWord('with')) i++;
  if (isSymbol('(')) {
    // the current spelling: (FORMAT csv, HEADER true, FORCE_QUOTE (a, b) …)
    i++;
    while (i < tokens.length && !isSymbol(')')) {
      const name = at();
      if (!name || name.kind !== 'word') throw syntax(`COPY: an option name was expected at ${name?.text ?? 'the end'}`);
      i++;
      if (name.value === 'force_quote') {
        if (isSymbol('*')) (options.forceQuote = '*'), i++;
        else if (isSymbol('(')) {
          const cols: string[] = [];
          for (i++; i < tokens.length && !isSymbol(')'); i++) if (!isSymbol(',')) cols.push(at()!.value);
          i++;
          options.forceQuote = cols;
        } else throw syntax('COPY FORCE_QUOTE needs * or a column list');
      } else {
        const hasValue = !isSymbol(',') && !isSymbol(')');
        apply(name.value, () => tokens[i++], hasValue);
      }
      if (isSymbol(',')) i++;
    }
    if (!isSymbol(')')) throw syntax('COPY: the option list has no closing parenthesis');
    i++;
  } else {
    // the older spelling: WITH CSV HEADER DELIMITER AS ',' NULL AS '' FORCE QUOTE *
    while (i < tokens.length && at()!.kind === 'word') {
      const name = at()!.value;
      i++;
      if (isWord('as')) i++;
      if (name === 'force' && isWord('quote')) {
        i++;
        if (isSymbol('*')) (options.forceQuote = '*'), i++;
        else {
          const cols: string[] = [];
          while (at() && (at()!.kind === 'word' || at()!.kind === 'quotedIdentifier') && !isWord('header')) {
            cols.push(at()!.value);
            i++;
            if (isSymbol(',')) i++;
            else break;
          }
          options.forceQuote = cols;
        }
        continue;
      }
      const takesValue = ['delimiter', 'null', 'quote', 'escape', 'encoding'].includes(name);
      apply(name, () => tokens[i++], takesValue);
    }
  }
  if (i < tokens.length && !(isSymbol(';') && i === tokens.length - 1)) throw syntax(`COPY: unexpected ${at()!.text}`);
  if (options.format === 'csv') {
    if (!seen.delimiter) options.delimiter = ',';
    if (!seen.null) options.null = '';
    if (!seen.escape) options.escape = options.quote;
  }
  if (options.delimiter.length !== 1) throw syntax('COPY delimiter must be a single one-byte character');
  if (options.format === 'csv' && (options.quote.length !== 1 || options.escape.length !== 1)) throw syntax('COPY quote and escape must be single one-byte characters');
  return { direction: 'to', query, options };
}

const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

/** One value in text format: backslash escapes for the specials and the delimiter. */
function textValue(value: string, delimiter: string): string {
  let out = '';
  for (const c of value) out += TEXT_ESCAPES[c] ?? (c === delimiter ? `\\${c}` : c);
  return out;
}

/** One value in CSV: quoted when it must be (delimiter, quote, line break, or the NULL string) or when forced. */
function csvValue(value: string, options: CopyOptions, force: boolean): string {
  const needs = force || value === options.null || value.includes(options.delimiter) || value.includes(options.quote) || /[\r\n]/.test(value) || value === '\\.';
  if (!needs) return value;
  let out = options.quote;
  for (const c of value) out += c === options.quote || c === options.escape ? options.escape + c : c;
  return out + options.quote;
}

/** The line for one row (or the header, with `names`), ending in a newline. */
function line(values: (string | null)[], names: readonly string[], options: CopyOptions): string {
  const forced = (name: string) => options.forceQuote === '*' || options.forceQuote.includes(name.toLowerCase()) || options.forceQuote.includes(name);
  return values
    .map((v, i) => {
      if (v === null) return options.null;
      return options.format === 'csv' ? csvValue(v, options, forced(names[i]!)) : textValue(v, options.delimiter);
    })
    .join(options.delimiter) + '\n';
}

/** The header line: the column names, as a row of text. */
export function copyHeader(fields: readonly FieldDescription[], options: CopyOptions): Buffer {
  const names = fields.map((f) => f.name);
  return Buffer.from(line(names, names, { ...options, null: options.format === 'csv' ? '\0' : options.null }), 'utf8');
}

/** The line for one row, each value in Postgres' text output of its column's type. */
export function copyRow(row: Row, columns: readonly ResultColumn[], fields: readonly FieldDescription[], options: CopyOptions): Buffer {
  const names = fields.map((f) => f.name);
  const values = fields.map((f, i) => {
    const value = row[columns[i]!.name];
    return value === null || value === undefined ? null : encodeText(f.typeOid, value, f.typeModifier);
  });
  return Buffer.from(line(values, names, options), 'utf8');
}
