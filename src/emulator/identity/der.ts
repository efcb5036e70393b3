/**
 * Just enough ASN.1 DER encoding to write an X.509 certificate (node:crypto can sign and parse
 * certificates but not create them). Each function returns the complete TLV bytes.
 *
 *   derSequence(derInteger(Buffer.from([2])))  // 30 03 02 01 02
 */
function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derTlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const derSequence = (...items: Buffer[]) => derTlv(0x30, Buffer.concat(items));
export const derSet = (...items: Buffer[]) => derTlv(0x31, Buffer.concat(items));
export const derNull = () => Buffer.from([0x05, 0x00]);
export const derBoolean = (value: boolean) => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);
export const derOctetString = (content: Buffer) => derTlv(0x04, content);
export const derUtf8String = (text: string) => derTlv(0x0c, Buffer.from(text, 'utf8'));
/** A BIT STRING with no unused bits (signatures, public keys). */
export const derBitString = (content: Buffer) => derTlv(0x03, Buffer.concat([Buffer.from([0]), content]));
/** `[n] EXPLICIT` wrapper, e.g. the certificate's version `[0]` and extensions `[3]`. */
export const derExplicit = (n: number, content: Buffer) => derTlv(0xa0 + n, content);

/** A non-negative INTEGER from big-endian bytes (a leading zero is added when the top bit is set). */
export function derInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let body = bytes.subarray(start);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return derTlv(0x02, body);
}

export function derObjectIdentifier(oid: string): Buffer {
  const parts = oid.split('.').map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let n = Math.floor(part / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return derTlv(0x06, Buffer.from(bytes));
}

/** UTCTime for years before 2050, GeneralizedTime after, as RFC 5280 requires. */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // yyyyMMddHHmmss
  return date.getUTCFullYear() < 2050 ? derTlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : derTlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}
