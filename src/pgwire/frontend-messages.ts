/**
 * Decoding what a Postgres client sends (protocol 3.0), as pure functions over bytes.
 *
 * Two framings exist: the first packet of a connection has no type byte
 * (`int32 length, int32 code, ...`: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest), and
 * every later message is `byte type, int32 length (including itself), body`.
 * Example: `Buffer.from('Q\0\0\0\x0dselect 1\0')` is `{ type: 'Query', sql: 'select 1' }`.
 */

export const PROTOCOL_VERSION_3 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

/** Startup packets are small; a larger length is a client speaking something else. */
export const MAX_STARTUP_LENGTH = 10_000;
/** Upper bound for one regular message (a Bind with large parameters still fits). */
export const MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

export type StartupPacket =
  | {
      type: 'Startup';
      parameters: Record<string, string>;
      /** the minor protocol version the client asked for (3.x); above 0 the server answers NegotiateProtocolVersion */
      minorVersion: number;
      /** `_pq_.` protocol options the client sent (none is known to this server) */
      protocolOptions: string[];
    }
  | { type: 'SSLRequest' }
  | { type: 'GSSENCRequest' }
  | { type: 'CancelRequest'; processId: number; secretKey: number };

export type FormatCode = 0 | 1;

export type FrontendMessage =
  | { type: 'Query'; sql: string }
  | { type: 'Parse'; name: string; sql: string; parameterTypes: number[] }
  | {
      type: 'Bind';
      portal: string;
      statement: string;
      parameterFormats: FormatCode[];
      /** raw parameter values; null is SQL NULL */
      parameters: (Buffer | null)[];
      resultFormats: FormatCode[];
    }
  | { type: 'Describe'; target: 'S' | 'P'; name: string }
  | { type: 'Execute'; portal: string; maxRows: number }
  | { type: 'Close'; target: 'S' | 'P'; name: string }
  | { type: 'Sync' }
  | { type: 'Flush' }
  | { type: 'Terminate' }
  | { type: 'PasswordMessage'; data: Buffer };

/** A protocol violation: the session answers with SQLSTATE 08P01 and closes. */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}

/** Reads fields from one message body, throwing ProtocolViolation when the body is too short. */
class BodyReader {
  private offset = 0;
  constructor(private readonly body: Buffer) {}

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  byte(): number {
    this.need(1);
    return this.body[this.offset++]!;
  }
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw new ProtocolViolation('unterminated string in message');
    const s = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  rest(): Buffer {
    const b = this.body.subarray(this.offset);
    this.offset = this.body.length;
    return b;
  }
  count(): number {
    const n = this.int16();
    if (n < 0) throw new ProtocolViolation('negative count in message');
    return n;
  }
  end(): void {
    if (this.offset !== this.body.length) throw new ProtocolViolation('trailing bytes in message');
  }
  private need(n: number): void {
    if (this.offset + n > this.body.length) throw new ProtocolViolation('message too short');
  }
}

function formatCode(n: number): FormatCode {
  if (n !== 0 && n !== 1) throw new ProtocolViolation(`unknown format code ${n}`);
  return n;
}

/** Decodes a complete startup packet (length prefix included). */
export function decodeStartupPacket(packet: Buffer): StartupPacket {
  const r = new BodyReader(packet.subarray(4));
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return r.end(), { type: 'SSLRequest' };
  if (code === GSSENC_REQUEST_CODE) return r.end(), { type: 'GSSENCRequest' };
  if (code === CANCEL_REQUEST_CODE) {
    const processId = r.int32();
    const secretKey = r.int32();
    r.end();
    return { type: 'CancelRequest', processId, secretKey };
  }
  // a later 3.x (3.2 from libpq 18) is answered with NegotiateProtocolVersion and served as 3.0
  if (code >>> 16 !== PROTOCOL_VERSION_3 >>> 16) {
    throw new ProtocolViolation(`unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0`);
  }
  const parameters: Record<string, string> = Object.create(null);
  const protocolOptions: string[] = [];
  for (let i = 0; i < 64; i++) {
    const name = r.cstring();
    if (name === '') return r.end(), { type: 'Startup', parameters, minorVersion: code & 0xffff, protocolOptions };
    const value = r.cstring();
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else parameters[name] = value;
  }
  throw new ProtocolViolation('too many startup parameters');
}

