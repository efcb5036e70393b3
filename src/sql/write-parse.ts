/**
 * Write statement text → `ParsedWrite` (write-ast.ts). node-sql-parser parses INSERT / UPDATE /
 * DELETE; three things it cannot are handled here on the text first, each replaced by spaces so
 * error positions still point into the user's text:
 * - `UPSERT INTO …` is an INSERT whose keyword is swapped (same length) and marked as an upsert.
 * - `OUTPUT INSERTED.*` (T-SQL) yields a garbage AST (npm-notes §2), so the clause is read here.
 * - a trailing `OPTION (ATOMIC, …)` hint clause carries per-statement write options.
 * The last two are read by the grammar in grammar/write-clauses.peggy.
 *
 * `isWriteStatement('UPSERT INTO account (accountid, name) VALUES (@id, @n)')` → true.
 */
import { DynasqlError } from '../errors/index.js';
import type { Expr, FromItem } from './ast.js';
import { Normalizer, type ParserDialect } from './normalize.js';
import { astify, positionAt, syntaxError } from './parse.js';
import { spanAt } from './quoting.js';
import { statementRefusal, SUPPORTED_STATEMENTS } from './statement-forms.js';
import { rewriteQuestionMarks } from './placeholders.js';
import { parse as parseClause } from './generated/write-clauses-parser.js';
import { parseValuesInsert } from './insert-values.js';
import type { DeleteStatement, InsertStatement, ParsedWrite, ReturningItem, SetItem, UpdateStatement, WriteHints, WriteStatement, WriteTarget } from './write-ast.js';
import { exactNumbers } from './exact-numbers.js';
import { protectLiterals } from './string-literals.js';
import { rewriteForParser } from './parser-rewrites.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the parser's output is untyped JSON */
type Raw = any;

const LEADING = /^\s*(INSERT|UPSERT|UPDATE|DELETE|MERGE)\b/i;

/** True when the statement is a write (its first word, outside comments, is INSERT/UPSERT/UPDATE/DELETE/MERGE). */
export function isWriteStatement(sql: string): boolean {
  return LEADING.test(maskQuoted(sql));
}

