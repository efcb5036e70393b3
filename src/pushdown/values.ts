/**
 * Parameter values and constant expressions as plain JS values for push-down. `@name` parameters
 * come from an object (matched case-insensitively), `$1` / `?` from an array.
 * `constantValue({kind:'param', ref:0}, params)` → `{ value: 'Contoso' }`.
 */
import { DynasqlError } from '../errors/index.js';
import type { Expr } from '../plan/index.js';

export type ParamValues = ReadonlyMap<string | number, unknown>;

export function resolveParams(refs: readonly (string | number)[], given: Record<string, unknown> | readonly unknown[] | undefined): Map<string | number, unknown> {
  const values = new Map<string | number, unknown>();
  for (const ref of refs) {
    if (typeof ref === 'number') {
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
    case 'param':
      return { value: params.get(expr.ref) as ConstantValue };
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

/** a non-negative integer for TOP / OFFSET */
export function rowCountValue(expr: Expr, params: ParamValues, clause: string): number {
  const constant = constantValue(expr, params);
  const n = constant ? Number(constant.value) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new DynasqlError('DYNASQL_ERR_TYPE', `${clause} needs a non-negative whole number`);
  return n;
}
