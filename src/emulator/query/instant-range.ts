import type { Expr, Literal } from './ast.js';

/**
 * The instants of one date column a `$filter` can match, as far as its shape shows them: a
 * superset, never fewer. A store with an index on the column (store/instant-index.ts) reads only
 * the rows in it, and the compiled filter still decides each one, so the range has to be right
 * only in one direction: every row the filter matches lies in it.
 *
 *   createdon ge 2024-01-01T00:00:00Z and createdon lt 2024-02-01T00:00:00Z and name eq 'x'
 *     → { low: Date.UTC(2024, 0, 1), high: Date.UTC(2024, 1, 1), nulls: false }
 *   createdon eq null or createdon lt 2024-01-01T00:00:00Z
 *     → { low: -Infinity, high: Date.UTC(2024, 0, 1), nulls: true }
 *
 * Bounds are milliseconds and inclusive (`lt` widens to `le`: a superset), `nulls` whether rows
 * without a value can match. Undefined: the filter says nothing the index can use.
 */
export interface InstantRange {
  low: number;
  high: number;
  nulls: boolean;
  /**
   * When the filter is nothing but comparisons of the column with instants of at most millisecond
   * precision (`and`, `or`, parentheses): the filter itself, as a test of a row's instant in
   * milliseconds (NaN without one), exact for stored texts of at most millisecond precision. A store
   * that knows its rows' instants decides them without the compiled filter.
   */
  exact?: (ms: number) => boolean;
}

const EVERY: InstantRange = { low: -Infinity, high: Infinity, nulls: true };

export function instantRangeOf(expr: Expr, column: string): InstantRange | undefined {
  const range = rangeOf(expr, column);
  if (range === EVERY) return undefined;
  const exact = exactTest(expr, column);
  return exact ? { ...range, exact } : range;
}

/** the filter as a test of the instant (NaN: null), as compareValues/equalValues decide it; undefined for any other shape */
function exactTest(expr: Expr, column: string): ((ms: number) => boolean) | undefined {
  switch (expr.type) {
    case 'group':
      return exactTest(expr.expr, column);
    case 'logical': {
      const left = exactTest(expr.left, column);
      const right = exactTest(expr.right, column);
      if (!left || !right) return undefined;
      return expr.op === 'and' ? (ms) => left(ms) && right(ms) : (ms) => left(ms) || right(ms);
    }
    case 'compare': {
      const comparison = withConstant(expr, column);
      if (!comparison) return undefined;
      const { op, other } = comparison;
      if (other.edm === 'null') {
        // null equals only null (protocol §12.1)
        if (op === 'eq') return (ms) => Number.isNaN(ms);
        if (op === 'ne') return (ms) => !Number.isNaN(ms);
        return undefined;
      }
      // finer digits than a millisecond, or a date without a time: the compiled filter decides
      if (other.edm !== 'Edm.DateTimeOffset' || !MILLISECOND_UTC.test(String(other.value))) return undefined;
      const at = Date.parse(String(other.value));
      if (!Number.isFinite(at)) return undefined;
      // a comparison with null is unknown, so false, except `ne`, which null passes (`null ne 1` is true)
      switch (op) {
        case 'eq': return (ms) => ms === at;
        case 'ne': return (ms) => ms !== at;
        case 'gt': return (ms) => ms > at;
        case 'ge': return (ms) => ms >= at;
        case 'lt': return (ms) => ms < at;
        case 'le': return (ms) => ms <= at;
        default: return undefined;
      }
    }
    default:
      return undefined;
  }
}

/** a UTC instant with at most millisecond digits: `2024-01-01T00:00:00Z`, `…:00.5Z`, `…:00.123Z` */
export const MILLISECOND_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z$/;

function rangeOf(expr: Expr, column: string): InstantRange {
  switch (expr.type) {
    case 'group':
      return rangeOf(expr.expr, column);
    case 'logical': {
      const left = rangeOf(expr.left, column);
      const right = rangeOf(expr.right, column);
      if (expr.op === 'and') {
        if (left === EVERY) return right;
        if (right === EVERY) return left;
        return { low: Math.max(left.low, right.low), high: Math.min(left.high, right.high), nulls: left.nulls && right.nulls };
      }
      if (left === EVERY || right === EVERY) return EVERY;
      // an empty range of values (only nulls) takes nothing from the other side's bounds
      const values = [left, right].filter((r) => r.low <= r.high);
      if (values.length === 0) return { low: Infinity, high: -Infinity, nulls: left.nulls || right.nulls };
      return { low: Math.min(...values.map((r) => r.low)), high: Math.max(...values.map((r) => r.high)), nulls: left.nulls || right.nulls };
    }
    case 'compare':
      return compareRange(expr, column);
    default:
      // not, in, functions, lambdas, aliases: they may match anything as far as this reading goes
      return EVERY;
  }
}

const FLIPPED = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', has: 'has' } as const;

/** `column op constant`, read either way round (`2024-01-01T00:00:00Z le createdon` is `createdon ge …`); undefined for any other comparison */
function withConstant(expr: Extract<Expr, { type: 'compare' }>, column: string): { op: Extract<Expr, { type: 'compare' }>['op']; other: Literal } | undefined {
  const isColumn = (e: Expr) => e.type === 'path' && e.segments.length === 1 && e.segments[0] === column;
  if (isColumn(expr.left)) return expr.right.type === 'literal' ? { op: expr.op, other: expr.right } : undefined;
  if (isColumn(expr.right)) return expr.left.type === 'literal' ? { op: FLIPPED[expr.op], other: expr.left } : undefined;
  return undefined;
}

function compareRange(expr: Extract<Expr, { type: 'compare' }>, column: string): InstantRange {
  const comparison = withConstant(expr, column);
  if (!comparison) return EVERY;
  const { op, other } = comparison;
  if (other.edm === 'null') {
    if (op === 'eq') return { low: Infinity, high: -Infinity, nulls: true };
    if (op === 'ne') return { low: -Infinity, high: Infinity, nulls: false };
    return EVERY;
  }
  if (other.edm !== 'Edm.DateTimeOffset' && other.edm !== 'Edm.Date') return EVERY;
  const at = Date.parse(String(other.value));
  if (!Number.isFinite(at)) return EVERY;
  // a millisecond either side (a literal with finer digits than Date.parse keeps stays inside), a
  // day for a date without a time, however the comparison places it in the day
  const slack = other.edm === 'Edm.Date' ? 86_400_000 : 1;
  switch (op) {
    case 'eq': return { low: at - slack, high: at + slack, nulls: false };
    case 'gt': case 'ge': return { low: at - slack, high: Infinity, nulls: false };
    case 'lt': case 'le': return { low: -Infinity, high: at + slack, nulls: false };
    default: return EVERY;
  }
}
