/**
 * What both filter translators (OData `filter.ts`, FetchXML `fetchxml-filter.ts`) share: the comparison
 * operators as both languages name them (`eq`, `ne`, `lt`, …), NOT moved into the operator, the column
 * put first, an IN list's constants under SQL's NULL rules, and the one way to say "evaluate locally".
 *
 *   columnFirst(5 < x) → { column: x, op: 'gt', value: 5 }
 */
import type { CompareOp } from '../odata/index.js';
import type { Expr } from '../plan/index.js';
import { decodeFiscal, fiscalYearStart } from '../plan/index.js';
import { isInteger } from '../types/index.js';
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

/** `FISCAL_YEAR(d) op n` as bounds on `d` (fiscalYearBounds) */
export interface FiscalYearBounds { date: Expr; bounds: { op: 'ge' | 'lt'; value: Date }[]; or: boolean }

/**
 * `FISCAL_YEAR(d) op n` as a range of `d` between fiscal year starts (plan/fiscal.ts), which both
 * languages send as plain comparisons of the date, exact in UTC as the function is:
 *
 *   FISCAL_YEAR(createdon) = 2024  (July starts, named by the end)  → createdon ge 2023-07-01 and createdon lt 2024-07-01
 *   FISCAL_YEAR(createdon) <> 2024                                  → createdon lt 2023-07-01 or createdon ge 2024-07-01
 *
 * The service's own `in-fiscal-year` is not used: it reads dates in the user's time zone, which
 * the docs do not rule out, where the function reads them in UTC. Undefined when the left side is no
 * FISCAL_YEAR call; a value that is not a whole number stays local. (FISCAL_PERIOD alone is no
 * range: it stays local.)
 */
export function fiscalYearBounds(left: Expr, op: CompareOp, right: Expr, params: ParamValues): FiscalYearBounds | undefined {
  const isFiscalYear = (e: Expr) => e.kind === 'function' && e.name === 'FISCAL_YEAR' && e.args.length === 2 && !e.over;
  if (!isFiscalYear(left)) return isFiscalYear(right) && !isFiscalYear(left) ? fiscalYearBounds(right, MIRROR[op], left, params) : undefined;
  if (left.kind !== 'function') return undefined;
  const constant = constantValue(right, params);
  const text = constant && (typeof constant.value === 'string' || typeof constant.value === 'number') ? String(constant.value).trim() : undefined;
  if (!isInteger(right.sqlType) || text === undefined || !/^[+-]?\d+$/.test(text)) return local('FISCAL_YEAR() compared with anything but a whole number is evaluated locally');
  const year = Number(text);
  if (year < 2 || year > 9998) return local(`FISCAL_YEAR() compared with ${year} is evaluated locally`);
  const settings = decodeFiscal(left.args[1]?.kind === 'literal' ? String(left.args[1].value) : undefined);
  const [start, next] = [fiscalYearStart(settings, year), fiscalYearStart(settings, year + 1)];
  const date = left.args[0]!;
  switch (op) {
    case 'eq': return { date, bounds: [{ op: 'ge', value: start }, { op: 'lt', value: next }], or: false };
    case 'ne': return { date, bounds: [{ op: 'lt', value: start }, { op: 'ge', value: next }], or: true };
    case 'lt': return { date, bounds: [{ op: 'lt', value: start }], or: false };
    case 'le': return { date, bounds: [{ op: 'lt', value: next }], or: false };
    case 'gt': return { date, bounds: [{ op: 'ge', value: next }], or: false };
    case 'ge': return { date, bounds: [{ op: 'ge', value: start }], or: false };
  }
}
