/**
 * Postgres types for Dynamics columns: the DDL type a catalog column gets in the mirror, the type
 * OID / size / modifier a result column reports, and value encoding in text and binary formats.
 * Example: `nvarchar(160)` → `varchar(160)`, OID 1043, typmod 164; `decimal(19,4)` → `numeric(19,4)`,
 * OID 1700, typmod ((19 << 16) | 4) + 4.
 */
import { DynasqlError } from '../errors/index.js';
import type { SqlValue } from '../index.js';
import { formatInterval, parseInterval, type IntervalValue } from '../util/index.js';

export const OID = {
  bool: 16,
  bytea: 17,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
} as const;

const TYPE_SIZE: Record<number, number> = {
  [OID.bool]: 1, [OID.int2]: 2, [OID.int4]: 4, [OID.int8]: 8, [OID.float4]: 4, [OID.float8]: 8,
  [OID.date]: 4, [OID.time]: 8, [OID.timestamp]: 8, [OID.timestamptz]: 8, [OID.interval]: 16, [OID.uuid]: 16, [OID.oid]: 4, [OID.name]: 64,
};

/** pg_type.typlen for an OID (-1 for variable-length types). */
export const typeSize = (oid: number): number => TYPE_SIZE[oid] ?? -1;

/** A SQL Server–style type as the catalog and results name it. */
export interface SqlTypeLike {
  name: string;
  length?: number;
  precision?: number;
  scale?: number;
}

export interface PgType {
  /** DDL spelling (`varchar(160)`, `numeric(19,4)`, `uuid`) */
  ddl: string;
  oid: number;
  typeModifier: number;
}

const MAX_VARCHAR = 10_485_760;

