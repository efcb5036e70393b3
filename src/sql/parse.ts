/**
 * SQL text → dynasql AST. The only place node-sql-parser is called. Parsed statements are cached by
 * dialect + text (an app sends the same statements over and over; a parse costs ~0.3 ms and ~400 KB).
 *
 * `parseSql("SELECT name FROM account WHERE accountid = ?", 'tsql')` →
 * `{statement:{kind:'query', query:{kind:'select', …}}, params:[0]}`.
 */
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import type { Parser } from 'node-sql-parser/build/transactsql.js';
import { DynasqlError } from '../errors/index.js';
import type { FromItem, ParsedStatement, Query } from './ast.js';
import { readQueryOptions } from './query-options.js';
import { Normalizer, type ParserDialect, type RawSetOperation } from './normalize.js';
import { rewriteQuestionMarks } from './placeholders.js';
import { exactNumbers } from './exact-numbers.js';
import { leadingWordError, syntaxError } from './syntax-errors.js';
import { protectLiterals, type ProtectedText } from './string-literals.js';
import { rewriteForParser } from './parser-rewrites.js';
import { extractSetOperationGroups, splitSetOperations } from './set-operations.js';

export { positionAt } from './position.js';
export { syntaxError } from './syntax-errors.js';

export type { ParserDialect } from './normalize.js';

/**
 * node-sql-parser's build of each dialect, loaded by its first statement: each is ~0.3 MB of code and
 * ~5 MB of heap once loaded, and a T-SQL app never needs the PostgreSQL one (nor psql the T-SQL one).
 * `require` because a parse is synchronous; the builds are CommonJS.
 */
const PARSER_BUILDS = {
  tsql: { module: 'node-sql-parser/build/transactsql.js', database: 'transactsql' },
  postgresql: { module: 'node-sql-parser/build/postgresql.js', database: 'postgresql' },
} as const;
const parsers: Partial<Record<ParserDialect, Parser>> = {};
const requireBuild = createRequire(import.meta.url);

/** node-sql-parser's raw AST of `sql` in `dialect` (throws its pegjs SyntaxError; see syntaxError) */
export function astify(sql: string, dialect: ParserDialect): unknown {
  const { module, database } = PARSER_BUILDS[dialect];
  const parser = (parsers[dialect] ??= new (requireBuild(module) as { Parser: typeof Parser }).Parser());
  return parser.astify(sql, { database });
}

const cache = new LRUCache<string, ParsedStatement>({ max: 500 });

/** `EXPLAIN SELECT …`: neither dialect's parser knows EXPLAIN, so it is recognised here. */
const EXPLAIN_PREFIX = /^\s*EXPLAIN\s+/i;

export function parseSql(sql: string, dialect: ParserDialect = 'tsql'): ParsedStatement {
  const key = `${dialect}\u0000${sql}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parseUncached(sql, dialect);
  cache.set(key, parsed);
  return parsed;
}

function parseUncached(sql: string, dialect: ParserDialect): ParsedStatement {
  // string literals are read by dynasql's own scanner, never by the parser (string-literals.ts)
  const literals = protectLiterals(sql, dialect);
  const explain = EXPLAIN_PREFIX.exec(literals.sql);
  const offsetShift = explain ? explain[0].length : 0;
  const questions = rewriteQuestionMarks(literals.sql.slice(offsetShift), dialect);
  // T-SQL's OPTION (…) is blanked out of the text (offsets unchanged) and read here
  const options = readQueryOptions(questions.sql, dialect);
  const rewritten = rewriteForParser(options.sql, dialect);
  const toUserOffset = (offset: number) => literals.originalOffset(questions.originalOffset(rewritten.originalOffset(offset)) + offsetShift);
  const reader = new QueryReader(sql, dialect, literals);
  const top = reader.read(rewritten.sql, toUserOffset, true);
  const normalizer = new Normalizer(dialect, exactNumbers(rewritten.sql), sql, reader.groups);
  const query = top.ops.length > 0 ? normalizer.setOperations(top.raws, top.ops) : normalizer.query(top.raws[0]);
  if (options.maxRecursion !== undefined) setMaxRecursion(query, options.maxRecursion);
  const parsed: ParsedStatement = { statement: { kind: explain ? 'explain' : 'query', query }, params: normalizer.params };
  return Object.freeze(parsed);
}

/** OPTION (MAXRECURSION n) applies to every CTE of the statement, wherever it is written */
function setMaxRecursion(query: Query, limit: number): void {
  for (const cte of query.with) {
    cte.maxRecursion = limit;
    setMaxRecursion(cte.query, limit);
  }
  if (query.kind === 'setop') {
    setMaxRecursion(query.left, limit);
    setMaxRecursion(query.right, limit);
  } else if (query.from) {
    setMaxRecursionInFrom(query.from, limit);
  }
}

function setMaxRecursionInFrom(from: FromItem, limit: number): void {
  if (from.kind === 'derived') setMaxRecursion(from.query, limit);
  else if (from.kind === 'pivot') setMaxRecursionInFrom(from.source, limit);
  else if (from.kind === 'join') {
    setMaxRecursionInFrom(from.left, limit);
    setMaxRecursionInFrom(from.right, limit);
  }
}

/**
 * Reads a query's text into node-sql-parser's ASTs: one AST, or (T-SQL EXCEPT / INTERSECT at the
 * top level, set-operations.ts) one per part with the operators between them; set operations in
 * parentheses are read on their own into `groups`, by the name of the placeholder standing for them.
 */
class QueryReader {
  readonly groups = new Map<string, RawSetOperation>();
  private count = 0;

  constructor(private readonly sql: string, private readonly dialect: ParserDialect, private readonly literals: ProtectedText) {}

  /** `top`: the statement itself (a misspelt leading word or more than one statement is named) */
  read(text: string, toUserOffset: (offset: number) => number, top: boolean): RawSetOperation {
    const extracted = extractSetOperationGroups(text, this.dialect, () => ++this.count);
    for (const [name, groupText] of extracted?.groups ?? []) this.groups.set(name, this.read(groupText, toUserOffset, false));
    const here = extracted ? (offset: number) => toUserOffset(extracted.originalOffset(offset)) : toUserOffset;
    const sql = extracted?.sql ?? text;
    const split = splitSetOperations(sql, this.dialect);
    if (split) return { raws: split.parts.map((part) => this.one(part, here, false, true)), ops: split.ops };
    return { raws: [this.one(sql, here, top, false)], ops: [] };
  }

  private one(text: string, toUserOffset: (offset: number) => number, top: boolean, part: boolean): unknown {
    let raw: unknown;
    try {
      raw = astify(text, this.dialect);
    } catch (error) {
      // the parser counts its offsets from the first character that is not a blank (a part's text starts with blanks)
      const blanks = text.length - text.trimStart().length;
      throw (top ? leadingWordError(this.sql, this.dialect) : undefined) ?? syntaxError(error, this.sql, (offset) => toUserOffset(offset + blanks), this.dialect);
    }
    const statements = Array.isArray(raw) ? raw.filter((s) => s != null) : [raw];
    if (statements.length !== 1 || (statements[0] as { type?: unknown }).type !== 'select') {
      // T-SQL's grammar reads `SELEC name FROM account` as two assignments: name the misspelt word
      const misspelt = top ? leadingWordError(this.sql, this.dialect) : undefined;
      if (misspelt) throw misspelt;
      if (part) throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'Each side of EXCEPT, INTERSECT and UNION must be one SELECT');
    }
    if (statements.length !== 1) {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Expected one statement, found ${statements.length}; send one statement per call`);
    }
    return this.literals.restore(statements[0]);
  }
}
