/**
 * What both filter translators (OData `filter.ts`, FetchXML `fetchxml-filter.ts`) share: the comparison
 * operators as both languages name them (`eq`, `ne`, `lt`, …), NOT moved into the operator, the column
 * put first, an IN list's constants under SQL's NULL rules, and the one way to say "evaluate locally".
 *
 *   columnFirst(5 < x) → { column: x, op: 'gt', value: 5 }
 */
import type { CompareOp } from '../odata/index.js';
import type { Expr } from '../plan/index.js';
import { constantValue, type ConstantValue, type ParamValues } from './values.js';

export const SQL_COMPARE_OPS: Readonly<Record<string, CompareOp>> = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
export const NEGATE: Readonly<Record<CompareOp, CompareOp>> = { eq: 'ne', ne: 'eq', lt: 'ge', le: 'gt', gt: 'le', ge: 'lt' };
const MIRROR: Readonly<Record<CompareOp, CompareOp>> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

/** the comparison with its column on the left when only the right side is a column (`5 < x` is `x > 5`) */
export function columnFirst(left: Expr, op: CompareOp, right: Expr): { column: Expr; op: CompareOp; value: Expr } {
  return left.kind !== 'column' && right.kind === 'column' ? { column: right, op: MIRROR[op], value: left } : { column: left, op, value: right };
}

/** a condition the service cannot evaluate exactly: thrown by `local`, caught where the translation starts */
export class NotPushable {
  constructor(readonly reason: string) {}
}

export function local(reason: string): never {
  throw new NotPushable(reason);
}

/**
 * An instant compared with a date-only column: T-SQL converts the date to the instant's type, so
 * `birthdate >= GETDATE()` is not `birthdate ge <today>` unless the instant is a midnight (UTC, the
 * statement's zone); otherwise the comparison stays local.
 */
export function dateOnlyInstant(columnName: string, value: Date): Date {
  if (value.getUTCHours() + value.getUTCMinutes() + value.getUTCSeconds() + value.getUTCMilliseconds() === 0) return value;
  return local(`${columnName} (a date) compared with an instant within a day; evaluated locally`);
}

/** the non-null constants of an IN list: `x IN (1, NULL)` is `x IN (1)`; `x NOT IN (1, NULL)` is never true */
export function inListValues(list: Expr[], negated: boolean, params: ParamValues): ConstantValue[] {
  const values: ConstantValue[] = [];
  for (const item of list) {
    const constant = constantValue(item, params);
    if (!constant) return local('an IN list with computed values is evaluated locally');
    values.push(constant.value);
  }
  const nonNull = values.filter((v) => v !== null);
  if (negated && nonNull.length !== values.length) return local('NOT IN with a NULL in the list is never true; evaluated locally');
  if (nonNull.length === 0) return local('an IN list of only NULLs is never true; evaluated locally');
  return nonNull;
}
