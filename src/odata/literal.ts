/**
 * The one function every value passes through on its way into a URL. It validates the value for
 * its Edm type and writes it in OData literal syntax; `encodeQueryOptionValue` then percent-encodes
 * the whole option value. Nothing else builds literal text, so a hostile string (`' or 1 eq 1`, `%`,
 * `&`, `#`, unicode) can only ever be a string.
 *
 * `odataLiteral('O\'Brien', {edmType:'Edm.String'})` → `'O''Brien'`;
 * `odataLiteral('2024-01-01', {edmType:'Edm.DateTimeOffset'})` → `2024-01-01T00:00:00Z`;
 * inside a query function's JSON array (`Microsoft.Dynamics.CRM.In(…,PropertyValues=[…])`) the same
 * value is written with `style:'json'`: `"O'Brien"`.
 */
import { DynasqlError } from '../errors/index.js';

export interface LiteralTarget {
  edmType: string;
  /** F&O enum literal: `Microsoft.Dynamics.DataEntities.NoYes'Yes'` */
  enumType?: string;
  /** `filter` (OData literal) or `json` (an element of a query function's string array) */
  style?: 'filter' | 'json';
  /** Edm.Decimal: the column's precision and scale, which bound the whole digits a value may have */
  precision?: number;
  scale?: number | 'variable';
}

export type LiteralValue = string | number | bigint | boolean | Date | null;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BRACED_GUID = /^\{([0-9a-f-]{36})\}$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** the range of each integer type (OData CSDL §4.4) */
const INTEGER_RANGE: Record<string, [bigint, bigint]> = {
  'Edm.Byte': [0n, 255n],
  'Edm.SByte': [-128n, 127n],
  'Edm.Int16': [-32768n, 32767n],
  'Edm.Int32': [-2147483648n, 2147483647n],
  'Edm.Int64': [-9223372036854775808n, 9223372036854775807n],
};
/** the largest finite value of each binary floating-point type */
const FLOAT_MAX: Record<string, number> = { 'Edm.Double': Number.MAX_VALUE, 'Edm.Single': 3.4028234663852886e38 };
/** SQL Server's (and so Dataverse's) widest decimal: 38 digits */
const DECIMAL_MAX_DIGITS = 38;

function typeError(value: unknown, edmType: string): DynasqlError {
  const shown = typeof value === 'string' ? `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'` : String(value);
  return new DynasqlError('DYNASQL_ERR_TYPE', `The value ${shown} is not a valid ${edmType.replace(/^Edm\./, '')}`);
}

export function odataLiteral(value: LiteralValue, target: LiteralTarget): string {
  const style = target.style ?? 'filter';
  if (value === null) {
    if (style === 'json') throw typeError(value, target.edmType);
    return 'null';
  }
  if (style === 'json') {
    // the service reads PropertyValues as JSON strings: `["O'Brien","5"]`, no OData quoting inside
    const text = target.edmType === 'Edm.String' ? String(value instanceof Date ? value.toISOString() : value) : canonical(value, target);
    return JSON.stringify(text);
  }
  return canonical(value, target);
}

/** the literal in filter syntax, validated for the type */
function canonical(value: Exclude<LiteralValue, null>, target: LiteralTarget): string {
  const { edmType } = target;
  switch (edmType) {
    case 'Edm.String':
      return quoteString(typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : String(value));
    case 'Edm.Guid': {
      const s = String(value).trim();
      const braced = BRACED_GUID.exec(s);
      const guid = braced ? braced[1]! : s;
      if (!GUID.test(guid)) throw typeError(value, edmType);
      return guid.toLowerCase();
    }
    case 'Edm.Boolean':
      if (value === true || value === 1 || value === '1' || value === 'true' || value === 1n) return 'true';
      if (value === false || value === 0 || value === '0' || value === 'false' || value === 0n) return 'false';
      throw typeError(value, edmType);
    case 'Edm.Int16': case 'Edm.Int32': case 'Edm.Int64': case 'Edm.Byte': case 'Edm.SByte': {
      const s = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : '') : String(value).trim();
      if (!INTEGER.test(s)) throw typeError(value, edmType);
      const [min, max] = INTEGER_RANGE[edmType]!;
      const n = BigInt(s);
      if (n < min || n > max) throw overflow(value, edmType);
      return s.replace(/^\+/, '');
    }
    case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Single': {
      const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value).trim();
      if (!DECIMAL.test(s)) throw typeError(value, edmType);
      checkMagnitude(s, target);
      return s.replace(/^\+/, '');
    }
    case 'Edm.DateTimeOffset':
      return dateTimeOffset(value, edmType);
    case 'Edm.Date': {
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      const s = String(value).trim();
      const m = DATE_ONLY.exec(s) ?? DATE_TIME.exec(s);
      if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) throw typeError(value, edmType);
      return `${m[1]}-${m[2]}-${m[3]}`;
    }
    default:
      if (target.enumType) {
        const member = String(value);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(member)) throw typeError(value, target.enumType);
        return `${target.enumType}'${member}'`;
      }
      throw new DynasqlError('DYNASQL_ERR_TYPE', `Values of type ${edmType} cannot be sent in a filter`);
  }
}

