/**
 * Result types of the aggregates. T-SQL: SUM and AVG of tinyint, smallint and int are int (AVG is
 * computed in that type, so it truncates), of bigint bigint, of money money, of decimal(p,s)
 * decimal(38,s) for SUM and decimal(38,max(s,6)) for AVG; COUNT is an int. PostgreSQL: SUM of
 * smallint/int is bigint, SUM of bigint and every AVG of an exact number are numeric, COUNT is bigint.
 *
 * `aggregateType('AVG', INT, 'tsql')` → int; `aggregateType('AVG', INT, 'postgresql')` → numeric.
 */
import { DynasqlError } from '../errors/index.js';
import { BIGINT, FLOAT, INT, MONEY, decimal, formatType, isApproximate, isDecimal, isInteger, isMoney, isNullType, isNumeric, typeName, type SqlType, type TypeDialect } from './sql-type.js';

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
  if (isMoney(type)) return MONEY;
  if (name === 'SUM' && isInteger(type) && typeName(type) !== 'bigint') return BIGINT;
  const scale = isDecimal(type) ? (type.scale ?? 0) : 0;
  // PostgreSQL's AVG of numbers prints at least 16 significant digits; dynasql keeps 16 decimals
  return decimal(38, name === 'SUM' ? scale : Math.max(scale, 16));
}

/** COUNT is an int in T-SQL, a bigint in PostgreSQL; COUNT_BIG always a bigint */
export function countType(name: 'COUNT' | 'COUNT_BIG', dialect: TypeDialect): SqlType {
  return name === 'COUNT_BIG' || dialect === 'postgresql' ? BIGINT : INT;
}
