/**
 * The values apps get in rows, whichever way a row was computed (decoded from the service, or by the
 * local engine). Integers that fit a JavaScript number come back as numbers and larger ones as exact
 * decimal strings, as node-postgres does, so `JSON.stringify(rows)` always works: `SUM(int)` and
 * `ROW_NUMBER()` are BIGINT in the engine, and Edm.Int64 decodes to bigint. `Use BigInt=true` keeps
 * them as BigInt instead (and makes every bigint column BigInt). Date-only columns (`date`) come back
 * as `YYYY-MM-DD` text: a Date would stand for midnight UTC, which is a different day west of UTC.
 * Decimals and money are exact strings already; other values pass unchanged. The table is in
 * docs/values-and-types.md.
 */
import type { QueryResult, ResultColumn, Row, SqlValue } from './types.js';

export interface ValueOptions {
  /** integers as BigInt instead of number-or-string */
  useBigInt: boolean;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

/** `2026-12-07` from a date-only value held as midnight UTC */
export function dateOnlyText(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function plainInteger(value: bigint): number | string {
  return value >= MIN && value <= MAX ? Number(value) : value.toString();
}

/** a function that converts one row of a result with these columns (the same object when nothing changes) */
export function rowPresenter(columns: readonly ResultColumn[], options: ValueOptions): (row: Row) => Row {
  const dates = columns.filter((c) => c.type === 'date').map((c) => c.name);
  // engine BIGINT/HUGEINT/UBIGINT and Edm.Int64 are the columns whose values may be bigint
  const integers = columns.filter((c) => /int/i.test(c.type)).map((c) => ({ name: c.name, wide: /bigint/i.test(c.type) }));
  if (dates.length === 0 && integers.length === 0) return (row) => row;
  return (row) => {
    // a copy when something changes: rows may be shared (a procedure's cached answer)
    let out: Row | undefined;
    const set = (name: string, value: SqlValue) => { (out ??= { ...row })[name] = value; };
    for (const { name, wide } of integers) {
      const value = row[name];
      if (options.useBigInt) {
        if (wide && typeof value === 'number' && Number.isInteger(value)) set(name, BigInt(value));
      } else if (typeof value === 'bigint') set(name, plainInteger(value));
    }
    for (const name of dates) {
      const value = row[name];
      if (value instanceof Date && !Number.isNaN(value.getTime())) set(name, dateOnlyText(value));
    }
    return out ?? row;
  };
}

/** the result with its rows converted */
export function presentResult(result: QueryResult, options: ValueOptions): QueryResult {
  if (result.rows.length === 0) return result;
  return { ...result, rows: result.rows.map(rowPresenter(result.columns, options)) };
}
