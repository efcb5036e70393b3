/**
 * The function table: one row per SQL function dynasql understands, holding everything about it in
 * one place: its spellings per dialect, its kind, how many arguments it takes, its result type by
 * T-SQL's rules (PostgreSQL's where they differ), whether string comparison inside it follows the
 * case-insensitive collation, how the local engine (DuckDB) computes it, and its OData function
 * where one exists. Binding checks names and arguments against it and types every call; the local
 * renderer asks it for the DuckDB form; push-down may read `odata` (a hint: the service evaluates
 * it with its own semantics, so a rule must still prove the result unchanged).
 *
 * `functionDef('LEN')` → `{name:'LEN', kind:'scalar', result: int, local: length(rtrim(x)) …}`;
 * `functionKind('count')` → 'aggregate'.
 */
import { DynasqlError } from '../errors/index.js';
import { CURRENT_USER_ID, predicateSpellings, SERVICE_PREDICATES, serviceOnly } from './service-predicates.js';
import { decodeFiscal, fiscalPeriodSql, fiscalYearSql } from './fiscal.js';
import { dateTruncSql } from './date-trunc-sql.js';
import { fieldScale, isPgDateField, isPgTruncUnit, pgFieldValue, pgTruncSql, toCharSql, unknownField } from './pg-date-fields.js';
import {
  averageSumType, BIGINT, DATE, DATETIME, DATETIME2, DATETIMEOFFSET, FLOAT, INT, NVARCHAR_MAX, UNIQUEIDENTIFIER,
  aggregateType, commonType, countType, decimal, formatType, isApproximate, isDateTime, isDecimal, isInteger, isMoney, isNullType,
  isNumeric, isString, isUnicode, isnullType, nvarchar, typeName, type SqlType, type TypeDialect,
} from '../types/index.js';

export type FunctionKind = 'aggregate' | 'window' | 'scalar';

/** an argument as the local renderer hands it to a local form: its DuckDB SQL and its T-SQL type */
export interface LocalArg { sql: string; type: SqlType }

/** what a local form may ask the renderer for */
export interface LocalForms {
  /** `arg` converted to `type` with T-SQL's conversion rules (money → int rounds, float → int truncates) */
  convert(arg: LocalArg, type: SqlType): string;
  /** `left / right` computed exactly in the result type (integer division, decimals without floats) */
  divide(left: LocalArg, right: LocalArg, result: SqlType): string;
  /** an inline string literal */
  text(value: string): string;
  /**
   * An aggregate or window call of the engine, `name(args)`, with the statement's OVER clause when
   * the call has one: `call('sum', 'x')` → `sum(x)` or `sum(x) OVER (PARTITION BY …)`.
   */
  call(name: string, args: string): string;
}

export interface LocalCall {
  args: LocalArg[];
  /** the date part of DATEADD / DATEDIFF / DATEPART / DATENAME / DATETRUNC, canonical (see DATE_PARTS) */
  part?: DatePart;
  distinct: boolean;
  star: boolean;
  /** the call's bound result type */
  result: SqlType;
  /** the rendered order of an ordered aggregate (`STRING_AGG … WITHIN GROUP (ORDER BY y)`): `ORDER BY rtrim("y") ASC` */
  orderBy?: string;
  forms: LocalForms;
}

export interface FunctionDef {
  /** canonical upper-case name */
  name: string;
  /** every spelling accepted, per dialect (upper case) */
  names: { tsql: readonly string[]; postgresql: readonly string[] };
  kind: FunctionKind;
  /** fewest and most arguments (a date-part keyword counts) */
  arity: readonly [number, number];
  /** the first argument is a date-part keyword (`DATEADD(day, 1, d)`) */
  datePart?: boolean;
  /** compares or searches strings: the case-insensitive collation applies */
  collation?: boolean;
  /**
   * the result type from the argument types (the date-part keyword excluded); `literals` holds the
   * text of each argument written as a string literal (`extract`'s field, `to_char`'s template)
   */
  result(args: SqlType[], dialect: TypeDialect, literals?: readonly (string | undefined)[]): SqlType;
  /** the DuckDB form, from already rendered arguments (the date-part keyword excluded) */
  local(call: LocalCall): string;
  /** the OData v4 function with the same meaning on the service, where one exists */
  odata?: string;
}

/** the canonical date parts and their T-SQL / PostgreSQL spellings */
export type DatePart = 'year' | 'quarter' | 'month' | 'dayofyear' | 'day' | 'week' | 'weekday' | 'hour' | 'minute' | 'second' | 'millisecond';

export const DATE_PARTS: Readonly<Record<string, DatePart>> = {
  year: 'year', yy: 'year', yyyy: 'year', quarter: 'quarter', qq: 'quarter', q: 'quarter', month: 'month', mm: 'month', m: 'month',
  dayofyear: 'dayofyear', dy: 'dayofyear', y: 'dayofyear', day: 'day', dd: 'day', d: 'day', week: 'week', wk: 'week', ww: 'week',
  weekday: 'weekday', dw: 'weekday', hour: 'hour', hh: 'hour', minute: 'minute', mi: 'minute', n: 'minute',
  second: 'second', ss: 'second', s: 'second', millisecond: 'millisecond', ms: 'millisecond',
};