/** Maps a catalog / result type to the Postgres type clients should see. */
export function pgTypeOf(type: SqlTypeLike): PgType {
  const name = type.name.toLowerCase();
  switch (name) {
    case 'uniqueidentifier':
      return { ddl: 'uuid', oid: OID.uuid, typeModifier: -1 };
    case 'int':
    case 'integer':
      return { ddl: 'integer', oid: OID.int4, typeModifier: -1 };
    case 'bigint':
      return { ddl: 'bigint', oid: OID.int8, typeModifier: -1 };
    case 'smallint':
    case 'tinyint':
      return { ddl: 'smallint', oid: OID.int2, typeModifier: -1 };
    case 'decimal':
    case 'numeric':
    case 'money':
    case 'smallmoney': {
      const p = type.precision;
      if (p === undefined || p < 1 || p > 1000) return { ddl: 'numeric', oid: OID.numeric, typeModifier: -1 };
      const s = Math.min(Math.max(type.scale ?? 0, 0), p);
      return { ddl: `numeric(${p},${s})`, oid: OID.numeric, typeModifier: ((p << 16) | s) + 4 };
    }
    case 'float':
    case 'double':
      return { ddl: 'double precision', oid: OID.float8, typeModifier: -1 };
    case 'real':
      return { ddl: 'real', oid: OID.float4, typeModifier: -1 };
    case 'bit':
    case 'boolean':
      return { ddl: 'boolean', oid: OID.bool, typeModifier: -1 };
    // Dynamics stores and returns every date-time as a UTC instant (the catalog names them datetime2,
    // as the TDS endpoint does); timestamptz keeps clients in other time zones from shifting them.
    case 'datetimeoffset':
    case 'datetime2':
    case 'datetime':
    case 'smalldatetime':
      return { ddl: 'timestamp with time zone', oid: OID.timestamptz, typeModifier: -1 };
    case 'date':
      return { ddl: 'date', oid: OID.date, typeModifier: -1 };
    // PostgreSQL's interval (months, days, microseconds: util/interval.ts), from the PostgreSQL dialect
    case 'interval':
      return { ddl: 'interval', oid: OID.interval, typeModifier: -1 };
    case 'time':
      return { ddl: 'time without time zone', oid: OID.time, typeModifier: -1 };
    case 'varbinary':
    case 'binary':
    case 'image':
      return { ddl: 'bytea', oid: OID.bytea, typeModifier: -1 };
    case 'nvarchar':
    case 'varchar':
    case 'nchar':
    case 'char': {
      const n = type.length;
      if (n === undefined || n < 1 || n > MAX_VARCHAR) return { ddl: 'text', oid: OID.text, typeModifier: -1 };
      return { ddl: `varchar(${n})`, oid: OID.varchar, typeModifier: n + 4 };
    }
    default:
      return { ddl: 'text', oid: OID.text, typeModifier: -1 };
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function fractionOf(d: Date): string {
  const ms = d.getUTCMilliseconds();
  return ms === 0 ? '' : `.${pad(ms, 3)}`.replace(/0+$/, '');
}

function toDate(value: SqlValue): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

function isoDate(d: Date): string {
  const y = d.getUTCFullYear();
  return y > 0 ? `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : `${pad(1 - y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} BC`;
}

function isoTimestamp(d: Date): string {
  return `${isoDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fractionOf(d)}`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Decimal text with exactly `scale` fraction digits, as Postgres prints numeric(p,s) (`5` → `5.0000`). */
function withScale(value: SqlValue, scale: number): string {
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(Math.min(scale, 20))) : String(value);
  const m = /^(-?\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return text;
  const fraction = (m[2] ?? '').padEnd(scale, '0');
  return scale === 0 && fraction === '' ? m[1]! : `${m[1]}.${fraction}`;
}

/**
 * An interval value as the parts PostgreSQL keeps: the local engine hands intervals out in PostgreSQL's
 * output text (`1 year 2 mons 3 days 04:05:06`), a parameter may be any input text (`90 minutes`).
 */
function intervalOf(value: SqlValue): IntervalValue {
  const parsed = typeof value === 'string' ? parseInterval(value) : undefined;
  if (!parsed) throw new DynasqlError('DYNASQL_ERR_TYPE', `'${String(value)}' is not an interval`);
  return parsed;
}

/**
 * A value in Postgres's text format (DateStyle ISO, times in UTC) for a column of type `oid`;
 * `typeModifier` gives numeric columns their scale.
 */
export function encodeText(oid: number, value: SqlValue, typeModifier = -1): string {
  if (value instanceof Uint8Array) return `\\x${hex(value)}`;
  switch (oid) {
    case OID.numeric:
      return typeModifier >= 4 && typeof value !== 'boolean' ? withScale(value, (typeModifier - 4) & 0xffff) : String(value);
    case OID.bool:
      if (typeof value === 'string') return /^(t|true|1|yes|on)$/i.test(value) ? 't' : 'f';
      return value ? 't' : 'f';
    case OID.float4:
    case OID.float8:
      if (typeof value === 'number') {
        if (Number.isNaN(value)) return 'NaN';
        if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
      }
      return String(value);
    case OID.uuid:
      return String(value).toLowerCase();
    case OID.timestamptz: {
      const d = toDate(value);
      return d ? `${isoTimestamp(d)}+00` : String(value);
    }
    case OID.timestamp: {
      const d = toDate(value);
      return d ? isoTimestamp(d) : String(value);
    }
    case OID.date: {
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
      const d = toDate(value);
      return d ? isoDate(d) : String(value);
    }
    case OID.interval:
      return formatInterval(intervalOf(value));
    default:
      if (value instanceof Date) return isoTimestamp(value) + '+00';
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      return String(value);
  }
}

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

/** Postgres's binary `numeric`: int16 ndigits, weight, sign, dscale, then base-10000 digits. */
export function encodeNumericBinary(decimal: string): Buffer {
  const text = decimal.trim();
  if (/^nan$/i.test(text)) return Buffer.from([0, 0, 0, 0, 0xc0, 0, 0, 0]);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DynasqlError('DYNASQL_ERR_TYPE', `'${decimal}' is not a number`);
  let intPart = m[2]!;
  let fracPart = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    fracPart = fracPart.padEnd(exp, '0');
    intPart += fracPart.slice(0, exp);
    fracPart = fracPart.slice(exp);
  } else if (exp < 0) {
    intPart = intPart.padStart(-exp, '0');
    fracPart = intPart.slice(intPart.length + exp) + fracPart;
    intPart = intPart.slice(0, intPart.length + exp);
  }
  const dscale = fracPart.length;
  intPart = intPart.replace(/^0+/, '');
  const intPadded = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const fracPadded = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  let digits: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) digits.push(Number(intPadded.slice(i, i + 4)));
  let weight = digits.length - 1;
  for (let i = 0; i < fracPadded.length; i += 4) digits.push(Number(fracPadded.slice(i, i + 4)));
  while (digits.length > 0 && digits[0] === 0) (digits.shift(), weight--);
  while (digits.length > 0 && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) weight = 0;
  const out = Buffer.alloc(8 + 2 * digits.length);
  out.writeInt16BE(digits.length, 0);
  out.writeInt16BE(weight, 2);
  out.writeUInt16BE(m[1] === '-' && digits.length > 0 ? 0x4000 : 0, 4);
  out.writeInt16BE(dscale, 6);
  digits.forEach((d, i) => out.writeInt16BE(d, 8 + 2 * i));
  return out;
}

/** Reads Postgres's binary `numeric` back into decimal text. */
export function decodeNumericBinary(b: Buffer): string {
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (sign === 0xc000) return 'NaN';
  const digits = Array.from({ length: ndigits }, (_, i) => b.readInt16BE(8 + 2 * i));
  let intPart = '';
  for (let w = 0; w <= weight; w++) intPart += w === 0 ? String(digits[w] ?? 0) : pad(digits[w] ?? 0, 4);
  if (intPart === '') intPart = '0';
  let frac = '';
  for (let w = weight + 1; frac.length < dscale; w++) frac += pad(w < 0 ? 0 : (digits[w] ?? 0), 4);
  frac = frac.slice(0, dscale);
  return `${sign === 0x4000 ? '-' : ''}${intPart}${dscale > 0 ? '.' + frac : ''}`;
}

function int64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

function uuidBytes(value: string): Buffer {
  const h = value.replace(/[{}-]/g, '');
  if (!/^[0-9a-f]{32}$/i.test(h)) throw new DynasqlError('DYNASQL_ERR_TYPE', `'${value}' is not a GUID`);
  return Buffer.from(h, 'hex');
}

/** A value in Postgres's binary format for a column of type `oid` (numeric keeps the column's scale). */
export function encodeBinary(oid: number, value: SqlValue, typeModifier = -1): Buffer {
  switch (oid) {
    case OID.bool:
      return Buffer.from([encodeText(OID.bool, value) === 't' ? 1 : 0]);
    case OID.int2: {
      const b = Buffer.alloc(2);
      b.writeInt16BE(Number(value));
      return b;
    }
    case OID.int4:
    case OID.oid: {
      const b = Buffer.alloc(4);
      if (oid === OID.oid) b.writeUInt32BE(Number(value));
      else b.writeInt32BE(Number(value));
      return b;
    }
    case OID.int8:
      return int64(BigInt(typeof value === 'number' ? Math.trunc(value) : String(value)));
    case OID.float4: {
      const b = Buffer.alloc(4);
      b.writeFloatBE(Number(value));
      return b;
    }
    case OID.float8: {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number(value));
      return b;
    }
    case OID.numeric:
      return encodeNumericBinary(encodeText(oid, value, typeModifier));
    case OID.uuid:
      return uuidBytes(String(value));
    case OID.bytea:
      return value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value), 'utf8');
    case OID.date: {
      const d = toDate(typeof value === 'string' ? value.slice(0, 10) : value);
      if (!d) throw new DynasqlError('DYNASQL_ERR_TYPE', `'${String(value)}' is not a date`);
      const b = Buffer.alloc(4);
      b.writeInt32BE(Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - POSTGRES_EPOCH_MS) / 86_400_000));
      return b;
    }
    case OID.timestamp:
    case OID.timestamptz: {
      const d = toDate(value);
      if (!d) throw new DynasqlError('DYNASQL_ERR_TYPE', `'${String(value)}' is not a timestamp`);
      return int64(BigInt(d.getTime() - POSTGRES_EPOCH_MS) * 1000n);
    }
    case OID.interval: {
      // int64 microseconds, int32 days, int32 months
      const { months, days, micros } = intervalOf(value);
      const b = Buffer.alloc(16);
      b.writeBigInt64BE(BigInt(micros), 0);
      b.writeInt32BE(days, 8);
      b.writeInt32BE(months, 12);
      return b;
    }
    case OID.text:
    case OID.varchar:
    case OID.bpchar:
    case OID.name:
    case OID.json:
    case OID.unknown:
      return Buffer.from(encodeText(oid, value), 'utf8');
    default:
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `binary format is not supported for type OID ${oid}`);
  }
}

/** A number when the decimal text converts exactly (`'1000.50'` → 1000.5; 15 significant digits at most), else the text. */
function numberOrText(text: string): number | string {
  const t = text.trim();
  const significant = t.replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return /^-?\d+(\.\d+)?$/.test(t) && significant.length <= 15 ? Number(t) : t;
}

/** Decodes a bound parameter into the value the translator takes, by its type and format. */
export function decodeParameter(oid: number, format: 0 | 1, raw: Buffer | null): SqlValue {
  if (raw === null) return null;
  if (format === 0) {
    const text = raw.toString('utf8');
    switch (oid) {
      case OID.int2:
      case OID.int4:
      case OID.oid:
      case OID.float4:
      case OID.float8:
        return Number(text);
      case OID.int8: {
        const n = BigInt(text);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      case OID.numeric:
        return numberOrText(text);
      case OID.bool:
        return /^(t|true|1|yes|on|y)$/i.test(text.trim());
      case OID.timestamptz:
      case OID.timestamp: {
        const d = new Date(text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00') + (oid === OID.timestamp && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? 'Z' : ''));
        return Number.isNaN(d.getTime()) ? text : d;
      }
      case OID.bytea:
        return text.startsWith('\\x') ? new Uint8Array(Buffer.from(text.slice(2), 'hex')) : new Uint8Array(Buffer.from(text, 'latin1'));
      default:
        return text;
    }
  }
  const need = (n: number): void => {
    if (raw.length !== n) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `binary parameter of type OID ${oid} must be ${n} bytes, got ${raw.length}`);
  };
  switch (oid) {
    case OID.bool:
      return need(1), raw[0] !== 0;
    case OID.int2:
      return need(2), raw.readInt16BE(0);
    case OID.int4:
      return need(4), raw.readInt32BE(0);
    case OID.oid:
      return need(4), raw.readUInt32BE(0);
    case OID.int8: {
      need(8);
      const n = raw.readBigInt64BE(0);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case OID.float4:
      return need(4), raw.readFloatBE(0);
    case OID.float8:
      return need(8), raw.readDoubleBE(0);
    case OID.numeric:
      if (raw.length < 8) throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'binary numeric parameter is too short');
      return numberOrText(decodeNumericBinary(raw));
    case OID.uuid: {
      need(16);
      const h = raw.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case OID.date:
      return need(4), isoDate(new Date(POSTGRES_EPOCH_MS + raw.readInt32BE(0) * 86_400_000));
    case OID.timestamp:
    case OID.timestamptz:
      return need(8), new Date(POSTGRES_EPOCH_MS + Number(raw.readBigInt64BE(0) / 1000n));
    case OID.bytea:
      return new Uint8Array(raw);
    case OID.interval:
      // the translator reads interval parameters as PostgreSQL's interval text
      return need(16), formatInterval({ micros: Number(raw.readBigInt64BE(0)), days: raw.readInt32BE(8), months: raw.readInt32BE(12) });
    case OID.text:
    case OID.varchar:
    case OID.bpchar:
    case OID.name:
    case OID.unknown:
    case OID.json:
      return raw.toString('utf8');
    default:
      throw new DynasqlError('DYNASQL_ERR_PARAMETER', `binary format is not supported for parameters of type OID ${oid}`);
  }
}