function overflow(value: unknown, type: string): DynasqlError {
  const shown = String(value).length > 60 ? `${String(value).slice(0, 60)}…` : String(value);
  return new DynasqlError('DYNASQL_ERR_OVERFLOW', `The number ${shown} is out of the range of ${type.replace(/^Edm\./, '')}`);
}

/**
 * A number the type cannot hold never becomes a literal: `1e309` is no double (T-SQL refuses it as
 * out of the range of float), and a decimal(p,s) holds at most p-s whole digits.
 */
function checkMagnitude(text: string, target: LiteralTarget): void {
  const n = Number(text);
  if (target.edmType !== 'Edm.Decimal') {
    if (!(Math.abs(n) <= FLOAT_MAX[target.edmType]!)) throw overflow(text, target.edmType);
    return;
  }
  const scale = typeof target.scale === 'number' ? target.scale : 0;
  const wholeDigits = target.precision !== undefined ? target.precision - scale : DECIMAL_MAX_DIGITS;
  // digits counted in the text where there is no exponent: a double rounds 999999999999999.9999 up to 1e15
  const plain = /^[+-]?0*(\d*)(\.\d*)?$/.exec(text);
  const fits = plain ? plain[1]!.length <= wholeDigits : Math.abs(n) < 10 ** wholeDigits;
  if (!fits) throw overflow(text, `decimal(${target.precision ?? DECIMAL_MAX_DIGITS}${target.precision !== undefined ? `,${scale}` : ''})`);
}

function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function validDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** `2024-01-31` → `2024-01-31T00:00:00Z`; a time without an offset is read as UTC (the service stores UTC) */
function dateTimeOffset(value: Exclude<LiteralValue, null>, edmType: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw typeError(value, edmType);
    return value.toISOString().replace('.000Z', 'Z');
  }
  const s = String(value).trim();
  const dateOnly = DATE_ONLY.exec(s);
  if (dateOnly) {
    if (!validDate(+dateOnly[1]!, +dateOnly[2]!, +dateOnly[3]!)) throw typeError(value, edmType);
    return `${s}T00:00:00Z`;
  }
  const m = DATE_TIME.exec(s);
  if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!) || +m[4]! > 23 || +m[5]! > 59 || +(m[6] ?? 0) > 59) throw typeError(value, edmType);
  const seconds = m[6] ?? '00';
  const fraction = m[7] && !/^\.0+$/.test(m[7]) ? m[7] : '';
  const zone = !m[8] || m[8].toUpperCase() === 'Z' ? 'Z' : m[8].includes(':') ? m[8] : `${m[8].slice(0, 3)}:${m[8].slice(3)}`;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${seconds}${fraction}${zone}`;
}

/**
 * Percent-encodes a whole query option value. Keeps the characters OData syntax needs readable
 * (`(`, `)`, `,`, `/`, `:`, `*`, `$`, `@`) and encodes everything that could end the option, a
 * nested option or the URL (`&`, `;`, `=`, `#`, `+`, `%`, space, `"`, `[`, `]`, non-ASCII). `'` is
 * encoded too: the WHATWG URL parser (undici) would encode it anyway, and EXPLAIN shows the URL
 * exactly as it goes on the wire.
 * `encodeQueryOptionValue("name eq 'A&B'")` → `name%20eq%20%27A%26B%27`.
 */
export function encodeQueryOptionValue(value: string): string {
  // most `$select` and `$orderby` values (`name,revenue desc` aside) hold nothing to encode
  if (UNCHANGED.test(value)) return value;
  return encodeURIComponent(value).replace(RESTORED, (escape) => RESTORED_AS[escape]!);
}

/** what the encoding leaves as it is: what encodeURIComponent keeps (but `'`), and the characters restored below */
const UNCHANGED = /^[A-Za-z0-9\-_.!~*(),/:$@]*$/;
/** escapes undone (OData syntax stays readable) and the `'` that encodeURIComponent keeps but we encode */
const RESTORED = /%2C|%2F|%3A|%24|%40|'/g;
const RESTORED_AS: Record<string, string> = { '%2C': ',', '%2F': '/', '%3A': ':', '%24': '$', '%40': '@', "'": '%27' };