export function datePart(word: string): DatePart {
  const part = DATE_PARTS[word.toLowerCase()];
  if (!part) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unknown date part ${word}`);
  return part;
}

const TSQL_ONLY = (...names: string[]) => ({ tsql: names, postgresql: [] as string[] });
const BOTH = (...names: string[]) => ({ tsql: names, postgresql: names });
const PG_ONLY = (...names: string[]) => ({ tsql: [] as string[], postgresql: names });

// ---- result-type helpers ----

const first = (args: SqlType[]): SqlType => args[0] ?? INT;
/** a string function's result: the string argument's type, non-strings converted to nvarchar */
const stringOf = (t: SqlType | undefined): SqlType => (t && isString(t) ? t : isNullType(t ?? INT) ? { name: 'varchar', length: 1 } : NVARCHAR_MAX);
/** LEN / CHARINDEX: int, bigint for (max) strings */
const lengthType = (t: SqlType | undefined): SqlType => (t && isString(t) && t.length === undefined ? BIGINT : INT);
/** a bounded string type at its cap, nvarchar(4000) / varchar(8000); (max) stays */
const widened = (t: SqlType): SqlType => (t.length === undefined ? t : { name: isUnicode(t) ? 'nvarchar' : 'varchar', length: isUnicode(t) ? 4000 : 8000 });
const anyUnicode = (args: SqlType[]) => args.some((t) => !isString(t) || isUnicode(t));
/** the date argument's type, a string converting to datetime (DATEADD's rule) */
const dateOf = (t: SqlType | undefined): SqlType => (t && isDateTime(t) ? t : DATETIME);

// ---- local-form helpers ----

const str = (c: LocalCall, i: number): string => {
  const arg = c.args[i]!;
  return isString(arg.type) ? arg.sql : c.forms.convert(arg, NVARCHAR_MAX);
};
const asType = (c: LocalCall, i: number, type: SqlType): string => c.forms.convert(c.args[i]!, type);
const asResult = (c: LocalCall, sql: string): string => c.forms.convert({ sql, type: { name: 'unknown' } }, c.result);
const dateArg = (c: LocalCall, i: number): string => {
  const arg = c.args[i]!;
  return isDateTime(arg.type) ? arg.sql : c.forms.convert(arg, DATETIME);
};
/** an aggregate or window call over the arguments as they are */
const called = (name: string) => (c: LocalCall): string => c.forms.call(name, c.args.map((a) => a.sql).join(', '));
/** a string function over converted-to-string arguments, the result kept a string */
const stringFn = (name: string) => (c: LocalCall): string => `${name}(${c.args.map((_, i) => str(c, i)).join(', ')})`;
/** T-SQL refuses a negative length where DuckDB counts from the end: raise T-SQL's error instead */
const guardNegative = (n: string, message: string, body: string): string => `(CASE WHEN ${n} < 0 THEN error('${message}') ELSE ${body} END)`;

/** DATEPART's value (T-SQL: DATEFIRST 7, Sunday is day 1 of the week; weeks start on January 1st) */
function datePartValue(part: DatePart, d: string): string {
  switch (part) {
    case 'dayofyear': return `dayofyear(${d})`;
    case 'weekday': return `(dayofweek(${d}) + 1)`;
    case 'week': return `((dayofyear(${d}) - 1 + dayofweek(date_trunc('year', ${d}))) // 7 + 1)`;
    case 'millisecond': return `(date_part('millisecond', ${d}) % 1000)`;
    default: return `date_part('${part}', ${d})`;
  }
}

function dateAdd(part: DatePart, n: string, d: string): string {
  switch (part) {
    case 'year': return `(${d} + to_years(${n}))`;
    case 'quarter': return `(${d} + to_months(${n} * 3))`;
    case 'month': return `(${d} + to_months(${n}))`;
    case 'week': return `(${d} + to_days(${n} * 7))`;
    case 'dayofyear': case 'day': case 'weekday': return `(${d} + to_days(${n}))`;
    case 'hour': return `(${d} + to_hours(${n}))`;
    case 'minute': return `(${d} + to_minutes(${n}))`;
    case 'second': return `(${d} + to_seconds(${n}))`;
    case 'millisecond': return `(${d} + to_milliseconds(${n}))`;
  }
}

/** DATEDIFF counts boundaries crossed; week boundaries are Sundays whatever DATEFIRST says */
function dateDiff(part: DatePart, a: string, b: string): string {
  switch (part) {
    case 'week': return `(date_diff('day', date_trunc('week', ${a} + INTERVAL 1 DAY), date_trunc('week', ${b} + INTERVAL 1 DAY)) // 7)`;
    case 'dayofyear': case 'weekday': return `date_diff('day', ${a}, ${b})`;
    default: return `date_diff('${part}', ${a}, ${b})`;
  }
}

/** DATETRUNC: weeks start on Sunday (DATEFIRST 7) */
function dateTrunc(part: DatePart, d: string): string {
  if (part === 'week') return `(CAST(${d} AS DATE) - CAST(dayofweek(${d}) AS INTEGER))`;
  return dateTruncSql(`'${part === 'dayofyear' || part === 'weekday' ? 'day' : part}'`, d);
}

/** COUNT(DISTINCT s) of strings: DuckDB's DISTINCT inside an aggregate ignores the collation */
function distinctKey(c: LocalCall, i: number): string {
  const arg = c.args[i]!;
  return isString(arg.type) ? `lower(rtrim(${arg.sql}))` : arg.sql;
}

const aggregateArg = (c: LocalCall): string => (c.distinct ? `DISTINCT ${c.args[0]!.sql}` : c.args[0]!.sql);

/**
 * SUM in its result type. An integer sum is DuckDB's HUGEINT sum cast down, which fails past the
 * type's range (T-SQL's Msg 8115); the cast sits inside a CASE because DuckDB's optimizer drops a bare
 * cast compared with a constant (`CAST(sum(x) AS INTEGER) > 50` becomes `sum(x) > 50`), and a HAVING
 * would answer where T-SQL overflows (KNOWN.md #43).
 */
function sumLocal(c: LocalCall): string {
  const sum = c.forms.call('sum', aggregateArg(c));
  if (!isInteger(c.result)) return asResult(c, sum);
  return `(CASE WHEN ${sum} IS NULL THEN NULL ELSE ${asResult(c, sum)} END)`;
}