/** Decodes the body of a regular message of type `typeByte` (a character code such as 0x51 'Q'). */
export function decodeFrontendMessage(typeByte: number, body: Buffer): FrontendMessage {
  const r = new BodyReader(body);
  switch (String.fromCharCode(typeByte)) {
    case 'Q': {
      const sql = r.cstring();
      r.end();
      return { type: 'Query', sql };
    }
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.count();
      const parameterTypes = Array.from({ length: n }, () => r.int32() >>> 0);
      r.end();
      return { type: 'Parse', name, sql, parameterTypes };
    }
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const parameterFormats = Array.from({ length: r.count() }, () => formatCode(r.int16()));
      const parameters = Array.from({ length: r.count() }, () => {
        const len = r.int32();
        if (len < -1) throw new ProtocolViolation('invalid parameter length');
        return len === -1 ? null : Buffer.from(r.bytes(len));
      });
      const resultFormats = Array.from({ length: r.count() }, () => formatCode(r.int16()));
      r.end();
      if (parameterFormats.length > 1 && parameterFormats.length !== parameters.length) {
        throw new ProtocolViolation(`bind message has ${parameterFormats.length} parameter formats but ${parameters.length} parameters`);
      }
      return { type: 'Bind', portal, statement, parameterFormats, parameters, resultFormats };
    }
    case 'D':
    case 'C': {
      const target = String.fromCharCode(r.byte());
      if (target !== 'S' && target !== 'P') throw new ProtocolViolation(`invalid target '${target}'`);
      const name = r.cstring();
      r.end();
      return { type: typeByte === 0x44 ? 'Describe' : 'Close', target, name };
    }
    case 'E': {
      const portal = r.cstring();
      const maxRows = r.int32();
      r.end();
      return { type: 'Execute', portal, maxRows: maxRows < 0 ? 0 : maxRows };
    }
    case 'S':
      return r.end(), { type: 'Sync' };
    case 'H':
      return r.end(), { type: 'Flush' };
    case 'X':
      return r.end(), { type: 'Terminate' };
    case 'p':
      return { type: 'PasswordMessage', data: Buffer.from(r.rest()) };
    default:
      throw new ProtocolViolation(`unsupported message type 0x${typeByte.toString(16)}`);
  }
}

/**
 * Splits a byte stream into messages. `push` buffers partial input; `next` returns a complete
 * message or undefined. The first packet is read with startup framing until `startupDone()`.
 */
export class MessageFramer {
  /** received bytes not yet framed; joined only once a whole message is there (no quadratic copying) */
  private chunks: Buffer[] = [];
  private total = 0;
  private startup = true;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** After the startup packet the connection uses typed framing. */
  startupDone(): void {
    this.startup = false;
  }

  get buffered(): number {
    return this.total;
  }

  get inStartup(): boolean {
    return this.startup;
  }

  /** The first `n` buffered bytes as one buffer (longer is fine), or undefined when fewer arrived. */
  private contiguous(n: number): Buffer | undefined {
    if (this.total < n) return undefined;
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private consume(n: number): void {
    const rest = this.chunks[0]!.subarray(n);
    if (rest.length === 0) this.chunks.shift();
    else this.chunks[0] = rest;
    this.total -= n;
  }

  nextStartup(): StartupPacket | undefined {
    const head = this.contiguous(4);
    if (!head) return undefined;
    const len = head.readInt32BE(0);
    if (len < 8 || len > MAX_STARTUP_LENGTH) throw new ProtocolViolation(`invalid startup packet length ${len}`);
    const packet = this.contiguous(len)?.subarray(0, len);
    if (!packet) return undefined;
    this.consume(len);
    return decodeStartupPacket(packet);
  }

  next(): FrontendMessage | undefined {
    if (this.startup) throw new Error('next() called before the startup packet');
    const head = this.contiguous(5);
    if (!head) return undefined;
    const type = head[0]!;
    const len = head.readInt32BE(1);
    if (len < 4 || len > MAX_MESSAGE_LENGTH) throw new ProtocolViolation(`invalid message length ${len}`);
    const whole = this.contiguous(len + 1);
    if (!whole) return undefined;
    const body = whole.subarray(5, len + 1);
    this.consume(len + 1);
    return decodeFrontendMessage(type, body);
  }
}

function framed(type: string, parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.allocUnsafe(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstr = (s: string): Buffer => Buffer.from(s + '\0', 'utf8');
const i16 = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n | 0);
  return b;
};

/**
 * Encodes a frontend message: the adapter talks to its embedded catalog engine in the same
 * protocol, and tests build client bytes with it.
 */
export function encodeFrontendMessage(m: FrontendMessage): Buffer {
  switch (m.type) {
    case 'Query':
      return framed('Q', [cstr(m.sql)]);
    case 'Parse':
      return framed('P', [cstr(m.name), cstr(m.sql), i16(m.parameterTypes.length), ...m.parameterTypes.map(i32)]);
    case 'Bind':
      return framed('B', [
        cstr(m.portal),
        cstr(m.statement),
        i16(m.parameterFormats.length),
        ...m.parameterFormats.map(i16),
        i16(m.parameters.length),
        ...m.parameters.flatMap((p) => (p === null ? [i32(-1)] : [i32(p.length), p])),
        i16(m.resultFormats.length),
        ...m.resultFormats.map(i16),
      ]);
    case 'Describe':
      return framed('D', [Buffer.from(m.target), cstr(m.name)]);
    case 'Close':
      return framed('C', [Buffer.from(m.target), cstr(m.name)]);
    case 'Execute':
      return framed('E', [cstr(m.portal), i32(m.maxRows)]);
    case 'Sync':
      return framed('S', []);
    case 'Flush':
      return framed('H', []);
    case 'Terminate':
      return framed('X', []);
    case 'PasswordMessage':
      return framed('p', [m.data]);
  }
}

/** Encodes a StartupMessage with its parameters (tests and tools). */
export function encodeStartupMessage(parameters: Record<string, string>, minorVersion = 0): Buffer {
  const body = Buffer.concat([i32(PROTOCOL_VERSION_3 + minorVersion), ...Object.entries(parameters).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
  return Buffer.concat([i32(body.length + 4), body]);
}
