/**
 * Reading the statements that change a session's temporary tables (temp-tables.ts), and turning an
 * UPDATE or DELETE of one into a query the translator runs over the table's rows:
 *
 *   `delete from f where city like 'R%'`
 *     → `SELECT "f"."city", CASE WHEN (city like 'R%') THEN 1 ELSE 0 END FROM "f"` (rows with 1 go)
 *   `update f set city = upper(city) where city = $1`
 *     → `SELECT "f"."city", (upper(city)), CASE WHEN (city = $1) THEN 1 ELSE 0 END FROM "f"`
 *
 * so their expressions and conditions have the translator's PostgreSQL semantics, may read Dynamics
 * tables in subqueries, and take the statement's parameters as they are.
 */
import { DynasqlError } from '../errors/index.js';
import { parse as parseCreate } from './generated/temp-table-parser.js';
import { tokenize, type Token } from './sql-text.js';
import type { OnCommit, TempColumn } from './temp-tables.js';

export interface CreateTempTable {
  name: string;
  ifNotExists: boolean;
  onCommit: OnCommit;
  /** the column list form: each column's type as written */
  columns?: { name: string; type: string; notNull: boolean; unsupported?: string }[];
  /** the AS form: the columns' names, if given, and the query */
  columnNames?: string[];
  query?: string;
  /** `WITH NO DATA`: the AS form's columns without its rows */
  noData?: boolean;
}

const unsupported = (what: string): DynasqlError => new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `${what} is not supported for temporary tables on a dynasql server`);

/** True for `CREATE [GLOBAL | LOCAL] TEMP[ORARY] TABLE …` */
export function isCreateTempTable(words: readonly string[]): boolean {
  const [first, second, third, fourth] = words;
  if (first !== 'create') return false;
  const temp = (w: string | undefined) => w === 'temp' || w === 'temporary';
  return (temp(second) && third === 'table') || ((second === 'global' || second === 'local') && temp(third) && fourth === 'table');
}

export function parseCreateTempTable(sql: string): CreateTempTable {
  let parsed: { name: string; ifNotExists: boolean; onCommit: OnCommit; columns?: CreateTempTable['columns']; columnNames?: string[]; queryStart?: number };
  try {
    parsed = parseCreate(sql, {}) as typeof parsed;
  } catch (error) {
    const start = (error as { location?: { start?: { offset: number; line: number; column: number } } }).location?.start;
    const position = start ? { position: { offset: start.offset, line: start.line, column: start.column } } : {};
    throw new DynasqlError('DYNASQL_ERR_SYNTAX', `syntax error in CREATE TEMP TABLE: ${(error as Error).message}`, position);
  }
  const refused = parsed.columns?.find((c) => c.unsupported);
  if (refused) throw unsupported(`${refused.unsupported} (column "${refused.name}")`);
  if (parsed.queryStart === undefined) return { name: parsed.name, ifNotExists: parsed.ifNotExists, onCommit: parsed.onCommit, columns: parsed.columns! };
  let query = sql.slice(parsed.queryStart).trim().replace(/;\s*$/, '');
  const data = /\bwith\s+(no\s+)?data\s*$/i.exec(query);
  if (data) query = query.slice(0, data.index).trim();
  query = withoutOuterParentheses(query);
  return {
    name: parsed.name, ifNotExists: parsed.ifNotExists, onCommit: parsed.onCommit, query,
    ...(parsed.columnNames ? { columnNames: parsed.columnNames } : {}),
    ...(data?.[1] ? { noData: true } : {}),
  };
}

/**
 * PostgreSQL's other way to make a temporary table from a query, `SELECT … INTO TEMP[ORARY] [TABLE]
 * name FROM …`, as the CREATE TEMP TABLE … AS it stands for; undefined for any other statement
 * (`SELECT … INTO name` makes a table that is not temporary: the translator refuses it).
 * Example: `select name into temp t from account` → `CREATE TEMP TABLE t AS select name  from account`.
 */
export function selectIntoTemp(sql: string): string | undefined {
  const tokens = tokenize(sql);
  const first = tokens[0]?.kind === 'word' ? tokens[0].value : undefined;
  if (first !== 'select' && first !== 'with') return undefined;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth !== 0 || t.kind !== 'word' || t.value !== 'into') continue;
    const temp = tokens[i + 1];
    if (temp?.kind !== 'word' || (temp.value !== 'temp' && temp.value !== 'temporary')) return undefined;
    const at = tokens[i + 2]?.kind === 'word' && tokens[i + 2]!.value === 'table' ? i + 3 : i + 2;
    const name = tokens[at];
    if (!name || (name.kind !== 'word' && name.kind !== 'quotedIdentifier')) return undefined;
    return `CREATE TEMP TABLE ${name.text} AS ${sql.slice(0, t.start)} ${sql.slice(name.end)}`;
  }
  return undefined;
}

/** `(select …)` → `select …` (dbt writes `create temporary table x as (select …)`) */
function withoutOuterParentheses(query: string): string {
  const tokens = tokenize(query);
  if (tokens[0]?.text !== '(' || tokens.at(-1)?.text !== ')') return query;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')') depth--;
    if (depth === 0 && i < tokens.length - 1) return query;
  }
  return query.slice(tokens[0]!.end, tokens.at(-1)!.start).trim();
}

