/**
 * T-SQL function spellings → DuckDB SQL. Each entry renders already-rendered argument SQL.
 * `LEN(name)` → `length(name)`; `CHARINDEX('a', name)` → `instr(name, 'a')`;
 * `DATEADD(day, 1, d)` → `(d + to_days(CAST(1 AS INTEGER)))`.
 */
import { DynasqlError } from '../errors/index.js';

type Renderer = (args: string[], raw: { keyword?: string }) => string;

const DATE_PART: Record<string, string> = {
  year: 'year', yy: 'year', yyyy: 'year', quarter: 'quarter', qq: 'quarter', q: 'quarter', month: 'month', mm: 'month', m: 'month',
  dayofyear: 'doy', dy: 'doy', y: 'doy', day: 'day', dd: 'day', d: 'day', week: 'week', wk: 'week', ww: 'week', weekday: 'dow', dw: 'dow',
  hour: 'hour', hh: 'hour', minute: 'minute', mi: 'minute', n: 'minute', second: 'second', ss: 'second', s: 'second',
  millisecond: 'millisecond', ms: 'millisecond',
};

const INTERVAL_FN: Record<string, string> = {
  year: 'to_years', quarter: 'to_months', month: 'to_months', doy: 'to_days', day: 'to_days', dow: 'to_days', week: 'to_weeks',
  hour: 'to_hours', minute: 'to_minutes', second: 'to_seconds', millisecond: 'to_milliseconds',
};

