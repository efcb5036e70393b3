/**
 * DuckDB's `date_trunc(unit, d)` as the local engine is given it. DuckDB 1.5's expression rewriter
 * (DateTruncSimplificationRule) rewrites `date_trunc(unit, column) <> constant`, when the constant is
 * not itself truncated (`date_trunc('month', birthdate) <> '2024-07-15T12:00:00'`), to TRUE, and `=` to
 * FALSE, even for a NULL column, where the comparison is NULL: a wrong answer (found by the fuzzer,
 * KNOWN.md #23603; fixed in later DuckDB sources). The rule fires only when the argument is a bare
 * column, so the argument is given as `d + INTERVAL 0 MICROSECONDS`: the same value and type for a
 * timestamp, the timestamp date_trunc would make of a date.
 */
export function dateTruncSql(unitSql: string, d: string): string {
  return `date_trunc(${unitSql}, (${d} + INTERVAL 0 MICROSECONDS))`;
}
