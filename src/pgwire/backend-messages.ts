/**
 * Encoding what a Postgres server sends (protocol 3.0), as pure functions returning bytes.
 * Example: `readyForQuery('I')` is `Buffer.from('Z\0\0\0\x05I')`.
 */

/** One column of a RowDescription. */
export interface FieldDescription {
  name: string;
  /** OID of the table the column comes from, or 0 */
  tableOid: number;
  /** attribute number in that table, or 0 */
  columnNumber: number;
  typeOid: number;
  /** pg_type.typlen (-1 for varlena) */
  typeSize: number;
  /** atttypmod: varchar(n) → n + 4, numeric(p,s) → ((p << 16) | s) + 4, -1 when none */
  typeModifier: number;
  format: 0 | 1;
}

/** Error and notice fields: severity, SQLSTATE, message and the optional extras. */
export interface ErrorFields {
  severity: 'ERROR' | 'FATAL' | 'WARNING' | 'NOTICE';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement */
  position?: number;
}

export type TransactionStatus = 'I' | 'T' | 'E';

function message(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(body.length + 4, 1);
  body.copy(out, 5);
  return out;
}

function cstring(s: string): Buffer {
  return Buffer.from(s.replace(/\0/g, '') + '\0', 'utf8');
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n);
  return b;
}

function int16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(n);
  return b;
}

export const authenticationOk = (): Buffer => message('R', int32(0));

/** AuthenticationSASL listing the mechanisms the server accepts. */
export const authenticationSasl = (mechanisms: string[]): Buffer =>
  message('R', Buffer.concat([int32(10), ...mechanisms.map(cstring), Buffer.from([0])]));

export const authenticationSaslContinue = (data: string): Buffer =>
  message('R', Buffer.concat([int32(11), Buffer.from(data, 'utf8')]));

export const authenticationSaslFinal = (data: string): Buffer =>
  message('R', Buffer.concat([int32(12), Buffer.from(data, 'utf8')]));

export const parameterStatus = (name: string, value: string): Buffer =>
  message('S', Buffer.concat([cstring(name), cstring(value)]));

export const backendKeyData = (processId: number, secretKey: number): Buffer =>
  message('K', Buffer.concat([int32(processId), int32(secretKey)]));

export const readyForQuery = (status: TransactionStatus): Buffer => message('Z', Buffer.from(status, 'latin1'));

export const rowDescription = (fields: readonly FieldDescription[]): Buffer =>
  message(
    'T',
    Buffer.concat([
      int16(fields.length),
      ...fields.flatMap((f) => [
        cstring(f.name),
        int32(f.tableOid),
        int16(f.columnNumber),
        int32(f.typeOid),
        int16(f.typeSize),
        int32(f.typeModifier),
        int16(f.format),
      ]),
    ]),
  );

/** A DataRow; each value is already encoded in its column's format, null is SQL NULL. */
export const dataRow = (values: readonly (Buffer | null)[]): Buffer =>
  message(
    'D',
    Buffer.concat([int16(values.length), ...values.flatMap((v) => (v === null ? [int32(-1)] : [int32(v.length), v]))]),
  );

export const commandComplete = (tag: string): Buffer => message('C', cstring(tag));
export const emptyQueryResponse = (): Buffer => message('I', Buffer.alloc(0));
export const parseComplete = (): Buffer => message('1', Buffer.alloc(0));
export const bindComplete = (): Buffer => message('2', Buffer.alloc(0));
export const closeComplete = (): Buffer => message('3', Buffer.alloc(0));
export const noData = (): Buffer => message('n', Buffer.alloc(0));
export const portalSuspended = (): Buffer => message('s', Buffer.alloc(0));

/**
 * NegotiateProtocolVersion: the newest minor version of protocol 3 the server speaks (0) and the
 * `_pq_.` options of the startup packet it does not know; the client goes on with those.
 */
export const negotiateProtocolVersion = (minorVersion: number, unsupportedOptions: readonly string[]): Buffer =>
  message('v', Buffer.concat([int32(minorVersion), int32(unsupportedOptions.length), ...unsupportedOptions.map(cstring)]));