function unsupported(what: string): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${what}`);
}

/** `fastPath`: the bulk-INSERT scanner (insert-values.ts) is tried first; its differential test turns it off */
export function parseWrite(sql: string, dialect: ParserDialect = 'tsql', options: { fastPath?: boolean } = {}): ParsedWrite {
  let masked = maskQuoted(sql);
  let text = sql;
  const leading = LEADING.exec(masked);
  if (!leading) throw unsupported(`not an INSERT, UPSERT, UPDATE or DELETE statement. dynasql runs ${SUPPORTED_STATEMENTS}`);
  const verb = leading[1]!.toUpperCase();
  if (verb === 'MERGE') throw unsupported('MERGE; write `UPSERT INTO table (columns) VALUES (…)` to create or update by key');

  const blank = (start: number, end: number) => {
    text = text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
    masked = masked.slice(0, start) + ' '.repeat(end - start) + masked.slice(end);
  };

  const hints = readHints(text, masked, blank);
  const upsert = verb === 'UPSERT';
  if (upsert) {
    const at = leading[0].length - leading[1]!.length;
    text = `${text.slice(0, at)}INSERT${text.slice(at + 6)}`;
    masked = `${masked.slice(0, at)}INSERT${masked.slice(at + 6)}`;
  }
  const output = readOutputClause(text, masked, blank);
  // T-SQL allows `DELETE account WHERE …`; the parser wants `DELETE FROM account WHERE …` (but `DELETE a FROM account a` is whole)
  const bareDelete = verb === 'DELETE' ? /^\s*DELETE\s+(?!FROM\b)(?!TOP\b)(?!\S+\s+FROM\b)/i.exec(masked) : null;
  const inserted = bareDelete ? bareDelete[0].length : -1;
  if (bareDelete) text = `${text.slice(0, inserted)}FROM ${text.slice(inserted)}`;

  // PostgreSQL's `DELETE FROM account a USING contact c WHERE …`: the parser knows no USING, but reads
  // `DELETE FROM account a , contact c WHERE …` (same length, so positions hold); the normalizer takes
  // the items after the first as the USING list
  const using = verb === 'DELETE' && dialect === 'postgresql' ? topLevelWord(masked, 'USING') : -1;
  if (using >= 0) {
    text = `${text.slice(0, using)},    ${text.slice(using + 5)}`;
    masked = `${masked.slice(0, using)},    ${masked.slice(using + 5)}`;
  }

  const rewritten = rewriteQuestionMarks(text, dialect);
  const bulk = options.fastPath !== false && verb !== 'UPDATE' && verb !== 'DELETE' ? parseValuesInsert(rewritten.sql, dialect) : undefined;
  if (bulk) {
    const statement: InsertStatement = { kind: 'insert', upsert, target: bulk.target, hints, columns: bulk.columns, values: bulk.values, ...(output ? { returning: output } : {}) };
    return Object.freeze({ statement, params: bulk.params });
  }
  const toUserOffset = (offset: number) => {
    const original = rewritten.originalOffset(offset);
    return inserted >= 0 && original >= inserted + 5 ? original - 5 : original;
  };
  // string literals are read by the quoting scanner, not the parser (string-literals.ts, owned by sqlfront)
  const literals = protectLiterals(rewritten.sql, dialect, { text: sql, offset: toUserOffset });
  // row limits, operators and DISTINCT aggregates the parser misreads (parser-rewrites.ts, owned by sqlfront)
  const parserText = rewriteForParser(literals.sql, dialect);
  let raw: Raw;
  try {
    raw = astify(parserText.sql, dialect);
  } catch (error) {
    throw syntaxError(error, sql, (offset) => toUserOffset(literals.originalOffset(parserText.originalOffset(offset))), dialect);
  }
  const statements = Array.isArray(raw) ? raw.filter((s) => s != null) : [raw];
  if (statements.length !== 1) throw unsupported(`${statements.length} statements at once; send one statement per call`);
  const normalizer = new Normalizer(dialect, exactNumbers(literals.sql), sql);
  const statement = new WriteNormalizer(normalizer, using >= 0).statement(literals.restore(statements[0]), hints, upsert, output);
  return Object.freeze({ statement, params: normalizer.params });
}

class WriteNormalizer {
  /** `usingList`: a PostgreSQL DELETE's USING clause was read as the FROM's items after the first */
  constructor(private readonly n: Normalizer, private readonly usingList = false) {}

  statement(raw: Raw, hints: WriteHints, upsert: boolean, output: ReturningItem[] | undefined): WriteStatement {
    const returning = output ?? this.returning(raw.returning);
    const withReturning = <T extends object>(s: T): T => (returning ? { ...s, returning } : s);
    switch (raw.type) {
      case 'insert': case 'replace': return withReturning(this.insert(raw, hints, upsert));
      case 'update': return withReturning(this.update(raw, hints));
      case 'delete': return withReturning(this.delete(raw, hints));
      default: throw unsupported(statementRefusal(String(raw.type)));
    }
  }

  private insert(raw: Raw, hints: WriteHints, upsert: boolean): InsertStatement {
    if (raw.type === 'replace') throw unsupported(statementRefusal('replace'));
    if (raw.conflict) throw unsupported('ON CONFLICT; write `UPSERT INTO …` to create or update by key');
    const tables: Raw[] = raw.table ?? [];
    if (tables.length !== 1) throw unsupported('INSERT into more than one table; insert into each table in its own statement (in a transaction to make them one change)');
    const target = this.target(tables[0]);
    const columns = Array.isArray(raw.columns) ? (raw.columns as Raw[]).map((c) => this.name(c)) : undefined;
    const source = raw.values;
    const statement: InsertStatement = { kind: 'insert', upsert, target, hints, ...(columns ? { columns } : {}) };
    if (source?.type === 'values') {
      statement.values = (source.values as Raw[]).map((row) => {
        const items: Raw[] = row?.type === 'expr_list' ? row.value : [row];
        return items.map((item) => this.n.expr(item));
      });
    } else if (source?.type === 'select' || source?.ast) {
      statement.query = this.n.query(source.ast ?? source);
    } else {
      throw unsupported('this INSERT source (use VALUES or SELECT)');
    }
    return statement;
  }

  private update(raw: Raw, hints: WriteHints): UpdateStatement {
    const tables: Raw[] = raw.table ?? [];
    if (tables.length !== 1) throw unsupported('UPDATE of more than one table; update each table in its own statement (in a transaction to make them one change)');
    const target = this.target(tables[0]);
    const set: SetItem[] = (raw.set as Raw[]).map((item) => {
      const column = this.name(item.column);
      const qualifier = item.table ? String(item.table) : undefined;
      return { column, value: this.n.expr(item.value), ...(qualifier ? { table: qualifier } : {}) };
    });
    const statement: UpdateStatement = { kind: 'update', target, set, hints };
    if (raw.from) statement.from = this.from(raw.from);
    if (raw.where) statement.where = this.n.expr(raw.where);
    return statement;
  }

  private delete(raw: Raw, hints: WriteHints): DeleteStatement {
    const from: Raw[] = raw.from ?? [];
    const targets: Raw[] = (raw.table ?? []).filter((t: Raw) => !t?.addition);
    if (targets.length > 1) throw unsupported('DELETE of more than one table; delete from each table in its own statement (in a transaction to make them one change)');
    if (targets.length === 1) {
      // T-SQL `DELETE a FROM account a JOIN contact c ON … WHERE …`: the target is one reference of the FROM
      const statement: DeleteStatement = { kind: 'delete', target: this.target(targets[0]), from: this.from(from), hints };
      if (raw.where) statement.where = this.n.expr(raw.where);
      return statement;
    }
    if (this.usingList && from.length > 1) {
      if (from[0]?.join || from[0]?.on) throw unsupported('a DELETE target joined inside its FROM; join the tables in USING');
      const statement: DeleteStatement = { kind: 'delete', target: this.target(from[0]), from: this.from(from.slice(1)), hints };
      if (raw.where) statement.where = this.n.expr(raw.where);
      return statement;
    }
    if (from.length !== 1) throw unsupported('DELETE with joins in this form; write DELETE a FROM account a JOIN … (T-SQL), DELETE FROM account a USING … (PostgreSQL), or select the keys in a WHERE … IN (SELECT …)');
    const statement: DeleteStatement = { kind: 'delete', target: this.target(from[0]), hints };
    if (raw.where) statement.where = this.n.expr(raw.where);
    return statement;
  }

  /** the FROM of `UPDATE … FROM`: parsed as the FROM of a SELECT so joins normalise the same way */
  private from(items: Raw[]): FromItem {
    const query = this.n.query({ type: 'select', columns: [{ expr: { type: 'number', value: 1 }, as: null }], from: items });
    if (query.kind !== 'select' || !query.from) throw unsupported('this FROM clause; name the tables (joined with ON) the write reads');
    return query.from;
  }

  private target(raw: Raw): WriteTarget {
    if (raw?.type === 'expr' && String(raw.expr?.name?.name?.[0]?.value ?? '').toUpperCase() === 'TOP') {
      throw unsupported('UPDATE / DELETE TOP (n), whose n rows are any n; name them with WHERE key IN (SELECT TOP (n) key FROM … ORDER BY …)');
    }
    const name = typeof raw?.table === 'string' ? raw.table : undefined;
    if (!name) throw unsupported('this target table; name a table (or its alias in FROM)');
    const schema = raw.schema ?? raw.db ?? undefined;
    return { name, ...(schema ? { schema: String(schema) } : {}), ...(raw.as ? { alias: String(raw.as) } : {}) };
  }

  private name(column: Raw): string {
    if (typeof column === 'string') return column;
    if (column?.expr?.value !== undefined) return String(column.expr.value);
    if (column?.value !== undefined) return String(column.value);
    if (column?.column !== undefined) return this.name(column.column);
    throw unsupported('this column name; name a column of the target table');
  }

  private returning(raw: Raw): ReturningItem[] | undefined {
    if (!raw) return undefined;
    return (raw.columns as Raw[]).map((c) => {
      const expr: Expr = this.n.expr(c.expr);
      const alias = typeof c.as === 'string' ? c.as : undefined;
      if (expr.kind === 'star') return { image: 'inserted' };
      if (expr.kind !== 'column') throw unsupported('expressions in RETURNING (name columns)');
      return { column: expr.name, image: 'inserted', ...(alias ? { alias } : {}) };
    });
  }
}

/** where `word` first stands outside parentheses in the masked text (strings and comments already blanked), or -1 */
function topLevelWord(masked: string, word: string): number {
  const pattern = new RegExp(`\\b${word}\\b`, 'gi');
  for (let m = pattern.exec(masked); m; m = pattern.exec(masked)) {
    let depth = 0;
    for (let i = 0; i < m.index; i++) depth += masked[i] === '(' ? 1 : masked[i] === ')' ? -1 : 0;
    if (depth === 0) return m.index;
  }
  return -1;
}

/**
 * `OUTPUT INSERTED.*, INSERTED.accountid AS id, DELETED.name`: read from the text (T-SQL), then
 * blanked. The clause ends at the next VALUES / SELECT / WHERE / FROM / DEFAULT / OPTION or the end.
 */
function readOutputClause(text: string, masked: string, blank: (s: number, e: number) => void): ReturningItem[] | undefined {
  // `OUTPUT` followed by a row image: a column that happens to be called output is left alone
  const start = /\bOUTPUT(?=\s+(?:INSERTED|DELETED)\b)/i.exec(masked);
  if (!start) return undefined;
  const after = start.index + start[0].length;
  const end = /\b(VALUES|SELECT|WHERE|FROM|DEFAULT|WITH)\b|;|$/i.exec(masked.slice(after));
  const stop = after + (end?.index ?? masked.length - after);
  if (/\bINTO\b/i.test(masked.slice(after, stop))) throw unsupported('OUTPUT … INTO; leave INTO out: the OUTPUT rows come back as the statement\'s result');
  const parsed = clause<{ image: 'inserted' | 'deleted'; column?: string; alias?: string }[]>(text, after, stop, 'outputItems',
    'OUTPUT items must be INSERTED.<column> [AS alias], INSERTED.*, DELETED.<column> or DELETED.*');
  blank(start.index, stop);
  return parsed.map(({ image, column, alias }) => ({ image, ...(column ? { column } : {}), ...(alias ? { alias } : {}) }));
}

const HINT_WORDS: Record<string, (hints: WriteHints) => void> = {
  ATOMIC: (h) => { h.atomic = true; },
  TRANSACTION: (h) => { h.atomic = true; },
  CONTINUE_ON_ERROR: (h) => { h.continueOnError = true; },
  OPTIMISTIC: (h) => { h.optimistic = true; },
  BYPASS_PLUGINS: (h) => { h.bypassPlugins = true; },
  BYPASS_CUSTOM_PLUGIN_EXECUTION: (h) => { h.bypassPlugins = true; },
  BYPASS_BUSINESS_LOGIC: (h) => { h.bypassBusinessLogic = true; },
  SUPPRESS_DUPLICATE_DETECTION: (h) => { h.suppressDuplicateDetection = true; },
  INSERT_ONLY: (h) => { h.upsertMode = 'insertOnly'; },
  UPDATE_ONLY: (h) => { h.upsertMode = 'updateOnly'; },
};

/** a trailing `OPTION (ATOMIC, KEY accountnumber_key)`; blanked once read */
function readHints(text: string, masked: string, blank: (s: number, e: number) => void): WriteHints {
  const m = /\bOPTION\s*\(([^()]*)\)\s*;?\s*$/i.exec(masked);
  if (!m) return {};
  const hints: WriteHints = {};
  const known = `known: ${[...Object.keys(HINT_WORDS), 'KEY <name>'].join(', ')}`;
  const items = clause<{ word: string; name?: string }[]>(text, m.index + m[0].indexOf('(') + 1, m.index + m[0].lastIndexOf(')'), 'optionItems', `Write options are words separated by commas; ${known}`);
  for (const item of items) {
    if (item.word === 'KEY' && item.name !== undefined) {
      hints.key = item.name;
      continue;
    }
    const apply = HINT_WORDS[item.word];
    if (!apply) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `Unknown write option '${item.word}'; ${known}`);
    apply(hints);
  }
  blank(m.index, m.index + m[0].length);
  return hints;
}

/** one clause's text (`text.slice(start, end)`) through the write-clauses grammar; errors point into the statement */
function clause<T>(text: string, start: number, end: number, rule: 'outputItems' | 'optionItems', expected: string): T {
  try {
    return parseClause(text.slice(start, end), { startRule: rule }) as T;
  } catch (error) {
    const offset = (error as { location?: { start?: { offset?: number } } }).location?.start?.offset;
    const position = positionAt(text, start + (typeof offset === 'number' ? offset : 0));
    throw new DynasqlError('DYNASQL_ERR_SYNTAX', `${expected} (line ${position.line}, column ${position.column})`, { position, cause: error });
  }
}

/**
 * The text with the insides of string literals, quoted identifiers and comments replaced by spaces,
 * same length: keyword searches on it cannot match user data. `a = 'OUTPUT'` → `a = '      '`.
 */
export function maskQuoted(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const span = spanAt(sql, i, '\'"[');
    if (!span) {
      out += sql[i]!;
      i++;
      continue;
    }
    if (span.kind === 'comment') out += ' '.repeat(span.end - i);
    else if (span.terminated) out += sql[i]! + ' '.repeat(span.end - i - 2) + sql[span.end - 1]!;
    else out += sql[i]! + ' '.repeat(span.end - i - 1);
    i = span.end;
  }
  return out;
}
