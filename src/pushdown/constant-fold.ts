/**
 * Constant expressions folded to one value before push-down, under the types the binder gave them
 * (T-SQL's rules, and PostgreSQL's where they differ, are already in each node's `sqlType`). Both
 * filter translators (OData and FetchXML) and the key finder of writes read constants through here,
 * so a constant has one value whatever carries it:
 *
 *   'Ma' + 'rk'                                 → 'Mark'
 *   10 * 100, 7 / 2, -(3)                       → '1000', '3', '-3'     (int / int truncates)
 *   CAST('2024-01-01' AS date)                  → 2024-01-01
 *   DATEADD(day, 1, CAST(GETDATE() AS DATE))    → tomorrow's UTC midnight (GETDATE() is the statement's instant)
 *   now() - interval '7 days'                   → an instant (PostgreSQL)
 *
 * Anything whose value could differ from what SQL Server computes (a rounding, a float, an overflow
 * or a conversion error that must be raised only when a row is read) is not folded: `undefined`, and
 * the condition is evaluated locally with full semantics.
 */
import type { Expr } from '../plan/index.js';
import { datePart, type DatePart } from '../plan/index.js';
import { isDateTime, isDecimal, isInteger, isMoney, isString, typeName, type SqlType } from '../types/index.js';
import { addInterval, parseInterval } from '../util/index.js';

export type ParamValues = ReadonlyMap<string | number, unknown>;
export type ConstantValue = string | number | boolean | bigint | Date | null;
type Folded = { value: ConstantValue } | undefined;

/** the value of a constant expression, or undefined when it is not one (or not foldable exactly) */
export function constantValue(expr: Expr, params: ParamValues): Folded {
  switch (expr.kind) {
    case 'literal':
      if (expr.type === 'null') return { value: null };
      if (expr.type === 'boolean') return { value: expr.value as boolean };
      return { value: expr.value as string };
    case 'param': {
      const value = params.get(expr.ref);
      // bytes have no literal the filters send (and compare without their trailing 0x00 bytes): local
      return Array.isArray(value) || value instanceof Uint8Array ? undefined : { value: value as ConstantValue };
    }
    case 'cast': {
      if (expr.try) return undefined;
      const inner = constantValue(expr.expr, params);
      return inner && castUnchanged(inner.value, expr.expr.sqlType, expr.sqlType);
    }
    case 'function':
      return foldCall(expr, params);
    case 'binary':
      return foldBinary(expr, params);
    case 'unary': {
      if (expr.op === 'NOT') return undefined;
      const inner = constantValue(expr.operand, params);
      if (!inner) return undefined;
      if (expr.op === '+') return inner;
      return foldNegation(expr, inner.value);
    }
    default:
      return undefined;
  }
}

/**
 * `-x` of an exact number, in the result type: `-(3)` → '-3'. Only numbers are negated here: T-SQL
 * refuses `-'5'` (a string is no operand of unary minus), and `-(-2147483648)` as int overflows;
 * both are left to the local step, which raises the error if a row is read.
 */
function foldNegation(expr: Extract<Expr, { kind: 'unary' }>, value: ConstantValue): Folded {
  if (value === null) return { value };
  // a float's negation is exact: only its sign changes (`-1.5e3`)
  const float = (t: SqlType) => typeName(t) === 'float' || typeName(t) === 'real';
  if (float(expr.operand.sqlType) && float(expr.sqlType)) {
    if (typeof value === 'number') return { value: -value };
    return typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) ? { value: negateText(value.trim()) } : undefined;
  }
  if (!exactNumberType(expr.operand.sqlType) || !exactNumberType(expr.sqlType)) return undefined;
  const n = scaled(value);
  return n && checkedNumber(formatScaled({ digits: -n.digits, scale: n.scale }), expr.sqlType);
}

function negateText(text: string): string {
  return text.startsWith('-') ? text.slice(1) : `-${text.replace(/^\+/, '')}`;
}

