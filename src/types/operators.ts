/**
 * Result types of operators under T-SQL's rules (and PostgreSQL's where they differ): arithmetic
 * (`int / int` is an int, money stays money, decimals per decimal.ts, any float makes a float), string
 * concatenation with `+` (`nvarchar + varchar` is nvarchar, lengths add up to the 4,000 / 8,000 cap),
 * and the type two operands are compared as (`datecol = '2024-01-01'` compares dates).
 *
 * `arithmeticType('/', INT, INT, 'tsql')` → int; `arithmeticType('/', MONEY, INT, 'tsql')` → money.
 */
import { DynasqlError } from '../errors/index.js';
import { asDecimal, decimalResult, MAX_PRECISION } from './decimal.js';
import { higher } from './precedence.js';
import {
  DATETIME, DATETIME2, FLOAT, INT, INTERVAL, MONEY, NVARCHAR_MAX, REAL, decimal, formatType, isApproximate, isBinary, isBoolean, isDateTime, isDecimal, isExactFraction,
  isInteger, isMoney, isNullType, isNumeric, isString, isUnicode, isValueScaled, postgresQuotientScale, typeName, valueScaledNumeric, type SqlType, type TypeDialect,
} from './sql-type.js';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

const OPERATOR_NAMES: Record<ArithmeticOp, string> = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide', '%': 'modulo' };

function clash(op: ArithmeticOp, left: SqlType, right: SqlType): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_TYPE', `The ${OPERATOR_NAMES[op]} operator (${op}) cannot combine ${formatType(left)} and ${formatType(right)}`);
}

/** `a + b` where both are strings: nvarchar if either is, lengths summed up to the cap, else (max) */
export function concatenationType(left: SqlType, right: SqlType): SqlType {
  const unicode = isUnicode(left) || isUnicode(right);
  const cap = unicode ? 4000 : 8000;
  const name = unicode ? 'nvarchar' : 'varchar';
  if (left.length === undefined || right.length === undefined) return { name };
  const length = left.length + right.length;
  return length > cap ? { name, length: cap } : { name, length };
}

/**
 * PostgreSQL's `a || b`: bytes with bytes append into bytes (`bytea || bytea` is bytea); otherwise
 * every operand is turned into text and the result is text.
 */
export function pipesConcatenationType(left: SqlType, right: SqlType): SqlType {
  if (isBinary(left) && isBinary(right)) {
    if (left.length === undefined || right.length === undefined || left.length + right.length > 8000) return { name: 'varbinary' };
    return { name: 'varbinary', length: left.length + right.length };
  }
  const asText = (t: SqlType) => (isString(t) ? t : NVARCHAR_MAX);
  return concatenationType(asText(left), asText(right));
}

/** the type of `left op right`, or a DYNASQL_ERR_TYPE naming the operand types that do not combine */
export function arithmeticType(op: ArithmeticOp, left: SqlType, right: SqlType, dialect: TypeDialect): SqlType {
  if (isNullType(left) && isNullType(right)) return INT;
  const l = isNullType(left) ? right : left;
  const r = isNullType(right) ? left : right;
  if (isBoolean(l) || isBoolean(r)) throw clash(op, l, r);
  if (isBinary(l) || isBinary(r)) return binaryArithmeticType(op, l, r);
  if (typeName(l) === 'interval' || typeName(r) === 'interval') return intervalArithmeticType(op, l, r);
  if (isString(l) && isString(r)) {
    if (op === '+') return concatenationType(l, r);
    throw clash(op, l, r);
  }
  if (isDateTime(l) || isDateTime(r)) return dateArithmeticType(op, l, r, dialect);
  // a string meeting a number is converted to the number's type ('1' + 1 is 2)
  const a = isString(l) ? r : l;
  const b = isString(r) ? l : r;
  if (!isNumeric(a) || !isNumeric(b)) throw clash(op, l, r);
  if (isApproximate(a) || isApproximate(b)) {
    if (op === '%' ) throw clash(op, l, r);
    return typeName(a) === 'real' && typeName(b) === 'real' ? REAL : FLOAT;
  }
  const top = higher(a, b);
  if (isDecimal(top)) return dialect === 'postgresql' ? postgresNumericType(op, a, b) : decimalResult(op, a, b);
  // the PostgreSQL dialect shows money as numeric(19,4) (pgwire) and computes with it as PostgreSQL does
  if (isMoney(top)) return dialect === 'postgresql' ? postgresNumericType(op, a, b) : MONEY;
  return integerType(a, b);
}

/** `bytes + bytes` appends them (T-SQL), up to varbinary's 8,000 bytes; bytes meeting another type: see bytesMeet */
function binaryArithmeticType(op: ArithmeticOp, l: SqlType, r: SqlType): SqlType {
  if (!isBinary(l) || !isBinary(r)) throw bytesMeet(l, r);
  if (op !== '+') throw clash(op, l, r);
  if (l.length === undefined || r.length === undefined) return { name: 'varbinary' };
  return { name: 'varbinary', length: Math.min(l.length + r.length, 8000) };
}

/**
 * Bytes meeting a string, a number or a date: T-SQL converts the bytes implicitly (reading them as
 * characters in the column's code page or UTF-16, or as a big-endian integer), which dynasql does not do.
 */
