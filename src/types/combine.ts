/**
 * The one type of several values that meet in one column: the results of a CASE / IIF / COALESCE,
 * the rows of a UNION. The highest precedence wins; decimals widen to hold every input (integral
 * digits and scale, the UNION rule), strings to the longest, nvarchar if any is.
 * ISNULL differs: its type is its first argument's. In the PostgreSQL dialect decimals meet as
 * numeric, which has no fixed precision: the larger scale is kept whole (T-SQL's rule would cut a
 * money column to the other side's scale once the integral digits pass 38).
 *
 * `commonType([INT, decimal(5,2)], 'tsql')` → decimal(12,2); `commonType([varchar(3), nvarchar(10)], 'tsql')` → nvarchar(10);
 * `commonType([MONEY, decimal(38,1)], 'postgresql')` → decimal(38,4).
 */
import { DynasqlError } from '../errors/index.js';
import { asDecimal, decimalResult, MAX_PRECISION } from './decimal.js';
import { higher } from './precedence.js';
import { comparisonType } from './operators.js';
import { INT, decimal, plainInteger, formatType, isBinary, isDecimal, isNullType, isString, isUnicode, typeName, type SqlType, type TypeDialect } from './sql-type.js';

export function commonType(types: readonly SqlType[], dialect: TypeDialect): SqlType {
  let result: SqlType | undefined;
  for (const type of types) {
    if (isNullType(type)) continue;
    result = result === undefined ? type : combine(result, type, dialect);
  }
  return result === undefined ? INT : plainInteger(result);
}

function combine(a: SqlType, b: SqlType, dialect: TypeDialect): SqlType {
  try {
    comparisonType(a, b);
  } catch (error) {
    if (DynasqlError.is(error, 'DYNASQL_ERR_UNSUPPORTED_SQL')) throw error;
    throw new DynasqlError('DYNASQL_ERR_TYPE', `${formatType(a)} and ${formatType(b)} cannot be combined into one column`);
  }
  const top = higher(a, b);
  if (isDecimal(top)) return dialect === 'postgresql' ? decimal(MAX_PRECISION, Math.min(Math.max(asDecimal(a).scale, asDecimal(b).scale), MAX_PRECISION - 1)) : decimalResult('union', a, b);
  if (isBinary(a) && isBinary(b)) return a.length === undefined || b.length === undefined ? { name: 'varbinary' } : { name: 'varbinary', length: Math.max(a.length, b.length) };
  if (isString(a) && isString(b)) {
    const name = isUnicode(a) || isUnicode(b) ? 'nvarchar' : 'varchar';
    if (a.length === undefined || b.length === undefined) return { name };
    return { name, length: Math.max(a.length, b.length) };
  }
  return top;
}

/** ISNULL(a, b): the type of a; when a is an untyped NULL, b's; both NULL: int */
export function isnullType(first: SqlType, second: SqlType): SqlType {
  if (!isNullType(first)) return plainInteger(first);
  return isNullType(second) ? INT : plainInteger(second);
}
