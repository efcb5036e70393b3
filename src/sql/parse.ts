/**
 * SQL text → dynasql AST. The only place node-sql-parser is called. Parsed statements are cached by
 * dialect + text (an app sends the same statements over and over; a parse costs ~0.3 ms and ~400 KB).
 *
 * `parseSql("SELECT name FROM account WHERE accountid = ?", 'tsql')` →
 * `{statement:{kind:'query', query:{kind:'select', …}}, params:[0]}`.
 */
import { LRUCache } from 'lru-cache';
import tsqlParser from 'node-sql-parser/build/transactsql.js';
import pgParser from 'node-sql-parser/build/postgresql.js';
import { DynasqlError } from '../errors/index.js';
import type { ParsedStatement } from './ast.js';
import { Normalizer, type ParserDialect } from './normalize.js';
import { rewriteQuestionMarks } from './placeholders.js';
import { exactNumbers } from './exact-numbers.js';
import { leadingWordError, syntaxError } from './syntax-errors.js';
import { protectLiterals, type ProtectedText } from './string-literals.js';
import { rewriteForParser } from './parser-rewrites.js';
import { splitSetOperations, type SetOperationSplit } from './set-operations.js';

export { positionAt } from './position.js';
export { syntaxError } from './syntax-errors.js';

export type { ParserDialect } from './normalize.js';

const parsers = {
  tsql: { parser: new tsqlParser.Parser(), database: 'transactsql' },
  postgresql: { parser: new pgParser.Parser(), database: 'postgresql' },
} as const;

/** node-sql-parser's raw AST of `sql` in `dialect` (throws its pegjs SyntaxError; see syntaxError) */
export function astify(sql: string, dialect: ParserDialect): unknown {
  const { parser, database } = parsers[dialect];
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
  const rewritten = rewriteForParser(questions.sql, dialect);
  const toUserOffset = (offset: number) => literals.originalOffset(questions.originalOffset(rewritten.originalOffset(offset)) + offsetShift);
  const setOperations = splitSetOperations(rewritten.sql, dialect);
  if (setOperations) return parseSetOperations(sql, dialect, setOperations, explain !== null, literals, toUserOffset);
  let raw: unknown;
  try {
    raw = astify(rewritten.sql, dialect);
  } catch (error) {
    throw leadingWordError(sql, dialect) ?? syntaxError(error, sql, toUserOffset, dialect);
  }
  const statements = Array.isArray(raw) ? raw.filter((s) => s != null) : [raw];
  if (statements.length !== 1 || (statements[0] as { type?: unknown }).type !== 'select') {
    // T-SQL's grammar reads `SELEC name FROM account` as two assignments: name the misspelt word
    const misspelt = leadingWordError(sql, dialect);
    if (misspelt) throw misspelt;
  }
  if (statements.length !== 1) {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Expected one statement, found ${statements.length}; send one statement per call`);
  }
  const normalizer = new Normalizer(dialect, exactNumbers(rewritten.sql), sql);
  const query = normalizer.query(literals.restore(statements[0]));
  const params = normalizer.params;
  const parsed: ParsedStatement = { statement: { kind: explain ? 'explain' : 'query', query }, params };
  return Object.freeze(parsed);
}

/** T-SQL EXCEPT / INTERSECT at the top level: each part parsed alone (set-operations.ts) */
function parseSetOperations(
  sql: string, dialect: ParserDialect, split: SetOperationSplit, explain: boolean, literals: ProtectedText, toUserOffset: (offset: number) => number,
): ParsedStatement {
  const raws = split.parts.map((part) => {
    let raw: unknown;
    try {
      raw = astify(part, dialect);
    } catch (error) {
      throw syntaxError(error, sql, toUserOffset, dialect);
    }
    const statements = Array.isArray(raw) ? raw.filter((s) => s != null) : [raw];
    if (statements.length !== 1 || (statements[0] as { type?: unknown }).type !== 'select') {
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'Each side of EXCEPT, INTERSECT and UNION must be one SELECT');
    }
    return literals.restore(statements[0]);
  });
  const normalizer = new Normalizer(dialect, exactNumbers(split.parts.join(' ')), sql);
  const query = normalizer.setOperations(raws, split.ops);
  return Object.freeze({ statement: { kind: explain ? 'explain' : 'query', query }, params: normalizer.params } as ParsedStatement);
}