function foldCall(expr: Extract<Expr, { kind: 'function' }>, params: ParamValues): Folded {
  if (expr.over || expr.distinct || expr.star) return undefined;
  switch (expr.name) {
    case 'DATE_TRUNC': {
      // Metabase's relative dates: `date_trunc('month', (now() + (INTERVAL '-12 month')))`
      if (expr.args.length !== 2 || expr.args[0]!.kind !== 'literal') return undefined;
      const instant = constantValue(expr.args[1]!, params)?.value;
      if (!(instant instanceof Date) || typeName(expr.sqlType) !== 'datetimeoffset') return undefined;
      const truncated = truncateUtc(instant, String(expr.args[0]!.value).toLowerCase());
      return truncated && { value: truncated };
    }
    case 'DATEADD':
      return foldDateAdd(expr, params);
    default:
      return undefined;
  }
}

function foldBinary(expr: Extract<Expr, { kind: 'binary' }>, params: ParamValues): Folded {
  const { op, left, right } = expr;
  if (op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '%' && op !== '||') return undefined;
  // `now() - interval '7 days'`: an instant moved by an interval literal is a constant instant
  if ((op === '+' || op === '-') && right.kind === 'literal' && right.type === 'interval') {
    const instant = constantValue(left, params)?.value;
    const interval = parseInterval(String(right.value));
    if (!(instant instanceof Date) || !interval) return undefined;
    return { value: addInterval(instant, interval, op === '+' ? 1 : -1) };
  }
  const a = constantValue(left, params);
  if (!a) return undefined;
  const b = constantValue(right, params);
  if (!b) return undefined;
  // NULL in arithmetic or concatenation is NULL (T-SQL's CONCAT_NULL_YIELDS_NULL, PostgreSQL's ||)
  if (a.value === null || b.value === null) return { value: null };
  if ((op === '+' || op === '||') && isString(expr.sqlType)) {
    if (!isString(left.sqlType) || !isString(right.sqlType) || typeof a.value !== 'string' || typeof b.value !== 'string') return undefined;
    const text = a.value + b.value;
    // a concatenation longer than its type is cut by SQL Server; that is not this module's to repeat
    return expr.sqlType.length === undefined || text.length <= expr.sqlType.length ? { value: text } : undefined;
  }
  if (op === '||') return undefined;
  if (!exactNumberType(left.sqlType) || !exactNumberType(right.sqlType) || !exactNumberType(expr.sqlType)) return undefined;
  const x = scaled(a.value);
  const y = scaled(b.value);
  if (!x || !y) return undefined;
  const result = arithmetic(op, x, y, isInteger(expr.sqlType));
  return result && checkedNumber(formatScaled(result), expr.sqlType);
}

/** integers and decimals (not money, whose rounding to 4 places is not repeated here; not float) */
function exactNumberType(type: SqlType): boolean {
  return (isInteger(type) && typeName(type) !== 'bit') || (isDecimal(type) && !isMoney(type));
}

/** a number as digits and a count of decimal places: `'12.50'` → 1250n, 2 */
interface Scaled { digits: bigint; scale: number }

function scaled(value: ConstantValue): Scaled | undefined {
  if (typeof value === 'bigint') return { digits: value, scale: 0 };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { digits: BigInt(value), scale: 0 } : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(value);
  if (!m || (m[2] === '' && !m[3])) return undefined;
  const fraction = m[3] ?? '';
  const digits = BigInt(`${m[2] || '0'}${fraction}`);
  return { digits: m[1] === '-' ? -digits : digits, scale: fraction.length };
}

function rescale(n: Scaled, scale: number): bigint {
  return n.digits * 10n ** BigInt(scale - n.scale);
}

/**
 * `+ - *` exactly; `/` and `%` only between whole numbers (T-SQL truncates toward zero and the
 * remainder takes the dividend's sign, as BigInt does). Division by zero is an error SQL Server
 * raises only if a row is read: not folded.
 */
function arithmetic(op: string, x: Scaled, y: Scaled, wholeResult: boolean): Scaled | undefined {
  const scale = Math.max(x.scale, y.scale);
  switch (op) {
    case '+': return { digits: rescale(x, scale) + rescale(y, scale), scale };
    case '-': return { digits: rescale(x, scale) - rescale(y, scale), scale };
    case '*': return { digits: x.digits * y.digits, scale: x.scale + y.scale };
    case '/': case '%':
      if (!wholeResult || x.scale !== 0 || y.scale !== 0 || y.digits === 0n) return undefined;
      return { digits: op === '/' ? x.digits / y.digits : x.digits % y.digits, scale: 0 };
    default: return undefined;
  }
}

