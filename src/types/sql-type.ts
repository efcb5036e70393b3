/**
 * SQL Server data types as the binder sees them: the catalog's `SqlType` shape (`{name:'decimal',
 * precision:38, scale:10}`) plus two names that exist only inside a statement:
 * - `boolean`: the value of a predicate (`a > 1`); T-SQL has no boolean values, a predicate that
 *   reaches a result (PostgreSQL dialect `SELECT a > 1`) is reported as `bit`.
 * - `null`: an untyped NULL (the literal NULL, or a parameter whose value is not known when binding);
 *   it takes the type of whatever it meets (`NULL + 1` is an int).
 * An integer literal carries its digit count as `precision` (`250` is `{name:'int', precision:3}`):
 * T-SQL converts it to numeric(3,0), not numeric(10,0), when it meets a decimal.
 */
import type { SqlType } from '../catalog/types.js';

export type { SqlType };

/** the dialect whose typing rules apply (they differ for AVG, numeric division, COUNT) */
export type TypeDialect = 'tsql' | 'postgresql';

const freeze = (type: SqlType): SqlType => Object.freeze(type);

export const BIT = freeze({ name: 'bit' });
export const TINYINT = freeze({ name: 'tinyint' });
export const SMALLINT = freeze({ name: 'smallint' });
export const INT = freeze({ name: 'int' });
export const BIGINT = freeze({ name: 'bigint' });
export const MONEY = freeze({ name: 'money', precision: 19, scale: 4 });
export const FLOAT = freeze({ name: 'float' });
export const REAL = freeze({ name: 'real' });
export const DATE = freeze({ name: 'date' });
export const DATETIME = freeze({ name: 'datetime' });
export const DATETIME2 = freeze({ name: 'datetime2', precision: 7 });
export const DATETIMEOFFSET = freeze({ name: 'datetimeoffset', precision: 7 });
export const TIME = freeze({ name: 'time', precision: 7 });
export const NVARCHAR_MAX = freeze({ name: 'nvarchar' });
export const UNIQUEIDENTIFIER = freeze({ name: 'uniqueidentifier' });
export const BOOLEAN = freeze({ name: 'boolean' });
export const NULL = freeze({ name: 'null' });
/** PostgreSQL's interval (months, days and microseconds; util/interval.ts), in the PostgreSQL dialect only */
export const INTERVAL = freeze({ name: 'interval' });

export function decimal(precision: number, scale: number): SqlType {
  return { name: 'decimal', precision, scale };
}

export function nvarchar(length?: number): SqlType {
  return length === undefined ? NVARCHAR_MAX : { name: 'nvarchar', length };
}

export function varchar(length?: number): SqlType {
  return length === undefined ? { name: 'varchar' } : { name: 'varchar', length };
}

const INTEGERS = new Set(['bit', 'tinyint', 'smallint', 'int', 'bigint']);
const EXACT = new Set(['decimal', 'numeric', 'money', 'smallmoney']);
const APPROXIMATE = new Set(['float', 'real']);
const STRINGS = new Set(['char', 'varchar', 'nchar', 'nvarchar', 'text', 'ntext']);
const DATES = new Set(['date', 'datetime', 'datetime2', 'smalldatetime', 'datetimeoffset', 'time']);

/** the canonical spelling of a type name (`numeric` is `decimal`) */
export function typeName(type: SqlType): string {
  const name = type.name.toLowerCase();
  return name === 'numeric' ? 'decimal' : name;
}

