/**
 * The comparison operators as both remote languages name them (`eq`, `ne`, `lt`, …), and the two
 * rewrites every comparison push-down needs: NOT moved into the operator, and the column put first.
 *
 *   columnFirst(5 < x) → { column: x, op: 'gt', value: 5 }
 */
import type { CompareOp } from '../odata/index.js';
import type { Expr } from '../plan/index.js';

export const SQL_COMPARE_OPS: Readonly<Record<string, CompareOp>> = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
export const NEGATE: Readonly<Record<CompareOp, CompareOp>> = { eq: 'ne', ne: 'eq', lt: 'ge', le: 'gt', gt: 'le', ge: 'lt' };
const MIRROR: Readonly<Record<CompareOp, CompareOp>> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

/** the comparison with its column on the left when only the right side is a column (`5 < x` is `x > 5`) */
export function columnFirst(left: Expr, op: CompareOp, right: Expr): { column: Expr; op: CompareOp; value: Expr } {
  return left.kind !== 'column' && right.kind === 'column' ? { column: right, op: MIRROR[op], value: left } : { column: left, op, value: right };
}