/**
 * MIN / MAX. Strings compare as T-SQL does (case and trailing blanks ignored), written as an
 * arg_min / arg_max over the folded value: DuckDB's own min/max of a collated string cannot take an
 * argument holding a subquery ("Cannot copy BoundSubqueryExpression").
 */
const extreme = (name: 'min' | 'max') => (c: LocalCall): string => {
  const arg = c.args[0]!;
  return isString(arg.type) ? c.forms.call(`arg_${name}`, `${arg.sql}, lower(rtrim(${arg.sql}))`) : c.forms.call(name, arg.sql);
};

function countLocal(c: LocalCall): string {
  return asResult(c, c.forms.call('count', c.star ? '*' : c.distinct ? `DISTINCT ${distinctKey(c, 0)}` : c.args[0]!.sql));
}

function avgLocal(c: LocalCall): string {
  const arg = c.args[0]!;
  if (isApproximate(c.result)) return c.forms.call('avg', aggregateArg(c));
  const distinct = c.distinct ? 'DISTINCT ' : '';
  // AVG is SUM / COUNT computed in the result type: an int average truncates, a decimal one keeps its scale
  const sumType = averageSumType(arg.type, c.result);
  const sum = { sql: c.forms.convert({ sql: c.forms.call('sum', `${distinct}${arg.sql}`), type: { name: 'unknown' } }, sumType), type: sumType };
  return c.forms.divide(sum, { sql: c.forms.call('count', `${distinct}${arg.sql}`), type: BIGINT }, c.result);
}

const BOOLEAN_RESULT: SqlType = { name: 'boolean' };

/** the text of a string literal argument, read back from its rendered form (`'a''b'` → a'b) */
function literalOf(c: LocalCall, i: number): string | undefined {
  const sql = c.args[i]?.sql;
  const quoted = sql === undefined ? null : /^'((?:[^']|'')*)'$/.exec(sql);
  return quoted ? quoted[1]!.replace(/''/g, "'") : undefined;
}

/**
 * GREATEST / LEAST: the arguments' common type. Strings are refused: the service compares them without
 * case and the local engine with it, and no form here gives one answer for both.
 */