/** The PostgreSQL definition the catalog engine gets for a temp table (types as `format_type` wrote them, or as the client did) */
export function tempTableDdl(name: string, columns: readonly { name: string; type: string; notNull: boolean }[]): string {
  return `CREATE TEMP TABLE ${quoteIdent(name)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`).join(', ')})`;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === 'word' || t.kind === 'quotedIdentifier');

/** a table name at `tokens[i]`: `t`, `"T"`, `pg_temp.t`, `emulator.account`; with the index after it */
function tableNameAt(tokens: readonly Token[], i: number): { schema?: string; name: string; next: number } | undefined {
  const first = tokens[i];
  if (!isName(first)) return undefined;
  if (tokens[i + 1]?.text === '.' && isName(tokens[i + 2])) return { schema: first.value, name: tokens[i + 2]!.value, next: i + 3 };
  return { name: first.value, next: i + 1 };
}

export interface WriteTarget {
  verb: 'insert' | 'update' | 'delete' | 'truncate' | 'drop';
  /** the tables named (several for DROP and TRUNCATE) */
  tables: { schema?: string; name: string }[];
}

/** The table an INSERT / UPDATE / DELETE writes, or the tables a TRUNCATE or DROP TABLE names. */
export function writeTarget(sql: string): WriteTarget | undefined {
  const tokens = tokenize(sql);
  const word = (i: number) => (tokens[i]?.kind === 'word' ? tokens[i]!.value : undefined);
  let i = 1;
  const skip = (w: string) => word(i) === w && i++;
  switch (word(0)) {
    case 'insert': {
      if (!skip('into')) return undefined;
      const target = tableNameAt(tokens, i);
      return target && { verb: 'insert', tables: [target] };
    }
    case 'update': {
      skip('only');
      const target = tableNameAt(tokens, i);
      return target && { verb: 'update', tables: [target] };
    }
    case 'delete': {
      if (!skip('from')) return undefined;
      skip('only');
      const target = tableNameAt(tokens, i);
      return target && { verb: 'delete', tables: [target] };
    }
    case 'truncate':
    case 'drop': {
      const verb = word(0) as 'truncate' | 'drop';
      if (verb === 'drop' && !skip('table')) return undefined;
      if (verb === 'truncate') skip('table');
      if (verb === 'drop' && word(i) === 'if' && word(i + 1) === 'exists') i += 2;
      skip('only');
      const tables: { schema?: string; name: string }[] = [];
      for (let target = tableNameAt(tokens, i); target; target = tokens[i]?.text === ',' ? tableNameAt(tokens, ++i) : undefined) {
        tables.push(target);
        i = target.next;
      }
      return tables.length > 0 ? { verb, tables } : undefined;
    }
    default:
      return undefined;
  }
}

/** the index of the first top-level word in `words` at or after `from`, else the token count */
function topLevelWord(tokens: readonly Token[], from: number, words: readonly string[]): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0 && t.kind === 'word' && words.includes(t.value)) return i;
  }
  return tokens.length;
}

const textOf = (sql: string, tokens: readonly Token[], from: number, to: number): string =>
  from >= to ? '' : sql.slice(tokens[from]!.start, tokens[to - 1]!.end);

/** `[AS] alias` after the table name, as the statement's expressions name the table */
function aliasAt(tokens: readonly Token[], i: number, stop: readonly string[]): { alias?: string; next: number } {
  if (tokens[i]?.kind === 'word' && tokens[i]!.value === 'as') i++;
  const t = tokens[i];
  if (isName(t) && !(t.kind === 'word' && stop.includes(t.value))) return { alias: t.value, next: i + 1 };
  return { next: i };
}

export interface RowQuery {
  /** the translator query: the table's columns, then `assignments`' new values, then the hit flag (1 or 0) */
  sql: string;
  /** UPDATE: the columns set, in the query's order after the table's own columns */
  assigned: string[];
  /** false when there is no WHERE: every row is hit */
  filtered: boolean;
}

function rowQuery(table: string, columns: readonly TempColumn[], alias: string | undefined, values: readonly string[], where: string): string {
  const qualifier = quoteIdent(alias ?? table);
  const select = [
    ...columns.map((c) => `${qualifier}.${quoteIdent(c.name)}`),
    ...values.map((v) => `(${v})`),
    where === '' ? '1' : `CASE WHEN (${where}) THEN 1 ELSE 0 END`,
  ];
  return `SELECT ${select.join(', ')} FROM ${quoteIdent(table)}${alias ? ` AS ${quoteIdent(alias)}` : ''}`;
}

/** `DELETE FROM t [[AS] a] [WHERE cond]` as a query over t's rows (see the module comment) */
export function deleteAsQuery(sql: string, table: string, columns: readonly TempColumn[]): RowQuery {
  const tokens = tokenize(sql);
  const target = tableNameAt(tokens, tokens[2]?.value === 'only' ? 3 : 2)!;
  const { alias, next } = aliasAt(tokens, target.next, ['where', 'using', 'returning']);
  const where = topLevelWord(tokens, next, ['where', 'using', 'returning']);
  if (where < tokens.length && tokens[where]!.value !== 'where') throw unsupported(`DELETE … ${tokens[where]!.value.toUpperCase()}`);
  if (where === tokens.length && next < tokens.length) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `syntax error at or near "${tokens[next]!.text}"`);
  const end = topLevelWord(tokens, where + 1, ['returning']);
  if (end < tokens.length) throw unsupported('DELETE … RETURNING');
  const condition = where < tokens.length ? textOf(sql, tokens, where + 1, end) : '';
  return { sql: rowQuery(table, columns, alias, [], condition), assigned: [], filtered: condition !== '' };
}

/** `UPDATE t [[AS] a] SET c = expr [, …] [WHERE cond]` as a query over t's rows (see the module comment) */
export function updateAsQuery(sql: string, table: string, columns: readonly TempColumn[]): RowQuery {
  const tokens = tokenize(sql);
  const target = tableNameAt(tokens, tokens[1]?.value === 'only' ? 2 : 1)!;
  const { alias, next } = aliasAt(tokens, target.next, ['set']);
  if (tokens[next]?.value !== 'set' || tokens[next]?.kind !== 'word') throw new DynasqlError('DYNASQL_ERR_SYNTAX', `syntax error at or near "${tokens[next]?.text ?? 'end of input'}"`);
  const clauses = ['from', 'where', 'returning'];
  const setEnd = topLevelWord(tokens, next + 1, clauses);
  if (setEnd < tokens.length && tokens[setEnd]!.value !== 'where') throw unsupported(`UPDATE … ${tokens[setEnd]!.value.toUpperCase()}`);
  const end = topLevelWord(tokens, setEnd + 1, ['returning']);
  if (end < tokens.length) throw unsupported('UPDATE … RETURNING');
  const assigned: string[] = [];
  const values: string[] = [];
  let start = next + 1;
  let depth = 0;
  for (let i = next + 1; i <= setEnd; i++) {
    const t = tokens[i];
    if (t && (t.text === '(' || t.text === '[')) depth++;
    else if (t && (t.text === ')' || t.text === ']')) depth--;
    if (i < setEnd && !(depth === 0 && t!.text === ',')) continue;
    const column = tokens[start];
    if (!isName(column) || tokens[start + 1]?.text !== '=') throw unsupported('this SET form (write column = value)');
    const name = columns.find((c) => c.name === column.value) ?? columns.find((c) => c.name.toLowerCase() === column.value.toLowerCase() && column.kind === 'word');
    if (!name) throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', `column "${column.value}" of relation "${table}" does not exist`);
    const value = textOf(sql, tokens, start + 2, i);
    if (/^default$/i.test(value.trim())) throw unsupported('SET … = DEFAULT');
    assigned.push(name.name);
    values.push(value);
    start = i + 1;
  }
  const condition = setEnd < tokens.length ? textOf(sql, tokens, setEnd + 1, end) : '';
  return { sql: rowQuery(table, columns, alias, values, condition), assigned, filtered: condition !== '' };
}

export interface InsertParts {
  /** the columns given, else every column in order */
  columns: string[];
  /** `VALUES …` / `DEFAULT VALUES`: the catalog engine evaluates them; else the query, for the translator */
  values: boolean;
  query: string;
}

/** `INSERT INTO t [(c, …)] { VALUES … | DEFAULT VALUES | query }` */
export function insertParts(sql: string, columns: readonly TempColumn[]): InsertParts {
  const tokens = tokenize(sql);
  const target = tableNameAt(tokens, 2)!;
  let i = target.next;
  if (tokens[i]?.kind === 'word' && tokens[i]!.value === 'as') throw unsupported('INSERT INTO … AS alias');
  let named = columns.map((c) => c.name);
  if (tokens[i]?.text === '(' && !(tokens[i + 1]?.kind === 'word' && ['select', 'with', 'values', 'table'].includes(tokens[i + 1]!.value))) {
    named = [];
    for (i++; isName(tokens[i]); i += 2) {
      const column = tokens[i]!;
      const found = columns.find((c) => c.name === column.value) ?? columns.find((c) => c.name.toLowerCase() === column.value.toLowerCase() && column.kind === 'word');
      if (!found) throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', `column "${column.value}" of relation "${target.name}" does not exist`);
      named.push(found.name);
      if (tokens[i + 1]?.text !== ',') {
        i++;
        break;
      }
    }
    if (tokens[i]?.text !== ')') throw new DynasqlError('DYNASQL_ERR_SYNTAX', `syntax error at or near "${tokens[i]?.text ?? 'end of input'}"`);
    i++;
  }
  const tail = topLevelWord(tokens, i, ['on', 'returning']);
  if (tail < tokens.length) throw unsupported(`INSERT … ${tokens[tail]!.value === 'on' ? 'ON CONFLICT' : 'RETURNING'}`);
  const first = tokens[i];
  const values = first?.kind === 'word' && (first.value === 'values' || first.value === 'default');
  return { columns: named, values, query: textOf(sql, tokens, i, tokens.length) };
}
