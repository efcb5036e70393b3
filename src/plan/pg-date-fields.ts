/**
 * PostgreSQL's date fields (`extract(field FROM d)`, `date_part('field', d)`) and `to_char`
 * templates, as DuckDB expressions. DuckDB's own `date_part('second', …)` drops the fraction and has
 * no `to_char`, so both are written out here from PostgreSQL's documented meaning.
 *
 *   pgFieldValue('second', 'd')  → `(CAST(date_part('microseconds', d) AS DECIMAL(38,0)) * CAST(0.000001 AS DECIMAL(7,6)))`
 *   toCharSql('d', 'YYYY-MM')    → `strftime(d, '%Y-%m')`
 */
import { DynasqlError } from '../errors/index.js';
import { dateTruncSql } from './date-trunc-sql.js';

/** fields whose DuckDB date_part has PostgreSQL's meaning (dow: Sunday 0; isodow: Monday 1; week: ISO) */
const SAME_FIELDS = new Set(['year', 'month', 'day', 'hour', 'minute', 'quarter', 'week', 'dow', 'isodow', 'doy', 'decade', 'century', 'millennium', 'isoyear', 'microseconds']);
/** fields with a fraction, and its digits */
const FRACTION_FIELDS: Record<string, number> = { epoch: 6, second: 6, milliseconds: 3 };

/** the PostgreSQL fields dynasql computes, for messages */
export const PG_DATE_FIELDS: readonly string[] = [...SAME_FIELDS, ...Object.keys(FRACTION_FIELDS)].sort();

export function isPgDateField(field: string): boolean {
  return SAME_FIELDS.has(field) || field in FRACTION_FIELDS;
}