function ordered(name: string, args: SqlType[], dialect: TypeDialect): SqlType {
  const type = commonType(args, dialect);
  if (isString(type)) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${name} of strings (numbers and dates only)`);
  return isNullType(type) ? INT : type;
}

const numericArg = (name: string, t: SqlType): void => {
  if (!isNumeric(t) && !isNullType(t)) throw new DynasqlError('DYNASQL_ERR_TYPE', `${name} needs a number, not ${formatType(t)}`);
};

const sameNumber = (name: string) => (args: SqlType[]): SqlType => {
  numericArg(name, first(args));
  return isNullType(first(args)) ? INT : first(args);
};

const ROWS: FunctionDef[] = [
  // ---- strings ----
  {
    name: 'LEN', names: TSQL_ONLY('LEN'), kind: 'scalar', arity: [1, 1], collation: false,
    result: (a) => lengthType(a[0]),
    local: (c) => asResult(c, `length(rtrim(${str(c, 0)}))`),
    odata: 'length',
  },
  {
    name: 'LENGTH', names: { tsql: ['LENGTH', 'CHAR_LENGTH'], postgresql: ['LENGTH', 'CHAR_LENGTH', 'CHARACTER_LENGTH'] }, kind: 'scalar', arity: [1, 1],
    result: () => INT,
    local: (c) => asResult(c, `length(${str(c, 0)})`),
    odata: 'length',
  },
  { name: 'UPPER', names: BOTH('UPPER'), kind: 'scalar', arity: [1, 1], result: (a) => stringOf(a[0]), local: stringFn('upper'), odata: 'toupper' },
  { name: 'LOWER', names: BOTH('LOWER'), kind: 'scalar', arity: [1, 1], result: (a) => stringOf(a[0]), local: stringFn('lower'), odata: 'tolower' },
  // T-SQL's trims remove spaces only; DuckDB's without a character list do the same
  { name: 'LTRIM', names: BOTH('LTRIM'), kind: 'scalar', arity: [1, 1], result: (a) => stringOf(a[0]), local: stringFn('ltrim') },
  { name: 'RTRIM', names: BOTH('RTRIM'), kind: 'scalar', arity: [1, 1], result: (a) => stringOf(a[0]), local: stringFn('rtrim') },
  { name: 'TRIM', names: BOTH('TRIM'), kind: 'scalar', arity: [1, 1], result: (a) => stringOf(a[0]), local: stringFn('trim'), odata: 'trim' },
  { name: 'REVERSE', names: BOTH('REVERSE'), kind: 'scalar', arity: [1, 1], result: (a) => stringOf(a[0]), local: stringFn('reverse') },
  {
    // T-SQL: a start before 1 shortens the length by as much; a negative length is an error
    name: 'SUBSTRING', names: { tsql: ['SUBSTRING'], postgresql: ['SUBSTRING', 'SUBSTR'] }, kind: 'scalar', arity: [2, 3],
    result: (a) => stringOf(a[0]),
    local: (c) => {
      const s = str(c, 0);
      const start = asType(c, 1, BIGINT);
      if (c.args.length === 2) return `substring(${s}, greatest(${start}, 1))`;
      const length = asType(c, 2, BIGINT);
      return guardNegative(length, 'Invalid length parameter passed to the substring function.',
        `substring(${s}, greatest(${start}, 1), greatest(${start} + ${length} - greatest(${start}, 1), 0))`);
    },
    odata: 'substring',
  },
  {
    name: 'LEFT', names: BOTH('LEFT'), kind: 'scalar', arity: [2, 2], result: (a) => stringOf(a[0]),
    local: (c) => guardNegative(asType(c, 1, BIGINT), 'Invalid length parameter passed to the left function.', `left(${str(c, 0)}, ${asType(c, 1, BIGINT)})`),
  },
  {
    name: 'RIGHT', names: BOTH('RIGHT'), kind: 'scalar', arity: [2, 2], result: (a) => stringOf(a[0]),
    local: (c) => guardNegative(asType(c, 1, BIGINT), 'Invalid length parameter passed to the right function.', `right(${str(c, 0)}, ${asType(c, 1, BIGINT)})`),
  },
  {
    // case-insensitive (the collation): the pattern is matched as escaped text, the replacement taken literally
    name: 'REPLACE', names: BOTH('REPLACE'), kind: 'scalar', arity: [3, 3], collation: true,
    result: (a) => (anyUnicode(a) ? NVARCHAR_MAX : { name: 'varchar' }),
    local: (c) => {
      const [s, p, r] = [str(c, 0), str(c, 1), str(c, 2)];
      return `(CASE WHEN length(${p}) = 0 THEN ${s} ELSE regexp_replace(${s}, regexp_escape(${p}), replace(${r}, '\\', '\\\\'), 'gi') END)`;
    },
  },
  {
    // 1-based, 0 when not found, case-insensitive; a start below 1 searches from the beginning
    name: 'CHARINDEX', names: TSQL_ONLY('CHARINDEX'), kind: 'scalar', arity: [2, 3], collation: true,
    result: (a) => lengthType(a[1]),
    local: (c) => {
      const [find, s] = [`lower(${str(c, 0)})`, `lower(${str(c, 1)})`];
      if (c.args.length === 2) return asResult(c, `instr(${s}, ${find})`);
      const start = `greatest(${asType(c, 2, BIGINT)}, 1)`;
      const found = `instr(substring(${s}, ${start}), ${find})`;
      return asResult(c, `(CASE WHEN ${found} = 0 THEN 0 ELSE ${found} + ${start} - 1 END)`);
    },
    odata: 'indexof',
  },
  {
    // PostgreSQL's strpos(string, substring); the service's strings compare case-insensitively, so it does too
    name: 'STRPOS', names: PG_ONLY('STRPOS'), kind: 'scalar', arity: [2, 2], collation: true,
    result: () => INT,
    local: (c) => asResult(c, `instr(lower(${str(c, 0)}), lower(${str(c, 1)}))`),
  },
  {
    // NULL arguments count as empty strings
    name: 'CONCAT', names: BOTH('CONCAT'), kind: 'scalar', arity: [1, 254],
    result: (a) => (anyUnicode(a) ? NVARCHAR_MAX : { name: 'varchar' }),
    local: (c) => `concat(${c.args.map((_, i) => str(c, i)).join(', ')})`,
    odata: 'concat',
  },
  {
    name: 'CONCAT_WS', names: BOTH('CONCAT_WS'), kind: 'scalar', arity: [2, 254],
    result: (a) => (anyUnicode(a) ? NVARCHAR_MAX : { name: 'varchar' }),
    local: (c) => `concat_ws(${c.args.map((_, i) => str(c, i)).join(', ')})`,
  },
  {
    // a negative count gives NULL in T-SQL
    // the input's string type; its length is known only when it runs, so it is the type's cap
    // (REPLICATE('a', 3) is varchar(8000), not varchar(1))
    name: 'REPLICATE', names: { tsql: ['REPLICATE'], postgresql: ['REPEAT'] }, kind: 'scalar', arity: [2, 2], result: (a) => widened(stringOf(a[0])),
    local: (c) => `(CASE WHEN ${asType(c, 1, BIGINT)} < 0 THEN NULL ELSE repeat(${str(c, 0)}, ${asType(c, 1, BIGINT)}) END)`,
  },
  { name: 'SPACE', names: TSQL_ONLY('SPACE'), kind: 'scalar', arity: [1, 1], result: () => ({ name: 'varchar' }), local: (c) => `(CASE WHEN ${asType(c, 0, BIGINT)} < 0 THEN NULL ELSE repeat(' ', ${asType(c, 0, BIGINT)}) END)` },
  {
    name: 'STUFF', names: TSQL_ONLY('STUFF'), kind: 'scalar', arity: [4, 4], result: (a) => stringOf(a[0]),
    local: (c) => {
      const [s, start, length, insert] = [str(c, 0), asType(c, 1, BIGINT), asType(c, 2, BIGINT), str(c, 3)];
      return `(CASE WHEN ${start} < 1 OR ${start} > length(${s}) OR ${length} < 0 THEN NULL ELSE substring(${s}, 1, ${start} - 1) || ${insert} || substring(${s}, ${start} + ${length}) END)`;
    },
  },
  {
    name: 'STARTSWITH', names: BOTH('STARTSWITH'), kind: 'scalar', arity: [2, 2], collation: true, result: () => ({ name: 'boolean' }),
    local: (c) => `starts_with(lower(${str(c, 0)}), lower(${str(c, 1)}))`, odata: 'startswith',
  },
  {
    name: 'ENDSWITH', names: BOTH('ENDSWITH'), kind: 'scalar', arity: [2, 2], collation: true, result: () => ({ name: 'boolean' }),
    local: (c) => `ends_with(lower(${str(c, 0)}), lower(${str(c, 1)}))`, odata: 'endswith',
  },
  // ---- NULLs and choices ----
  {
    // the first argument's type (the second is converted, strings cut to its length)
    name: 'ISNULL', names: TSQL_ONLY('ISNULL'), kind: 'scalar', arity: [2, 2],
    result: (a) => isnullType(a[0]!, a[1]!),
    local: (c) => {
      const second = asType(c, 1, c.result);
      const cut = isString(c.result) && c.result.length !== undefined ? `left(${second}, ${c.result.length})` : second;
      return `coalesce(${asType(c, 0, c.result)}, ${cut})`;
    },
  },
  {
    name: 'COALESCE', names: { tsql: ['COALESCE'], postgresql: ['COALESCE', 'IFNULL'] }, kind: 'scalar', arity: [1, 254],
    result: (a, d) => commonType(a, d),
    local: (c) => `coalesce(${c.args.map((_, i) => asType(c, i, c.result)).join(', ')})`,
  },
  {
    // strings are equal as T-SQL compares them: case and trailing blanks ignored
    name: 'NULLIF', names: BOTH('NULLIF'), kind: 'scalar', arity: [2, 2], result: (a) => isnullType(a[0]!, a[1]!),
    local: (c) => (isString(c.args[0]!.type) && isString(c.args[1]!.type)
      ? `(CASE WHEN rtrim(${c.args[0]!.sql}) = rtrim(${c.args[1]!.sql}) THEN NULL ELSE ${c.args[0]!.sql} END)`
      : `nullif(${asType(c, 0, c.result)}, ${asType(c, 1, c.result)})`),
  },
  {
    // FALSE or UNKNOWN gives the third argument
    name: 'IIF', names: TSQL_ONLY('IIF'), kind: 'scalar', arity: [3, 3],
    result: (a, d) => commonType(a.slice(1), d),
    local: (c) => `(CASE WHEN ${c.args[0]!.sql} THEN ${asType(c, 1, c.result)} ELSE ${asType(c, 2, c.result)} END)`,
  },
  // ---- numbers ----
  { name: 'ABS', names: BOTH('ABS'), kind: 'scalar', arity: [1, 1], result: sameNumber('ABS'), local: (c) => asResult(c, `abs(${c.args[0]!.sql})`) },
  {
    name: 'CEILING', names: { tsql: ['CEILING'], postgresql: ['CEILING', 'CEIL'] }, kind: 'scalar', arity: [1, 1],
    result: (a) => { const t = sameNumber('CEILING')(a); return isDecimal(t) ? decimal(t.precision ?? 18, 0) : t; },
    local: (c) => asResult(c, `ceil(${c.args[0]!.sql})`), odata: 'ceiling',
  },
  {
    name: 'FLOOR', names: BOTH('FLOOR'), kind: 'scalar', arity: [1, 1],
    result: (a) => { const t = sameNumber('FLOOR')(a); return isDecimal(t) ? decimal(t.precision ?? 18, 0) : t; },
    local: (c) => asResult(c, `floor(${c.args[0]!.sql})`), odata: 'floor',
  },
  {
    // the argument's type is kept (ROUND(1.25, 1) is 1.30 as a decimal(3,2))
    name: 'ROUND', names: { tsql: ['ROUND'], postgresql: ['ROUND'] }, kind: 'scalar', arity: [1, 2], result: sameNumber('ROUND'),
    local: (c) => asResult(c, `round(${c.args[0]!.sql}, ${c.args[1] ? asType(c, 1, INT) : '0'})`), odata: 'round',
  },
  {
    // POWER's result has the type of its first argument (POWER(2, 0.5) is 1)
    name: 'POWER', names: { tsql: ['POWER'], postgresql: ['POWER', 'POW'] }, kind: 'scalar', arity: [2, 2],
    result: (a) => { const t = sameNumber('POWER')(a); return isDecimal(t) ? decimal(38, t.scale ?? 0) : t; },
    local: (c) => c.forms.convert({ sql: `pow(${asType(c, 0, FLOAT)}, ${asType(c, 1, FLOAT)})`, type: FLOAT }, c.result),
  },
  { name: 'SQRT', names: BOTH('SQRT'), kind: 'scalar', arity: [1, 1], result: () => FLOAT, local: (c) => `sqrt(${asType(c, 0, FLOAT)})` },
  { name: 'SIGN', names: BOTH('SIGN'), kind: 'scalar', arity: [1, 1], result: sameNumber('SIGN'), local: (c) => asResult(c, `sign(${c.args[0]!.sql})`) },
  { name: 'EXP', names: BOTH('EXP'), kind: 'scalar', arity: [1, 1], result: () => FLOAT, local: (c) => `exp(${asType(c, 0, FLOAT)})` },
  {
    name: 'LOG', names: { tsql: ['LOG'], postgresql: ['LN'] }, kind: 'scalar', arity: [1, 2], result: () => FLOAT,
    local: (c) => (c.args.length === 2 ? `(ln(${asType(c, 0, FLOAT)}) / ln(${asType(c, 1, FLOAT)}))` : `ln(${asType(c, 0, FLOAT)})`),
  },
  { name: 'LOG10', names: TSQL_ONLY('LOG10'), kind: 'scalar', arity: [1, 1], result: () => FLOAT, local: (c) => `log10(${asType(c, 0, FLOAT)})` },
  { name: 'PI', names: BOTH('PI'), kind: 'scalar', arity: [0, 0], result: () => FLOAT, local: () => 'pi()' },
  { name: 'RAND', names: { tsql: ['RAND'], postgresql: ['RANDOM'] }, kind: 'scalar', arity: [0, 0], result: () => FLOAT, local: () => 'random()' },
  // ---- dates ----
  { name: 'GETDATE', names: { tsql: ['GETDATE', 'CURRENT_TIMESTAMP'], postgresql: [] }, kind: 'scalar', arity: [0, 0], result: () => DATETIME, local: () => 'CAST(current_timestamp AS TIMESTAMP)' },
  { name: 'GETUTCDATE', names: TSQL_ONLY('GETUTCDATE'), kind: 'scalar', arity: [0, 0], result: () => DATETIME, local: () => "CAST(timezone('UTC', current_timestamp) AS TIMESTAMP)" },
  { name: 'SYSDATETIME', names: TSQL_ONLY('SYSDATETIME'), kind: 'scalar', arity: [0, 0], result: () => DATETIME2, local: () => 'CAST(current_timestamp AS TIMESTAMP)' },
  { name: 'SYSUTCDATETIME', names: TSQL_ONLY('SYSUTCDATETIME'), kind: 'scalar', arity: [0, 0], result: () => DATETIME2, local: () => "CAST(timezone('UTC', current_timestamp) AS TIMESTAMP)" },
  // PostgreSQL's now() and current_timestamp read the statement's instant instead (util/statement-time.ts)
  { name: 'SYSDATETIMEOFFSET', names: TSQL_ONLY('SYSDATETIMEOFFSET'), kind: 'scalar', arity: [0, 0], result: () => DATETIMEOFFSET, local: () => 'current_timestamp', odata: 'now' },
  {
    // the result has the date argument's type (a string is a datetime); a fractional count is cut to a whole one
    name: 'DATEADD', names: TSQL_ONLY('DATEADD'), kind: 'scalar', arity: [3, 3], datePart: true,
    result: (a) => dateOf(a[1]),
    local: (c) => {
      const n = isInteger(c.args[0]!.type) ? asType(c, 0, INT) : `CAST(trunc(${asType(c, 0, FLOAT)}) AS INTEGER)`;
      return asResult(c, dateAdd(c.part!, n, dateArg(c, 1)));
    },
  },
  { name: 'DATEDIFF', names: TSQL_ONLY('DATEDIFF'), kind: 'scalar', arity: [3, 3], datePart: true, result: () => INT, local: (c) => asResult(c, dateDiff(c.part!, asType(c, 0, DATETIME2), asType(c, 1, DATETIME2))) },
  { name: 'DATEDIFF_BIG', names: TSQL_ONLY('DATEDIFF_BIG'), kind: 'scalar', arity: [3, 3], datePart: true, result: () => BIGINT, local: (c) => asResult(c, dateDiff(c.part!, asType(c, 0, DATETIME2), asType(c, 1, DATETIME2))) },
  { name: 'DATEPART', names: TSQL_ONLY('DATEPART'), kind: 'scalar', arity: [2, 2], datePart: true, result: () => INT, local: (c) => asResult(c, datePartValue(c.part!, dateArg(c, 0))) },
  {
    name: 'DATENAME', names: TSQL_ONLY('DATENAME'), kind: 'scalar', arity: [2, 2], datePart: true, result: () => nvarchar(30),
    local: (c) => {
      const d = dateArg(c, 0);
      if (c.part === 'month') return `monthname(${d})`;
      if (c.part === 'weekday') return `dayname(${d})`;
      return `CAST(${datePartValue(c.part!, d)} AS VARCHAR)`;
    },
  },
  { name: 'DATETRUNC', names: TSQL_ONLY('DATETRUNC'), kind: 'scalar', arity: [2, 2], datePart: true, result: (a) => dateOf(a[0]), local: (c) => asResult(c, dateTrunc(c.part!, dateArg(c, 0))) },
  {
    // PostgreSQL: date_part('field', d) is a double precision (seconds with their fraction)
    name: 'DATE_PART', names: PG_ONLY('DATE_PART'), kind: 'scalar', arity: [2, 2],
    result: (_a, _d, literals) => {
      const field = literals?.[0]?.toLowerCase();
      if (field !== undefined && !isPgDateField(field)) throw unknownField(field, 'DATE_PART');
      return FLOAT;
    },
    local: (c) => {
      const field = literalOf(c, 0)?.toLowerCase();
      return `CAST(${field === undefined ? `date_part(${str(c, 0)}, ${dateArg(c, 1)})` : pgFieldValue(field, dateArg(c, 1))} AS DOUBLE)`;
    },
  },
  {
    // PostgreSQL: extract(field FROM d) is a numeric, with a fraction for epoch, second and milliseconds
    name: 'EXTRACT', names: PG_ONLY('EXTRACT'), kind: 'scalar', arity: [2, 2],
    result: (a, _d, literals) => {
      const field = literals?.[0];
      if (field === undefined || !isPgDateField(field)) throw unknownField(String(field), 'EXTRACT');
      return decimal(38, fieldScale(field, a[1] !== undefined && typeName(a[1]) === 'date'));
    },
    local: (c) => asResult(c, pgFieldValue(literalOf(c, 0)!, dateArg(c, 1))),
  },
  {
    // PostgreSQL: to_char(d, 'YYYY-MM-DD') of a date or timestamp; the template must be written as a literal
    name: 'TO_CHAR', names: PG_ONLY('TO_CHAR'), kind: 'scalar', arity: [2, 2],
    result: (a, _d, literals) => {
      if (a[0] && !isDateTime(a[0]) && !isNullType(a[0])) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: to_char of ${formatType(a[0])} (dates and timestamps only)`);
      if (literals?.[1] === undefined) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'Unsupported SQL: to_char with a template that is not a string literal');
      return NVARCHAR_MAX;
    },
    local: (c) => toCharSql(dateArg(c, 0), literalOf(c, 1)!),
  },
  {
    // PostgreSQL: date_trunc('field', d) of a date or timestamp is a timestamp
    name: 'DATE_TRUNC', names: PG_ONLY('DATE_TRUNC'), kind: 'scalar', arity: [2, 2],
    result: (a, _d, literals) => {
      const unit = literals?.[0]?.toLowerCase();
      if (unit !== undefined && !isPgTruncUnit(unit)) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: date_trunc unit '${unit}'`);
      return a[1] && typeName(a[1]) === 'datetimeoffset' ? DATETIMEOFFSET : DATETIME2;
    },
    local: (c) => asResult(c, pgTruncSql(literalOf(c, 0)?.toLowerCase(), str(c, 0), dateArg(c, 1))),
  },
  { name: 'YEAR', names: TSQL_ONLY('YEAR'), kind: 'scalar', arity: [1, 1], result: () => INT, local: (c) => asResult(c, `year(${dateArg(c, 0)})`), odata: 'year' },
  { name: 'MONTH', names: TSQL_ONLY('MONTH'), kind: 'scalar', arity: [1, 1], result: () => INT, local: (c) => asResult(c, `month(${dateArg(c, 0)})`), odata: 'month' },
  { name: 'DAY', names: TSQL_ONLY('DAY'), kind: 'scalar', arity: [1, 1], result: () => INT, local: (c) => asResult(c, `day(${dateArg(c, 0)})`), odata: 'day' },
  {
    name: 'EOMONTH', names: TSQL_ONLY('EOMONTH'), kind: 'scalar', arity: [1, 2], result: () => DATE,
    local: (c) => `last_day(${c.args.length > 1 ? `${dateArg(c, 0)} + to_months(${asType(c, 1, INT)})` : dateArg(c, 0)})`,
  },
  {
    // the organization's fiscal year / period of a date (fiscal.ts); the binder appends the settings as a second argument
    name: 'FISCAL_YEAR', names: BOTH('FISCAL_YEAR'), kind: 'scalar', arity: [1, 1], result: () => INT,
    local: (c) => asResult(c, fiscalYearSql(decodeFiscal(literalOf(c, 1)), dateArg(c, 0))),
  },
  {
    name: 'FISCAL_PERIOD', names: BOTH('FISCAL_PERIOD'), kind: 'scalar', arity: [1, 1], result: () => INT,
    local: (c) => asResult(c, fiscalPeriodSql(decodeFiscal(literalOf(c, 1)), dateArg(c, 0))),
  },
  // ---- comparisons ----
  {
    // the largest / smallest argument, NULLs skipped (PostgreSQL and SQL Server 2022 alike)
    name: 'GREATEST', names: BOTH('GREATEST'), kind: 'scalar', arity: [1, 254], result: (a, d) => ordered('GREATEST', a, d),
    local: (c) => `greatest(${c.args.map((_, i) => asType(c, i, c.result)).join(', ')})`,
  },
  {
    name: 'LEAST', names: BOTH('LEAST'), kind: 'scalar', arity: [1, 254], result: (a, d) => ordered('LEAST', a, d),
    local: (c) => `least(${c.args.map((_, i) => asType(c, i, c.result)).join(', ')})`,
  },
  {
    // PostgreSQL's `s ~ p` (case-sensitive) and `s ~* p` (flags 'i'): a POSIX regular expression
    // searched anywhere in s, evaluated locally (the service has no regular expressions)
    name: 'REGEXP_LIKE', names: PG_ONLY('REGEXP_LIKE'), kind: 'scalar', arity: [2, 3], result: () => BOOLEAN_RESULT,
    local: (c) => {
      const flags = c.args.length > 2 ? literalOf(c, 2) : '';
      if (flags === undefined || !/^[ic]*$/.test(flags)) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'Unsupported SQL: regexp_like flags other than i and c, or not written as a literal');
      return `regexp_matches(${str(c, 0)}, ${str(c, 1)}${flags.includes('i') && !flags.endsWith('c') ? ", 'i'" : ''})`;
    },
  },
  { name: 'NEWID', names: { tsql: ['NEWID'], postgresql: ['GEN_RANDOM_UUID'] }, kind: 'scalar', arity: [0, 0], result: () => UNIQUEIDENTIFIER, local: () => 'uuid()' },
  // ---- aggregates ----
  {
    // T-SQL's COUNT is an int; DISTINCT follows the collation and ignores trailing blanks
    name: 'COUNT', names: BOTH('COUNT'), kind: 'aggregate', arity: [0, 1], collation: true,
    result: (_a, d) => countType('COUNT', d),
    local: countLocal,
    odata: '$count',
  },
  {
    name: 'COUNT_BIG', names: TSQL_ONLY('COUNT_BIG'), kind: 'aggregate', arity: [0, 1], collation: true, result: () => BIGINT,
    local: countLocal,
  },
  { name: 'SUM', names: BOTH('SUM'), kind: 'aggregate', arity: [1, 1], result: (a, d) => aggregateType('SUM', a[0]!, d), local: sumLocal, odata: 'sum' },
  { name: 'AVG', names: BOTH('AVG'), kind: 'aggregate', arity: [1, 1], result: (a, d) => aggregateType('AVG', a[0]!, d), local: avgLocal, odata: 'average' },
  { name: 'MIN', names: BOTH('MIN'), kind: 'aggregate', arity: [1, 1], collation: true, result: (a) => first(a), local: extreme('min'), odata: 'min' },
  { name: 'MAX', names: BOTH('MAX'), kind: 'aggregate', arity: [1, 1], collation: true, result: (a) => first(a), local: extreme('max'), odata: 'max' },
  {
    name: 'STRING_AGG', names: BOTH('STRING_AGG'), kind: 'aggregate', arity: [2, 2],
    result: (a) => (a[0] && isString(a[0]) && !isUnicode(a[0]) ? { name: 'varchar', length: 8000 } : NVARCHAR_MAX),
    local: (c) => c.forms.call('string_agg', `${c.distinct ? 'DISTINCT ' : ''}${str(c, 0)}, ${str(c, 1)}${c.orderBy ? ` ${c.orderBy}` : ''}`),
  },
  { name: 'STDEV', names: { tsql: ['STDEV'], postgresql: ['STDDEV', 'STDDEV_SAMP'] }, kind: 'aggregate', arity: [1, 1], result: () => FLOAT, local: (c) => c.forms.call('stddev_samp', asType(c, 0, FLOAT)) },
  { name: 'STDEVP', names: { tsql: ['STDEVP'], postgresql: ['STDDEV_POP'] }, kind: 'aggregate', arity: [1, 1], result: () => FLOAT, local: (c) => c.forms.call('stddev_pop', asType(c, 0, FLOAT)) },
  { name: 'VAR', names: { tsql: ['VAR'], postgresql: ['VARIANCE', 'VAR_SAMP'] }, kind: 'aggregate', arity: [1, 1], result: () => FLOAT, local: (c) => c.forms.call('var_samp', asType(c, 0, FLOAT)) },
  { name: 'VARP', names: { tsql: ['VARP'], postgresql: ['VAR_POP'] }, kind: 'aggregate', arity: [1, 1], result: () => FLOAT, local: (c) => c.forms.call('var_pop', asType(c, 0, FLOAT)) },
  // ---- windows ----
  { name: 'ROW_NUMBER', names: BOTH('ROW_NUMBER'), kind: 'window', arity: [0, 0], result: () => BIGINT, local: called('row_number') },
  { name: 'RANK', names: BOTH('RANK'), kind: 'window', arity: [0, 0], result: () => BIGINT, local: called('rank') },
  { name: 'DENSE_RANK', names: BOTH('DENSE_RANK'), kind: 'window', arity: [0, 0], result: () => BIGINT, local: called('dense_rank') },
  { name: 'NTILE', names: BOTH('NTILE'), kind: 'window', arity: [1, 1], result: () => BIGINT, local: (c) => c.forms.call('ntile', asType(c, 0, BIGINT)) },
  {
    name: 'LAG', names: BOTH('LAG'), kind: 'window', arity: [1, 3], result: lagLeadType,
    local: (c) => c.forms.call('lag', [asType(c, 0, c.result), ...(c.args[1] ? [asType(c, 1, BIGINT)] : []), ...(c.args[2] ? [asType(c, 2, c.result)] : [])].join(', ')),
  },
  {
    name: 'LEAD', names: BOTH('LEAD'), kind: 'window', arity: [1, 3], result: lagLeadType,
    local: (c) => c.forms.call('lead', [asType(c, 0, c.result), ...(c.args[1] ? [asType(c, 1, BIGINT)] : []), ...(c.args[2] ? [asType(c, 2, c.result)] : [])].join(', ')),
  },
  { name: 'FIRST_VALUE', names: BOTH('FIRST_VALUE'), kind: 'window', arity: [1, 1], result: first, local: called('first_value') },
  { name: 'LAST_VALUE', names: BOTH('LAST_VALUE'), kind: 'window', arity: [1, 1], result: first, local: called('last_value') },
  { name: 'PERCENT_RANK', names: BOTH('PERCENT_RANK'), kind: 'window', arity: [0, 0], result: () => FLOAT, local: called('percent_rank') },
  { name: 'CUME_DIST', names: BOTH('CUME_DIST'), kind: 'window', arity: [0, 0], result: () => FLOAT, local: called('cume_dist') },
  // ---- what only the service answers, as a FetchXML condition (service-predicates.ts) ----
  ...Object.entries(SERVICE_PREDICATES).map(([name, p]): FunctionDef => ({
    name, names: BOTH(...predicateSpellings(name)), kind: 'scalar', arity: p.value === 'none' ? [1, 1] : p.value === 'periodAndYear' ? [3, 3] : [2, 2], result: () => BOOLEAN_RESULT, local: () => serviceOnly(name),
  })),
  { name: CURRENT_USER_ID, names: BOTH(CURRENT_USER_ID), kind: 'scalar', arity: [0, 0], result: () => UNIQUEIDENTIFIER, local: () => serviceOnly(CURRENT_USER_ID) },
];

/**
 * Spelling → row, per dialect. A name of the other dialect is accepted too (statements written for
 * either have always run in both), unless the dialect's own list gives the name another meaning
 * (CURRENT_TIMESTAMP is GETDATE in T-SQL, SYSDATETIMEOFFSET in PostgreSQL).
 */
const BY_DIALECT: Record<TypeDialect, Map<string, FunctionDef>> = { tsql: new Map(), postgresql: new Map() };
const BY_NAME = new Map<string, FunctionDef>();
for (const row of ROWS) {
  BY_NAME.set(row.name, row);
  for (const name of row.names.tsql) BY_DIALECT.tsql.set(name, row);
  for (const name of row.names.postgresql) BY_DIALECT.postgresql.set(name, row);
}
for (const row of ROWS) for (const name of [...row.names.tsql, ...row.names.postgresql]) if (!BY_NAME.has(name)) BY_NAME.set(name, row);

/** the row for a function name in any spelling (case-insensitive), the dialect's own meaning first */
export function functionDef(name: string, dialect: TypeDialect = 'tsql'): FunctionDef | undefined {
  const upper = name.toUpperCase();
  return BY_DIALECT[dialect].get(upper) ?? BY_NAME.get(upper);
}

export function functionKind(name: string): FunctionKind | undefined {
  return functionDef(name)?.kind;
}

/** every function row, for push-down and documentation */
export function functionTable(): readonly FunctionDef[] {
  return ROWS;
}

export function knownFunctionNames(): string[] {
  return [...BY_NAME.keys()];
}

/**
 * LAG / LEAD: T-SQL returns the expression's type and converts the default to it ("the data type of the
 * specified scalar_expression"); PostgreSQL resolves the value and the default to one common type.
 */
function lagLeadType(args: SqlType[], dialect: TypeDialect): SqlType {
  return args.length > 2 && dialect === 'postgresql' ? commonType([args[0]!, args[2]!], dialect) : first(args);
}