export function datePart(word: string): string {
  const part = DATE_PART[word.toLowerCase()];
  if (!part) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unknown date part ${word}`);
  return part;
}

const simple = (name: string): Renderer => (args) => `${name}(${args.join(', ')})`;

export const FUNCTIONS: Record<string, Renderer> = {
  LEN: simple('length'), LENGTH: simple('length'), CHAR_LENGTH: simple('length'),
  UPPER: simple('upper'), LOWER: simple('lower'), LTRIM: simple('ltrim'), RTRIM: simple('rtrim'), TRIM: simple('trim'),
  SUBSTRING: simple('substring'), SUBSTR: simple('substring'), LEFT: simple('left'), RIGHT: simple('right'),
  REPLACE: simple('replace'), REVERSE: simple('reverse'), CONCAT: simple('concat'), CONCAT_WS: simple('concat_ws'),
  CHARINDEX: (a) => (a.length > 2 ? `(CASE WHEN instr(substring(${a[1]}, ${a[2]}), ${a[0]}) = 0 THEN 0 ELSE instr(substring(${a[1]}, ${a[2]}), ${a[0]}) + ${a[2]} - 1 END)` : `instr(${a[1]}, ${a[0]})`),
  POSITION: (a) => `instr(${a[1]}, ${a[0]})`,
  REPLICATE: simple('repeat'), REPEAT: simple('repeat'), SPACE: (a) => `repeat(' ', ${a[0]})`,
  STUFF: (a) => `(substring(${a[0]}, 1, ${a[1]} - 1) || ${a[3]} || substring(${a[0]}, ${a[1]} + ${a[2]}))`,
  STARTSWITH: simple('starts_with'), ENDSWITH: simple('ends_with'),
  ISNULL: simple('coalesce'), IFNULL: simple('coalesce'), COALESCE: simple('coalesce'), NULLIF: simple('nullif'),
  IIF: (a) => `(CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END)`,
  ABS: simple('abs'), CEILING: simple('ceil'), CEIL: simple('ceil'), FLOOR: simple('floor'), ROUND: (a) => `round(${a[0]}, ${a[1] ?? '0'})`,
  POWER: simple('pow'), POW: simple('pow'), SQRT: simple('sqrt'), SIGN: simple('sign'), EXP: simple('exp'), LOG: simple('ln'), LOG10: simple('log10'),
  PI: () => 'pi()', RAND: () => 'random()',
  GETDATE: () => 'now()', GETUTCDATE: () => 'now()', SYSDATETIME: () => 'now()', SYSUTCDATETIME: () => 'now()',
  SYSDATETIMEOFFSET: () => 'now()', CURRENT_TIMESTAMP: () => 'now()', NOW: () => 'now()',
  DATEADD: (a, raw) => {
    const part = datePart(raw.keyword ?? '');
    const n = part === 'quarter' ? `CAST(${a[1]} AS INTEGER) * 3` : `CAST(${a[1]} AS INTEGER)`;
    return `(${a[2]} + ${INTERVAL_FN[part]}(${n}))`;
  },
  DATEDIFF: (a, raw) => `date_diff('${datePart(raw.keyword ?? '')}', ${a[1]}, ${a[2]})`,
  DATEPART: (a, raw) => `date_part('${datePart(raw.keyword ?? '')}', ${a[1]})`,
  DATE_PART: (a) => `date_part(${a[0]}, ${a[1]})`,
  DATENAME: (a, raw) => {
    const part = datePart(raw.keyword ?? '');
    if (part === 'month') return `monthname(${a[1]})`;
    if (part === 'dow') return `dayname(${a[1]})`;
    return `CAST(date_part('${part}', ${a[1]}) AS VARCHAR)`;
  },
  DATETRUNC: (a, raw) => `date_trunc('${datePart(raw.keyword ?? '')}', ${a[1]})`,
  DATE_TRUNC: (a) => `date_trunc(${a[0]}, ${a[1]})`,
  YEAR: simple('year'), MONTH: simple('month'), DAY: simple('day'), EOMONTH: simple('last_day'),
  NEWID: () => 'uuid()',
  // aggregates (COUNT is cast to INTEGER: T-SQL's COUNT is an int)
  COUNT: simple('count'), COUNT_BIG: simple('count'), SUM: simple('sum'), AVG: simple('avg'), MIN: simple('min'), MAX: simple('max'),
  STRING_AGG: simple('string_agg'), STDEV: simple('stddev_samp'), STDEVP: simple('stddev_pop'), VAR: simple('var_samp'), VARP: simple('var_pop'),
  ROW_NUMBER: simple('row_number'), RANK: simple('rank'), DENSE_RANK: simple('dense_rank'), NTILE: simple('ntile'), LAG: simple('lag'),
  LEAD: simple('lead'), FIRST_VALUE: simple('first_value'), LAST_VALUE: simple('last_value'), PERCENT_RANK: simple('percent_rank'), CUME_DIST: simple('cume_dist'),
};

/** CAST targets: T-SQL type names → DuckDB. */
export function castType(name: string, length?: number, precision?: number, scale?: number): string {
  switch (name.toUpperCase()) {
    case 'NVARCHAR': case 'VARCHAR': case 'CHAR': case 'NCHAR': case 'TEXT': case 'NTEXT': case 'STRING':
      return 'VARCHAR';
    case 'UNIQUEIDENTIFIER': case 'UUID': return 'UUID';
    case 'INT': case 'INTEGER': case 'INT4': return 'INTEGER';
    case 'BIGINT': case 'INT8': return 'BIGINT';
    case 'SMALLINT': case 'INT2': return 'SMALLINT';
    case 'TINYINT': return 'UTINYINT';
    case 'DECIMAL': case 'NUMERIC': case 'MONEY':
      return precision !== undefined ? `DECIMAL(${Math.min(precision, 38)}, ${scale ?? 0})` : 'DECIMAL(38, 10)';
    case 'FLOAT': case 'REAL': case 'DOUBLE': case 'FLOAT8': return 'DOUBLE';
    case 'BIT': case 'BOOLEAN': case 'BOOL': return 'BOOLEAN';
    case 'DATE': return 'DATE';
    case 'DATETIME': case 'DATETIME2': case 'SMALLDATETIME': case 'TIMESTAMP': return 'TIMESTAMP';
    case 'DATETIMEOFFSET': case 'TIMESTAMPTZ': return 'TIMESTAMPTZ';
    case 'TIME': return 'TIME';
    default: throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unknown type ${name}${length ? `(${length})` : ''} in CAST`);
  }
}