function formatScaled(n: Scaled): string {
  const negative = n.digits < 0n;
  const text = (negative ? -n.digits : n.digits).toString().padStart(n.scale + 1, '0');
  const whole = n.scale === 0 ? text : `${text.slice(0, -n.scale)}.${text.slice(-n.scale)}`;
  return negative ? `-${whole}` : whole;
}

const INTEGER_RANGE: Record<string, [bigint, bigint]> = {
  tinyint: [0n, 255n], smallint: [-32768n, 32767n], int: [-2147483648n, 2147483647n], bigint: [-9223372036854775808n, 9223372036854775807n],
};

/**
 * The number if the result type holds it as it is: an integer within its range, a decimal(p,s) with
 * at most s places (trailing zeros aside) and p-s whole digits. Otherwise SQL Server would round or
 * raise an overflow: not folded.
 */
function checkedNumber(text: string, type: SqlType): Folded {
  const n = scaled(text)!;
  if (isInteger(type)) {
    const [min, max] = INTEGER_RANGE[typeName(type)]!;
    return n.scale === 0 && n.digits >= min && n.digits <= max ? { value: text } : undefined;
  }
  const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  const places = trimmed.includes('.') ? trimmed.length - trimmed.indexOf('.') - 1 : 0;
  const whole = trimmed.replace(/^-/, '').split('.')[0]!.replace(/^0+/, '').length;
  const scale = type.scale ?? 0;
  const precision = type.precision ?? 18;
  return places <= scale && whole <= precision - scale ? { value: trimmed } : undefined;
}

/**
 * A constant cast to a type that holds it unchanged, as the value (`$1::int` with 5, `$1::uuid` with a
 * GUID's text, `$1::timestamptz` with a Date; SQLAlchemy and node-postgres cast every parameter), so
 * the comparison can still be sent; `CAST(GETDATE() AS DATE)` (a cast of the statement's instant) is
 * its UTC midnight. A cast that could change the value (rounding, cutting a string, reading a date
 * out of a timestamp's text) is undefined: it is computed locally.
 */
function castUnchanged(value: ConstantValue, from: SqlType, type: SqlType): Folded {
  if (value === null) return { value };
  const name = typeName(type);
  if (isInteger(type) && name !== 'bit') {
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return { value };
    return typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? checkedNumber(value.trim(), type) : undefined;
  }
  if (isString(type)) {
    const text = typeof value === 'string' ? textOf(value, from) : undefined;
    if (text === undefined || (type.length !== undefined && text.length > type.length)) return undefined;
    // char(n) / nchar(n) pad with blanks (which LIKE sees)
    return { value: (name === 'char' || name === 'nchar') && type.length !== undefined ? text.padEnd(type.length, ' ') : text };
  }
  if (name === 'uniqueidentifier') return typeof value === 'string' ? { value } : undefined;
  if (name === 'date') {
    if (value instanceof Date) return { value: new Date(Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate())) };
    return typeof value === 'string' && /^\d{4}-\d\d-\d\d$/.test(value.trim()) ? { value: value.trim() } : undefined;
  }
  if (name === 'datetime') {
    const instant = value instanceof Date ? value : typeof value === 'string' ? isoInstant(value) : undefined;
    return instant && asDatetime(instant);
  }
  if (name === 'datetime2' || name === 'datetimeoffset') return value instanceof Date ? { value } : undefined;
  if (name === 'float' && typeof value === 'number') return { value };
  return undefined;
}

/**
 * A string, or a whole number or decimal as SQL Server writes it (`CAST(007 AS varchar)` is `'7'`,
 * `CAST(5.50 AS varchar)` is `'5.50'`); a float's or a date's text is SQL Server's own format: not folded.
 */
function textOf(value: string, from: SqlType): string | undefined {
  if (isString(from)) return value;
  if (isInteger(from) && typeName(from) !== 'bit' && /^\s*[+-]?\d+\s*$/.test(value)) return BigInt(value.trim()).toString();
  if (isDecimal(from) && /^-?(0|[1-9]\d*)\.\d+$/.test(value)) return value;
  return undefined;
}

