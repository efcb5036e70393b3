/**
 * Parameter values as plain JS values for push-down. `@name` parameters come from an object (matched
 * case-insensitively), `$1` / `?` from an array. Constant expressions are read by constant-fold.ts.
 * `resolveParams([0], ['Contoso'])` → `Map { 0 => 'Contoso' }`.
 */
import { DynasqlError } from '../errors/index.js';
import type { Expr } from '../plan/index.js';
import { STATEMENT_TIME } from '../util/index.js';
import { constantValue, type ParamValues } from './constant-fold.js';

export { constantValue, type ConstantValue, type ParamValues } from './constant-fold.js';

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
      // in whole hundredths of a second, which T-SQL's datetime holds exactly (GETDATE() then folds: constant-fold.ts)
      values.set(ref, new Date(Math.floor(statementTime.getTime() / 10) * 10));
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
  // bytes (a Buffer too) are a varbinary value, copied for the same reason as a Date
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  // an array is a list for `= ANY($1)` / `<> ALL($1)` (node-postgres sends JavaScript arrays); the binder refuses it anywhere else
  if (Array.isArray(value)) return value.map((item, i) => checkValue(item, `${name}[${i + 1}]`));
  throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Parameter ${name} has an unsupported type (${typeof value}); use a string, number, boolean, bigint, Date, Uint8Array or null`);
}

/** a non-negative integer for TOP / OFFSET */
export function rowCountValue(expr: Expr, params: ParamValues, clause: string): number {
  const constant = constantValue(expr, params);
  const n = constant ? Number(constant.value) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new DynasqlError('DYNASQL_ERR_TYPE', `${clause} needs a non-negative whole number`);
  return n;
}
