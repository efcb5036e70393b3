/**
 * T-SQL data type precedence: when an operator combines two types, the one lower in this list is
 * converted to the higher one (`money * int` is money, `int + '1'` is an int, any float makes a float).
 */
import { isNullType, typeName, type SqlType } from './sql-type.js';

/** highest first (the part of SQL Server's list that dynasql's types reach) */
const ORDER = [
  'datetimeoffset', 'datetime2', 'datetime', 'smalldatetime', 'date', 'time',
  'float', 'real', 'decimal', 'money', 'smallmoney', 'bigint', 'int', 'smallint', 'tinyint', 'bit',
  'ntext', 'text', 'uniqueidentifier', 'nvarchar', 'nchar', 'varchar', 'char', 'varbinary', 'binary', 'boolean',
];
const RANK = new Map(ORDER.map((name, i) => [name, ORDER.length - i]));

/** a number that grows with precedence (unknown names rank lowest) */
export function precedence(type: SqlType): number {
  return RANK.get(typeName(type)) ?? 0;
}

/** the operand whose type wins; an untyped NULL never wins */
export function higher(a: SqlType, b: SqlType): SqlType {
  if (isNullType(a)) return b;
  if (isNullType(b)) return a;
  return precedence(b) > precedence(a) ? b : a;
}
