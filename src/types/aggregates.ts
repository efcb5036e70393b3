/**
 * Result types of the aggregates. T-SQL: SUM and AVG of tinyint, smallint and int are int (AVG is
 * computed in that type, so it truncates), of bigint bigint, of money money, of decimal(p,s)
 * decimal(38,s) for SUM and decimal(38,max(s,6)) for AVG; COUNT is an int. PostgreSQL: SUM of
 * smallint/int is bigint, SUM of bigint and every AVG of an exact number are numeric (AVG's with a scale per
 * value, sql-type.ts valueScaledNumeric), COUNT is bigint.
 *
 * `aggregateType('AVG', INT, 'tsql')` → int; `aggregateType('AVG', INT, 'postgresql')` → numeric.
 */
import { DynasqlError } from '../errors/index.js';
import { asDecimal } from './decimal.js';
import { BIGINT, FLOAT, INT, MONEY, decimal, isValueScaled, postgresQuotientScale, valueScaledNumeric, formatType, isApproximate, isDecimal, isInteger, isMoney, isNullType, isNumeric, typeName, type SqlType, type TypeDialect } from './sql-type.js';

export type SumLike = 'SUM' | 'AVG';

export function aggregateType(name: SumLike, arg: SqlType, dialect: TypeDialect): SqlType {
  const type = isNullType(arg) ? INT : arg;
  if (!isNumeric(type) || typeName(type) === 'bit') {
    throw new DynasqlError('DYNASQL_ERR_TYPE', `${name} needs a number, not ${formatType(type)}`);
  }
  if (isApproximate(type)) return FLOAT;
  if (dialect === 'postgresql') return postgresType(name, type);
  if (isMoney(type)) return MONEY;
  if (isDecimal(type)) return decimal(38, name === 'SUM' ? (type.scale ?? 0) : Math.max(type.scale ?? 0, 6));
  return typeName(type) === 'bigint' ? BIGINT : INT;
}

function postgresType(name: SumLike, type: SqlType): SqlType {
  // money is numeric(19,4) to a PostgreSQL client: its average is a numeric quotient like any other's
  if (isMoney(type) && name === 'SUM') return MONEY;
  if (name === 'SUM' && isInteger(type) && typeName(type) !== 'bigint') return BIGINT;
  const scale = isDecimal(type) ? (type.scale ?? 0) : 0;
  if (name === 'SUM') return isValueScaled(type) ? valueScaledNumeric(scale) : decimal(38, scale);
  // PostgreSQL's AVG is its numeric division of the sum by the count: a scale per value
  const { precision, scale: s } = asDecimal(type);
  return valueScaledNumeric(postgresQuotientScale(precision - s, s));
}

/** COUNT is an int in T-SQL, a bigint in PostgreSQL; COUNT_BIG always a bigint */
export function countType(name: 'COUNT' | 'COUNT_BIG', dialect: TypeDialect): SqlType {
  return name === 'COUNT_BIG' || dialect === 'postgresql' ? BIGINT : INT;
}

/**
 * The type AVG sums in before dividing by the count (the local engine's AVG and a pushed one finished
 * locally): the result's integer type for an integer average (T-SQL's AVG(int) truncates), exact
 * decimals at the argument's scale otherwise (money's 4), kept value-scaled when the argument is
 * (a PostgreSQL average of quotients, whose sum carries their scale into the division).
 */
export function averageSumType(arg: SqlType, result: SqlType): SqlType {
  if (isApproximate(result)) return FLOAT;
  if (isInteger(result)) return typeName(result) === 'bigint' ? BIGINT : INT;
  if (isMoney(arg)) return decimal(38, 4);
  return isValueScaled(arg) ? valueScaledNumeric(arg.scale ?? 0) : decimal(38, arg.scale ?? 0);
}
