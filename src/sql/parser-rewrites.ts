/**
 * The narrow rewrites that let node-sql-parser read what it otherwise misreads or refuses, in the
 * order they run on text whose literals are already placeholders (string-literals.ts) and whose `?`
 * are `$n`: row limits (row-limits.ts), operators (operator-rewrites.ts), DISTINCT inside aggregates
 * (distinct-aggregates.ts), T-SQL forms written as reserved calls (marker-calls.ts). SELECTs and writes (INSERT … SELECT, UPDATE / DELETE … WHERE) share it.
 */
import type { QuotingDialect } from './quoting.js';
import { rewriteRowLimits } from './row-limits.js';
import { rewriteOperators } from './operator-rewrites.js';
import { rewriteDistinctAggregates } from './distinct-aggregates.js';
import { rewriteMarkerCalls } from './marker-calls.js';

export interface ParserText {
  sql: string;
  /** maps an offset in `sql` back to the text given */
  originalOffset(offset: number): number;
}

export function rewriteForParser(sql: string, dialect: QuotingDialect): ParserText {
  const limits = rewriteRowLimits(sql, dialect);
  const operators = rewriteOperators(limits.sql, dialect);
  const aggregates = rewriteDistinctAggregates(operators.sql, dialect);
  const markers = rewriteMarkerCalls(aggregates.sql, dialect);
  return {
    sql: markers.sql,
    originalOffset: (offset) => limits.originalOffset(operators.originalOffset(aggregates.originalOffset(markers.originalOffset(offset)))),
  };
}
