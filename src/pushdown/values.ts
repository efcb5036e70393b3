/**
 * Parameter values and constant expressions as plain JS values for push-down. `@name` parameters
 * come from an object (matched case-insensitively), `$1` / `?` from an array.
 * `constantValue({kind:'param', ref:0}, params)` → `{ value: 'Contoso' }`.
 */
import { DynasqlError } from '../errors/index.js';
import type { Expr } from '../plan/index.js';
import { isInteger, isString, typeName, type SqlType } from '../types/index.js';
import { STATEMENT_TIME, addInterval, parseInterval } from '../util/index.js';

export type ParamValues = ReadonlyMap<string | number, unknown>;

/**
 * @param statementTime the statement's instant, given by the connection when it starts the statement:
 *   the value of `now()` and its kin (util/statement-time.ts)
 */
export function resolveParams(
  refs: readonly (string | number)[], given: Record<string, unknown> | readonly unknown[] | undefined, statementTime?: Date,
): Map<string | number, unknown> {
  const values = new Map<string | number, unknown>();
  for (const ref of refs) {
    if (ref === STATEMENT_TIME) {
      if (!statementTime) throw new DynasqlError('DYNASQL_ERR_INTERNAL', 'The statement reads the clock but was given no statement time');
      values.set(ref, new Date(statementTime.getTime()));
    } else if (typeof ref === 'number') {
      if (!Array.isArray(given) || ref >= given.length) {
        throw new DynasqlError('DYNASQL_ERR_PARAMETER', `No value for parameter ${ref + 1}: pass an array with at least ${ref + 1} values`);
      }
      values.set(ref, checkValue(given[ref], String(ref + 1)));
    } else {
      if (!given || Array.isArray(given)) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `No value for parameter @${ref}: pass an object with a '${ref}' property`);
      const obj = given as Record<string, unknown>;
      const key = Object.keys(obj).find((k) => k.replace(/^@/, '').toLowerCase() === ref.toLowerCase());
      if (key === undefined) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `No value for parameter @${ref}`);
      values.set(ref, checkValue(obj[key], `@${ref}`));
    }
  }
  return values;
}

