/**
 * Response pages → typed values. One decoder per column, chosen from its Edm type:
 * Edm.Decimal → string with the service's exact digits (`"20000.0000"`); Edm.Int64 → bigint;
 * Edm.Double/Int32 → number; Edm.DateTimeOffset and Edm.Date → Date (UTC); Edm.Guid → lower-case
 * string; Edm.Binary → Uint8Array; F&O enums → the member name. Virtual columns read annotations:
 * `parentcustomeridname` ← `_parentcustomerid_value@OData.Community.Display.V1.FormattedValue`.
 */
import type { Column } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { JsonNumberText, parseJsonLossless, parseJsonWithTextKeys, type JsonValue } from './json.js';
import { roundDecimalText } from './decimal-rounding.js';
import { FORMATTED_VALUE, LOOKUP_LOGICAL_NAME } from './query.js';

export type DecodedValue = string | number | boolean | bigint | Date | Uint8Array | null;

export interface ODataPage {
  rows: Record<string, JsonValue>[];
  nextLink?: string;
  /** a change-tracked read's last page: the link to the changes since (`…&$deltatoken=…`) */
  deltaLink?: string;
}

/**
 * One page of rows. Given the columns that will be read from it (`readFor`), it is parsed with the
 * native `JSON.parse`, keeping the exact text of the numbers those columns need (see
 * `parseJsonWithTextKeys`); without them, with the lossless parser.
 */
export function parsePage(text: string, readFor?: readonly Column[]): ODataPage {
  const body = readFor ? parseJsonWithTextKeys(text, textKeys(readFor)) : parseJsonLossless(text);
  if (!body || typeof body !== 'object' || Array.isArray(body) || body instanceof JsonNumberText || !Array.isArray(body.value)) {
    throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service answered without a value array');
  }
  const next = body['@odata.nextLink'];
  const page: ODataPage = { rows: body.value as Record<string, JsonValue>[] };
  if (typeof next === 'string') page.nextLink = next;
  const delta = body['@odata.deltaLink'];
  if (typeof delta === 'string') page.deltaLink = delta;
  return page;
}

/** the properties whose numbers must keep their text: every column not decoded as a double */
function textKeys(columns: readonly Column[]): string[] {
  return [...new Set(columns.filter((c) => decoderFor(c) !== asNumber).map(sourceKey))];
}

/** the property a column's value is read from, annotations included */
export function sourceKey(column: Column): string {
  switch (column.kind) {
    case 'lookupName': case 'choiceLabel': return `${column.odataName}@${FORMATTED_VALUE}`;
    case 'lookupType': return `${column.odataName}@${LOOKUP_LOGICAL_NAME}`;
    default: return column.odataName;
  }
}

export type ValueDecoder = (raw: JsonValue | undefined) => DecodedValue;

export function decoderFor(column: Column): ValueDecoder {
  if (column.kind === 'lookupName' || column.kind === 'choiceLabel' || column.kind === 'lookupType') return asString;
  return decoderForEdm(column.edmType);
}

export function decoderForEdm(edmType: string): ValueDecoder {
  switch (edmType) {
    case 'Edm.Decimal': return asDecimalText;
    case 'Edm.Int64': return asBigInt;
    case 'Edm.Double': case 'Edm.Single': case 'Edm.Int32': case 'Edm.Int16': case 'Edm.Byte': case 'Edm.SByte': return asNumber;
    case 'Edm.Boolean': return asBoolean;
    case 'Edm.DateTimeOffset': case 'Edm.Date': return asDate;
    case 'Edm.Guid': return (raw) => (raw == null ? null : String(raw).toLowerCase());
    case 'Edm.Binary': return (raw) => (raw == null ? null : Uint8Array.from(Buffer.from(String(raw), 'base64')));
    default: return asString;
  }
}

const asString: ValueDecoder = (raw) => (raw == null ? null : raw instanceof JsonNumberText ? raw.text : typeof raw === 'object' ? JSON.stringify(raw) : String(raw));
const asNumber: ValueDecoder = (raw) => (raw == null ? null : raw instanceof JsonNumberText ? raw.toNumber() : Number(raw));
const asBoolean: ValueDecoder = (raw) => (raw == null ? null : raw === true || raw === 'true' || raw === 1);
const asDecimalText: ValueDecoder = (raw) => (raw == null ? null : raw instanceof JsonNumberText ? raw.text : String(raw));
const asBigInt: ValueDecoder = (raw) => {
  if (raw == null) return null;
  const text = raw instanceof JsonNumberText ? raw.text : String(raw);
  return /^-?\d+$/.test(text) ? BigInt(text) : BigInt(Math.trunc(Number(text)));
};
const asDate: ValueDecoder = (raw) => {
  if (raw == null) return null;
  const text = String(raw);
  // a date without a time (`2024-05-01`, Edm.Date) is midnight UTC, not local midnight
  return new Date(text.length === 10 && /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
};

/** the range of each integer type a pushed aggregate's result may have */
const INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  tinyint: [0n, 255n], smallint: [-32768n, 32767n], int: [-2147483648n, 2147483647n], bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * The decoder of an aggregate's result column (`$apply`, FetchXML): by the result's SQL type, so a SUM
 * of money reads as money, exactly at its scale, whatever digits the service's JSON number carries,
 * and a SUM of an int column past the int range is T-SQL's arithmetic overflow (Msg 8115: SUM(int)
 * is an int), not the service's larger number.
 */
export function aggregateDecoderFor(column: Column): ValueDecoder {
  const decode = decoderFor(column);
  const range = INTEGER_RANGES[column.sqlType.name.toLowerCase()];
  if (range) {
    return (raw) => {
      const value = decode(raw);
      const whole = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isFinite(value) ? BigInt(Math.trunc(value)) : undefined;
      if (whole !== undefined && (whole < range[0] || whole > range[1])) {
        throw new DynasqlError('DYNASQL_ERR_OVERFLOW', `Arithmetic overflow error converting an expression to data type ${column.sqlType.name.toLowerCase()}`);
      }
      return value;
    };
  }
  const scale = column.sqlType.scale;
  if (column.edmType !== 'Edm.Decimal' || !/^(money|smallmoney|decimal|numeric)$/i.test(column.sqlType.name) || scale === undefined) return decode;
  return (raw) => {
    const value = decode(raw);
    return typeof value === 'string' ? roundDecimalText(value, scale) : value;
  };
}

/**
 * An aggregate row's outputs that must be null because a companion is: `{a1: 0, a2: null}` with
 * `{alias:'a1', nullWhenNull:'a2'}` → `{a1: null, a2: null}` (a SUM over no non-null values).
 */
export function applyNullGuards(rows: Record<string, JsonValue>[], outputs: readonly { alias: string; nullWhenNull?: string }[]): void {
  const guarded = outputs.filter((o) => o.nullWhenNull !== undefined);
  if (guarded.length === 0) return;
  for (const row of rows) for (const o of guarded) if (row[o.nullWhenNull!] == null) row[o.alias] = null;
}