function bytesMeet(left: SqlType, right: SqlType): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${formatType(left)} meeting ${formatType(right)} (an implicit conversion of bytes); bytes meet only bytes`);
}

/** the wider integer type (same types stay: tinyint + tinyint is tinyint); bit counts as an int */
function integerType(a: SqlType, b: SqlType): SqlType {
  const top = higher(a, b);
  return typeName(top) === 'bit' ? INT : { name: typeName(top) };
}

/**
 * PostgreSQL's numeric has no fixed precision: + and - keep the larger scale, * adds the scales, and
 * division picks a scale per value (at least 16 significant digits, rounded): its quotient is
 * value-scaled (sql-type.ts valueScaledNumeric), and so is what + - * make of a value-scaled operand,
 * whose scale a later division reads.
 */
function postgresNumericType(op: ArithmeticOp, a: SqlType, b: SqlType): SqlType {
  const s1 = isExactFraction(a) ? (a.scale ?? 0) : 0;
  const s2 = isExactFraction(b) ? (b.scale ?? 0) : 0;
  if (op === '/') {
    const integral = (isExactFraction(a) || isInteger(a) ? asDecimal(a).precision - s1 : MAX_PRECISION) + s2;
    return valueScaledNumeric(postgresQuotientScale(integral, Math.max(s1, s2)));
  }
  const scale = Math.min(op === '*' ? s1 + s2 : Math.max(s1, s2), MAX_PRECISION - 1);
  return isValueScaled(a) || isValueScaled(b) ? valueScaledNumeric(scale) : decimal(MAX_PRECISION, scale);
}

/**
 * datetime ± a number adds days (T-SQL); datetime2, date and time take no arithmetic in T-SQL. In the
 * PostgreSQL dialect a date ± an integer is a date.
 */
/**
 * PostgreSQL's interval arithmetic: a timestamp or date plus or minus an interval is a timestamp (a
 * timestamptz stays one; a date becomes a timestamp), interval ± interval an interval. Intervals come
 * only from the PostgreSQL dialect (interval literals, timestamp − timestamp).
 */
function intervalArithmeticType(op: ArithmeticOp, l: SqlType, r: SqlType): SqlType {
  const interval = (t: SqlType) => typeName(t) === 'interval';
  if (interval(l) && interval(r) && (op === '+' || op === '-')) return INTERVAL;
  const date = interval(l) ? r : l;
  if (isDateTime(date) && typeName(date) !== 'time' && (op === '+' || (op === '-' && date === l))) {
    return typeName(date) === 'datetimeoffset' ? date : DATETIME2;
  }
  throw clash(op, l, r);
}

function dateArithmeticType(op: ArithmeticOp, l: SqlType, r: SqlType, dialect: TypeDialect): SqlType {
  const date = isDateTime(l) ? l : r;
  const other = date === l ? r : l;
  if (dialect === 'postgresql') {
    if (typeName(date) === 'date' && isInteger(other) && (op === '+' || (op === '-' && date === l))) return date;
    // timestamp − timestamp is an interval, date − date a number of days
    if (op === '-' && isDateTime(other) && typeName(l) !== 'time' && typeName(r) !== 'time') {
      return typeName(l) === 'date' && typeName(r) === 'date' ? INT : INTERVAL;
    }
    throw clash(op, l, r);
  }
  const name = typeName(date);
  if ((name === 'datetime' || name === 'smalldatetime') && (op === '+' || op === '-') && (isNumeric(other) || typeName(other) === name)) {
    return DATETIME;
  }
  throw clash(op, l, r);
}

/** unary minus keeps the type (−tinyint is a smallint in T-SQL: tinyint is unsigned) */
export function negationType(operand: SqlType): SqlType {
  if (isNullType(operand)) return INT;
  if (!isNumeric(operand)) throw new DynasqlError('DYNASQL_ERR_TYPE', `A minus sign cannot apply to ${formatType(operand)}`);
  if (typeName(operand) === 'tinyint' || typeName(operand) === 'bit') return INT;
  return operand;
}

/**
 * The type two values are compared as: the higher-precedence one (`intcol = '5'` compares ints,
 * `datecol < '2024-01-01'` dates). Types that do not convert into each other are refused.
 */
export function comparisonType(left: SqlType, right: SqlType): SqlType {
  if (isNullType(left)) return right;
  if (isNullType(right)) return left;
  if (isBinary(left) || isBinary(right)) {
    if (isBinary(left) && isBinary(right)) return { name: 'varbinary' };
    throw bytesMeet(left, right);
  }
  const top = higher(left, right);
  const low = top === left ? right : left;
  if (isString(low) || isNullType(low)) return top;
  const family = (t: SqlType) => (isNumeric(t) ? 'number' : isString(t) ? 'string' : isDateTime(t) ? 'date' : isBoolean(t) ? 'number' : typeName(t));
  if (family(top) === family(low)) return top;
  // datetime (not the newer types) converts from numbers in T-SQL; nothing else crosses families
  if (typeName(top) === 'datetime' && isNumeric(low)) return top;
  throw new DynasqlError('DYNASQL_ERR_TYPE', `${formatType(left)} cannot be compared with ${formatType(right)}`);
}