/** CopyOutResponse: `format` 0 (text) or 1 (binary) overall, one format code per column. */
export const copyOutResponse = (format: 0 | 1, columns: number): Buffer =>
  message('H', Buffer.concat([Buffer.from([format]), int16(columns), ...Array.from({ length: columns }, () => int16(format))]));

export const copyData = (data: Buffer): Buffer => message('d', data);
export const copyDone = (): Buffer => message('c', Buffer.alloc(0));

export const parameterDescription = (typeOids: readonly number[]): Buffer =>
  message('t', Buffer.concat([int16(typeOids.length), ...typeOids.map((oid) => int32(oid))]));

function errorBody(fields: ErrorFields): Buffer {
  const parts: Buffer[] = [
    Buffer.from('S'), cstring(fields.severity),
    Buffer.from('V'), cstring(fields.severity),
    Buffer.from('C'), cstring(fields.code),
    Buffer.from('M'), cstring(fields.message),
  ];
  if (fields.detail) parts.push(Buffer.from('D'), cstring(fields.detail));
  if (fields.hint) parts.push(Buffer.from('H'), cstring(fields.hint));
  if (fields.position !== undefined) parts.push(Buffer.from('P'), cstring(String(fields.position)));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export const errorResponse = (fields: ErrorFields): Buffer => message('E', errorBody(fields));
export const noticeResponse = (fields: ErrorFields): Buffer => message('N', errorBody(fields));

/** The one-byte answers to SSLRequest / GSSENCRequest (no framing). */
export const sslAccepted = (): Buffer => Buffer.from('S');
export const sslRefused = (): Buffer => Buffer.from('N');

/** A backend message as read back from bytes (for relaying the catalog engine's answers). */
export interface BackendMessage {
  type: string;
  /** the whole message, type byte and length included */
  bytes: Buffer;
  body: Buffer;
}

/** Splits a buffer of complete backend messages (the catalog engine's output) into messages. */
export function splitBackendMessages(data: Uint8Array): BackendMessage[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: BackendMessage[] = [];
  let offset = 0;
  while (offset + 5 <= buf.length) {
    const len = buf.readInt32BE(offset + 1);
    if (len < 4 || offset + 1 + len > buf.length) break;
    out.push({
      type: String.fromCharCode(buf[offset]!),
      bytes: buf.subarray(offset, offset + 1 + len),
      body: buf.subarray(offset + 5, offset + 1 + len),
    });
    offset += 1 + len;
  }
  return out;
}

/** Reads a RowDescription body back into fields. */
export function decodeRowDescription(body: Buffer): FieldDescription[] {
  const n = body.readInt16BE(0);
  const fields: FieldDescription[] = [];
  let o = 2;
  for (let i = 0; i < n; i++) {
    const end = body.indexOf(0, o);
    const name = body.toString('utf8', o, end);
    o = end + 1;
    fields.push({
      name,
      tableOid: body.readUInt32BE(o),
      columnNumber: body.readInt16BE(o + 4),
      typeOid: body.readUInt32BE(o + 6),
      typeSize: body.readInt16BE(o + 10),
      typeModifier: body.readInt32BE(o + 12),
      format: body.readInt16BE(o + 16) === 1 ? 1 : 0,
    });
    o += 18;
  }
  return fields;
}

/** Reads a ParameterDescription body back into type OIDs. */
export function decodeParameterDescription(body: Buffer): number[] {
  const n = body.readInt16BE(0);
  return Array.from({ length: n }, (_, i) => body.readUInt32BE(2 + 4 * i));
}

/** Reads an ErrorResponse / NoticeResponse body into its fields by code letter. */
export function decodeErrorFields(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let o = 0;
  while (o < body.length && body[o] !== 0) {
    const code = String.fromCharCode(body[o]!);
    const end = body.indexOf(0, o + 1);
    if (end < 0) break;
    fields[code] = body.toString('utf8', o + 1, end);
    o = end + 1;
  }
  return fields;
}

/** Reads a DataRow body into raw values. */
export function decodeDataRow(body: Buffer): (Buffer | null)[] {
  const n = body.readInt16BE(0);
  const values: (Buffer | null)[] = [];
  let o = 2;
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(o);
    o += 4;
    if (len < 0) values.push(null);
    else {
      values.push(body.subarray(o, o + len));
      o += len;
    }
  }
  return values;
}