export function unknownField(field: string, fn: string): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${fn} field '${field}' (known: ${PG_DATE_FIELDS.join(', ')})`);
}

/** digits after the point of a field's value (`extract` returns a numeric with this scale) */
export function fieldScale(field: string, ofDate: boolean): number {
  if (ofDate && field === 'epoch') return 0;
  return FRACTION_FIELDS[field] ?? 0;
}

/** the field's exact value as a DuckDB decimal or integer expression; `d` a DuckDB timestamp, timestamptz or date */
export function pgFieldValue(field: string, d: string): string {
  const scaled = (micros: string, digits: number) => `(CAST(${micros} AS DECIMAL(38,0)) * CAST(${(10 ** -digits).toFixed(digits)} AS DECIMAL(${digits + 1},${digits})))`;
  switch (field) {
    case 'epoch': return scaled(`epoch_us(CAST(${d} AS TIMESTAMPTZ))`, 6);
    case 'second': return scaled(`date_part('microseconds', ${d})`, 6);
    case 'milliseconds': return scaled(`date_part('microseconds', ${d})`, 3);
    default:
      if (!SAME_FIELDS.has(field)) throw unknownField(field, 'EXTRACT');
      return `date_part('${field}', ${d})`;
  }
}

const TRUNC_UNITS = new Set(['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium']);

export function isPgTruncUnit(unit: string): boolean {
  return TRUNC_UNITS.has(unit);
}

/**
 * `date_trunc(unit, d)`: DuckDB's, except that PostgreSQL's centuries and millennia begin with a year
 * ending in 1 (`date_trunc('century', 2023-…)` is 2001-01-01; DuckDB's is 2000-01-01). `unit` is the
 * literal's text when the unit is written as one, `unitSql` its rendered form otherwise.
 */
export function pgTruncSql(unit: string | undefined, unitSql: string, d: string): string {
  if (unit === 'century' || unit === 'millennium') {
    const span = unit === 'century' ? 100 : 1000;
    return `make_timestamp(CAST(((year(${d}) - 1) // ${span}) * ${span} + 1 AS BIGINT), 1, 1, 0, 0, 0)`;
  }
  return dateTruncSql(unitSql, d);
}

type Piece = { kind: 'format'; text: string } | { kind: 'sql'; sql: string };

/** template patterns, longest first (`HH24` before `HH`, `Month` before `Mon` before `MM`) */
const PATTERNS: [RegExp, (d: string, fm: boolean, word: string) => Piece][] = [
  [/^HH24/, () => fmt('%H')],
  [/^HH12/, () => fmt('%I')],
  [/^HH/, () => fmt('%I')],
  [/^MI/, () => fmt('%M')],
  [/^SS/, () => fmt('%S')],
  [/^MS/, () => fmt('%g')],
  [/^US/, () => fmt('%f')],
  [/^(AM|PM|am|pm|A\.M\.|P\.M\.)/, (_d, _fm, word) => (word === word.toLowerCase() ? sqlPiece(`lower(strftime(${_d}, '%p'))`) : fmt('%p'))],
  [/^IYYY/, () => fmt('%G')],
  [/^YYYY/, () => fmt('%Y')],
  [/^YY/, () => fmt('%y')],
  [/^(MONTH|Month|month)/, (d, fm, word) => named(`strftime(${d}, '%B')`, word, fm)],
  [/^(MON|Mon|mon)/, (d, _fm, word) => named(`strftime(${d}, '%b')`, word, true)],
  [/^MM/, () => fmt('%m')],
  [/^(DAY|Day|day)/, (d, fm, word) => named(`strftime(${d}, '%A')`, word, fm)],
  [/^(DY|Dy|dy)/, (d, _fm, word) => named(`strftime(${d}, '%a')`, word, true)],
  [/^DDD/, () => fmt('%j')],
  [/^DD/, () => fmt('%d')],
  [/^ID/, (d) => sqlPiece(`CAST(isodow(${d}) AS VARCHAR)`)],
  [/^D/, (d) => sqlPiece(`CAST(dayofweek(${d}) + 1 AS VARCHAR)`)],
  [/^IW/, () => fmt('%V')],
  [/^Q/, (d) => sqlPiece(`CAST(quarter(${d}) AS VARCHAR)`)],
];

const fmt = (text: string): Piece => ({ kind: 'format', text });
const sqlPiece = (sql: string): Piece => ({ kind: 'sql', sql });

/** month and day names: PostgreSQL pads them to 9 characters unless FM is written, and follows the pattern's case */
function named(sql: string, word: string, fillMode: boolean): Piece {
  const cased = word === word.toUpperCase() ? `upper(${sql})` : word === word.toLowerCase() ? `lower(${sql})` : sql;
  return sqlPiece(fillMode ? cased : `rpad(${cased}, 9, ' ')`);
}

/**
 * `to_char(d, template)` for a date or timestamp: the template's patterns (YYYY, MM, DD, HH24, MI,
 * SS, MS, US, Mon, Month, Dy, Day, DDD, D, ID, IW, IYYY, Q, AM/PM, the FM prefix) in DuckDB's strftime
 * or as expressions, double-quoted text and anything else copied as it is. Zero-padded numbers keep
 * their padding under FM only where strftime cannot drop it (PostgreSQL's FM on numbers is not
 * followed: `FMDD` gives `05`).
 */
export function toCharSql(d: string, template: string): string {
  const pieces: Piece[] = [];
  const literal = (text: string) => {
    const last = pieces[pieces.length - 1];
    const escaped = text.replace(/%/g, '%%');
    if (last?.kind === 'format') last.text += escaped;
    else pieces.push(fmt(escaped));
  };
  for (let i = 0; i < template.length; ) {
    if (template[i] === '"') {
      const end = template.indexOf('"', i + 1);
      literal(template.slice(i + 1, end < 0 ? template.length : end));
      i = end < 0 ? template.length : end + 1;
      continue;
    }
    const fillMode = template.startsWith('FM', i);
    const at = fillMode ? i + 2 : i;
    const rest = template.slice(at);
    const match = PATTERNS.find(([re]) => re.test(rest));
    if (!match) {
      literal(template[i]!);
      i++;
      continue;
    }
    const word = match[0].exec(rest)![0];
    const piece = match[1](d, fillMode, word);
    const last = pieces[pieces.length - 1];
    if (piece.kind === 'format' && last?.kind === 'format') last.text += piece.text;
    else pieces.push(piece);
    i = at + word.length;
  }
  if (pieces.length === 0) return "''";
  return pieces.map((p) => (p.kind === 'format' ? `strftime(${d}, '${p.text.replace(/'/g, "''")}')` : p.sql)).join(' || ');
}