export const isNullType = (t: SqlType): boolean => t.name === 'null';
export const isBoolean = (t: SqlType): boolean => t.name === 'boolean';
/** bit, tinyint, smallint, int, bigint */
export const isInteger = (t: SqlType): boolean => INTEGERS.has(typeName(t));
/** decimal / numeric */
export const isDecimal = (t: SqlType): boolean => typeName(t) === 'decimal';
export const isMoney = (t: SqlType): boolean => typeName(t) === 'money' || typeName(t) === 'smallmoney';
/** decimal, numeric, money, smallmoney */
export const isExactFraction = (t: SqlType): boolean => EXACT.has(typeName(t));
export const isApproximate = (t: SqlType): boolean => APPROXIMATE.has(typeName(t));
export const isNumeric = (t: SqlType): boolean => isInteger(t) || isExactFraction(t) || isApproximate(t);
export const isString = (t: SqlType): boolean => STRINGS.has(typeName(t));
/** varbinary, binary, image: bytes, compared as T-SQL does (trailing 0x00 bytes do not count) */
export const isBinary = (t: SqlType): boolean => ['varbinary', 'binary', 'image'].includes(typeName(t));
export const isUnicode = (t: SqlType): boolean => ['nchar', 'nvarchar', 'ntext'].includes(typeName(t));
export const isDateTime = (t: SqlType): boolean => DATES.has(typeName(t));

/** `decimal(38,10)`, `nvarchar(max)`, `int`: the type as a user reads it in an error message */
export function formatType(type: SqlType): string {
  const name = typeName(type);
  if (STRINGS.has(name) || name === 'varbinary' || name === 'binary') {
    return name === 'text' || name === 'ntext' ? name : `${name}(${type.length ?? 'max'})`;
  }
  if (name === 'decimal') return `decimal(${type.precision ?? 18},${type.scale ?? 0})`;
  return name;
}

/**
 * The type as a result column reports it: internal names become what a client can use (`boolean` → bit,
 * `null` → int, the type SQL Server gives `SELECT NULL`), and only decimals keep precision and scale.
 */
export function resultType(type: SqlType): SqlType {
  if (isBoolean(type)) return BIT;
  if (isNullType(type)) return INT;
  const name = typeName(type);
  if (name === 'decimal') return decimal(type.precision ?? 18, type.scale ?? 0);
  if (name === 'money') return MONEY;
  if (STRINGS.has(name) || name === 'varbinary') return type.length === undefined ? { name } : { name, length: type.length };
  if (type.precision !== undefined && (name === 'datetime2' || name === 'datetimeoffset' || name === 'time')) return { name, precision: type.precision };
  return name === type.name && type.precision === undefined && type.scale === undefined && type.length === undefined ? type : { name };
}

/**
 * An integer literal's digit count (`9235` enters decimal arithmetic as decimal(4,0)) belongs to the
 * literal only: the value of ISNULL / COALESCE / CASE / a UNION column, or of a function such as ABS(2),
 * is an int, decimal(10,0) in arithmetic (`ISNULL(9235, @p) * 0.25` is decimal(13,2), KNOWN.md #44;
 * `ABS(2) / 100.125` is decimal(20,7), #40533).
 */
export function plainInteger(type: SqlType): SqlType {
  return typeName(type) === 'int' && type.precision !== undefined ? INT : type;
}

/**
 * PostgreSQL's `numeric` without a declared scale, the type of the PostgreSQL dialect's numeric division
 * and AVG: each value carries its own scale (a quotient gets at least 16 significant digits and is
 * rounded; `10588.367521367521`, `0.26666666666666666667`). It is a decimal everywhere (typeName) and is
 * told apart only by its name, so that the local engine divides the PostgreSQL way; `scale` is how many
 * decimals the local engine keeps for it (see postgresQuotientScale).
 */
export function valueScaledNumeric(scale: number): SqlType {
  return { name: 'numeric', precision: 38, scale };
}

export const isValueScaled = (t: SqlType): boolean => t.name === 'numeric';

/**
 * The decimals kept for a PostgreSQL quotient whose integral part needs up to `integralDigits` digits:
 * 20, which holds every quotient PostgreSQL gives 20 or fewer decimals (all of at least 1e-4), when
 * they fit beside the integral digits in 38; else 16. Never fewer than an operand's `scale`.
 */
export function postgresQuotientScale(integralDigits: number, scale: number): number {
  return Math.min(37, Math.max(scale, integralDigits + 20 <= 38 ? 20 : 16));
}