function checkValue(value: unknown, name: string): unknown {
  if (value === undefined) return null;
  // a copy: the plan may be cached and reused, and the caller may change its Date afterwards
  if (value instanceof Date) return new Date(value.getTime());
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  // an array is a list for `= ANY($1)` / `<> ALL($1)` (node-postgres sends JavaScript arrays); the binder refuses it anywhere else
  if (Array.isArray(value)) return value.map((item, i) => checkValue(item, `${name}[${i + 1}]`));
  throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Parameter ${name} has an unsupported type (${typeof value}); use a string, number, boolean, bigint, Date or null`);
}

export type ConstantValue = string | number | boolean | bigint | Date | null;

/** the value of a literal, a parameter or a negated number; undefined for anything else */
export function constantValue(expr: Expr, params: ParamValues): { value: ConstantValue } | undefined {
  switch (expr.kind) {
    case 'literal':
      if (expr.type === 'null') return { value: null };
      if (expr.type === 'boolean') return { value: expr.value as boolean };
      return { value: expr.value as string };
    case 'param': {
      const value = params.get(expr.ref);
      return Array.isArray(value) ? undefined : { value: value as ConstantValue };
    }
    case 'cast': {
      if (expr.try) return undefined;
      const inner = constantValue(expr.expr, params);
      return inner && castUnchanged(inner.value, expr.sqlType);
    }
    case 'function': {
      // Metabase's relative dates: `date_trunc('month', (now() + (INTERVAL '-12 month')))`
      if (expr.name !== 'DATE_TRUNC' || expr.args.length !== 2 || expr.args[0]!.kind !== 'literal') return undefined;
      const instant = constantValue(expr.args[1]!, params)?.value;
      if (!(instant instanceof Date) || typeName(expr.sqlType) !== 'datetimeoffset') return undefined;
      const truncated = truncateUtc(instant, String(expr.args[0]!.value).toLowerCase());
      return truncated && { value: truncated };
    }
    case 'binary': {
      // `now() - interval '7 days'`: an instant moved by an interval literal is a constant instant
      if ((expr.op !== '+' && expr.op !== '-') || expr.right.kind !== 'literal' || expr.right.type !== 'interval') return undefined;
      const instant = constantValue(expr.left, params)?.value;
      const interval = parseInterval(String(expr.right.value));
      if (!(instant instanceof Date) || !interval) return undefined;
      return { value: addInterval(instant, interval, expr.op === '+' ? 1 : -1) };
    }
    case 'unary': {
      if (expr.op === 'NOT') return undefined;
      const inner = constantValue(expr.operand, params);
      if (!inner) return undefined;
      if (expr.op === '+') return inner;
      const v = inner.value;
      if (typeof v === 'number') return { value: -v };
      if (typeof v === 'bigint') return { value: -v };
      if (typeof v === 'string' && /^\d/.test(v)) return { value: `-${v}` };
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A constant cast to a type that holds it unchanged, as the value (`$1::int` with 5, `$1::uuid` with a
 * GUID's text, `$1::timestamptz` with a Date; SQLAlchemy and node-postgres cast every parameter), so
 * the comparison can still be sent; `current_date` (a cast of the statement's instant) is its UTC
 * midnight. A cast that could change the value (rounding, cutting a string, reading a date out of a
 * timestamp's text) is undefined: it is computed locally.
 */
function castUnchanged(value: ConstantValue, type: SqlType): { value: ConstantValue } | undefined {
  if (value === null) return { value };
  const name = typeName(type);
  if (isInteger(type) && name !== 'bit') {
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return { value };
    return typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? { value: value.trim() } : undefined;
  }
  if (isString(type)) {
    return typeof value === 'string' && (type.length === undefined || value.length <= type.length) ? { value } : undefined;
  }
  if (name === 'uniqueidentifier') return typeof value === 'string' ? { value } : undefined;
  if (name === 'date') {
    if (value instanceof Date) return { value: new Date(Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate())) };
    return typeof value === 'string' && /^\d{4}-\d\d-\d\d$/.test(value.trim()) ? { value: value.trim() } : undefined;
  }
  if (name === 'datetime2' || name === 'datetimeoffset') return value instanceof Date ? { value } : undefined;
  if (name === 'float' && typeof value === 'number') return { value };
  return undefined;
}

/** PostgreSQL's date_trunc of an instant in UTC (the adapter's time zone); undefined for a unit it does not know */
function truncateUtc(d: Date, unit: string): Date | undefined {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (unit) {
    case 'millennium': return new Date(Date.UTC(Math.floor((y - 1) / 1000) * 1000 + 1, 0, 1));
    case 'century': return new Date(Date.UTC(Math.floor((y - 1) / 100) * 100 + 1, 0, 1));
    case 'decade': return new Date(Date.UTC(Math.floor(y / 10) * 10, 0, 1));
    case 'year': return new Date(Date.UTC(y, 0, 1));
    case 'quarter': return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'month': return new Date(Date.UTC(y, m, 1));
    case 'week': return new Date(Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7)));
    case 'day': return new Date(Date.UTC(y, m, day));
    case 'hour': return new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
    case 'minute': return new Date(Math.floor(d.getTime() / 60_000) * 60_000);
    case 'second': return new Date(Math.floor(d.getTime() / 1000) * 1000);
    case 'milliseconds': case 'microseconds': return d;
    default: return undefined;
  }
}

/** a non-negative integer for TOP / OFFSET */
export function rowCountValue(expr: Expr, params: ParamValues, clause: string): number {
  const constant = constantValue(expr, params);
  const n = constant ? Number(constant.value) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new DynasqlError('DYNASQL_ERR_TYPE', `${clause} needs a non-negative whole number`);
  return n;
}
