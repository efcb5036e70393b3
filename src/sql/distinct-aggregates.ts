/**
 * `SUM(DISTINCT x)`, `AVG(DISTINCT x)` (and MIN, MAX, STDEV, VAR, STRING_AGG …): node-sql-parser knows
 * DISTINCT only inside COUNT, and read the others as a call of a function named DISTINCT. Before
 * parsing, `SUM(DISTINCT x)` is written `__DYNASQL_DISTINCT_SUM(x)`, a call the parser reads like any
 * other; the normaliser turns it back into SUM with `distinct: true`. A statement that already holds
 * that prefix is refused, so a user's own name can never be taken for one.
 *   rewriteDistinctAggregates('SELECT AVG(DISTINCT x) FROM t', 'tsql').sql
 *     → 'SELECT __DYNASQL_DISTINCT_AVG(x) FROM t'
 */
import { DynasqlError } from '../errors/index.js';
import { sqlTokens, type QuotingDialect } from './quoting.js';
import { applyEdits } from './text-edits.js';

export const DISTINCT_AGGREGATE_PREFIX = '__DYNASQL_DISTINCT_';

export interface DistinctAggregateRewrite {
  sql: string;
  originalOffset(offset: number): number;
}

export function rewriteDistinctAggregates(sql: string, dialect: QuotingDialect): DistinctAggregateRewrite {
  const identity = { sql, originalOffset: (offset: number) => offset };
  if (!/DISTINCT/i.test(sql)) return identity;
  if (sql.toUpperCase().includes(DISTINCT_AGGREGATE_PREFIX)) {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Names starting with ${DISTINCT_AGGREGATE_PREFIX} are reserved by dynasql`);
  }
  const tokens = sqlTokens(sql, dialect);
  // [start of the aggregate's name, end of DISTINCT] for each rewrite
  const spans: [number, number, string][] = [];
  for (let k = 0; k + 2 < tokens.length; k++) {
    const name = tokens[k]!;
    if (name.quoted || !/^[A-Za-z_]+$/.test(name.text) || name.text.toUpperCase() === 'COUNT') continue;
    if (tokens[k + 1]!.text !== '(' || tokens[k + 2]!.quoted || tokens[k + 2]!.text.toUpperCase() !== 'DISTINCT') continue;
    if (tokens[k - 1]?.text === '.') continue;
    spans.push([name.start, tokens[k + 2]!.end, `${DISTINCT_AGGREGATE_PREFIX}${name.text.toUpperCase()}(`]);
  }
  if (spans.length === 0) return identity;
  return applyEdits(sql, spans.map(([start, end, text]) => ({ start, end, text })));
}