/**
 * datetime holds 1/300 seconds (.000, .003, .007): an instant with whole hundredths of a second is
 * one exactly; any other would be rounded by SQL Server, and is not folded. The connection takes the
 * statement's instant in whole hundredths so that `GETDATE()` always folds.
 */
function asDatetime(d: Date): Folded {
  const year = d.getUTCFullYear();
  return d.getUTCMilliseconds() % 10 === 0 && year >= 1753 && year <= 9999 ? { value: d } : undefined;
}

/** `'2024-01-31'`, `'2024-01-31T10:00:00'` (ISO 8601, read alike in every language setting) as a UTC instant */
function isoInstant(text: string): Date | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0', f = '0'] = m.slice(1).map((p) => p ?? undefined) as string[];
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, Number(f.padEnd(3, '0'))));
  if (date.getUTCFullYear() !== +y! || date.getUTCMonth() !== +mo! - 1 || date.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +s > 59) return undefined;
  date.setUTCFullYear(+y!); // years below 100 are not 19xx
  return date;
}

/**
 * T-SQL's DATEADD over a constant date with a whole-number count: months (and years, quarters) keep
 * the day but never pass the month's last one (`DATEADD(month, 1, '2024-01-31')` is February 29th);
 * the result has the date argument's type (a string is a datetime). A time part added to a `date` is
 * an error SQL Server raises: not folded.
 */
function foldDateAdd(expr: Extract<Expr, { kind: 'function' }>, params: ParamValues): Folded {
  const [partArg, countArg, dateArg] = expr.args;
  if (partArg?.kind !== 'keyword' || !countArg || !dateArg || !isInteger(countArg.sqlType)) return undefined;
  let part: DatePart;
  try {
    part = datePart(partArg.word);
  } catch {
    return undefined;
  }
  const count = constantValue(countArg, params);
  const date = constantValue(dateArg, params);
  if (!count || !date) return undefined;
  if (count.value === null || date.value === null) return { value: null };
  const n = Number(count.value);
  if (!Number.isSafeInteger(n)) return undefined;
  const resultType = typeName(expr.sqlType);
  // a string (a datetime to DATEADD) or a date's text; the text of a datetime2 or datetimeoffset is not read here
  const readable = typeof date.value === 'string' && (!isDateTime(dateArg.sqlType) || typeName(dateArg.sqlType) === 'date');
  const start = date.value instanceof Date ? date.value : readable ? isoInstant(String(date.value)) : undefined;
  if (!start) return undefined;
  const timePart = part === 'hour' || part === 'minute' || part === 'second' || part === 'millisecond';
  if (resultType === 'date' && timePart) return undefined;
  const moved = movedBy(start, part, n);
  if (resultType === 'date') return inDateRange(moved) ? { value: moved } : undefined;
  if (resultType === 'datetime') return asDatetime(moved);
  if (resultType === 'datetime2' || resultType === 'datetimeoffset') return inDateRange(moved) ? { value: moved } : undefined;
  return undefined;
}

function movedBy(d: Date, part: DatePart, n: number): Date {
  switch (part) {
    case 'year': return addInterval(d, { months: 12 * n, days: 0, micros: 0 });
    case 'quarter': return addInterval(d, { months: 3 * n, days: 0, micros: 0 });
    case 'month': return addInterval(d, { months: n, days: 0, micros: 0 });
    case 'week': return addInterval(d, { months: 0, days: 7 * n, micros: 0 });
    case 'dayofyear': case 'day': case 'weekday': return addInterval(d, { months: 0, days: n, micros: 0 });
    case 'hour': return new Date(d.getTime() + n * 3_600_000);
    case 'minute': return new Date(d.getTime() + n * 60_000);
    case 'second': return new Date(d.getTime() + n * 1000);
    case 'millisecond': return new Date(d.getTime() + n);
  }
}

function inDateRange(d: Date): boolean {
  const year = d.getUTCFullYear();
  return Number.isFinite(d.getTime()) && year >= 1 && year <= 9999;
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
