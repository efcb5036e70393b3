import { describe, expect, it } from 'vitest';
import * as be from '../../src/pgwire/backend-messages.js';
import {
  CANCEL_REQUEST_CODE,
  MessageFramer,
  ProtocolViolation,
  SSL_REQUEST_CODE,
  decodeFrontendMessage,
  decodeStartupPacket,
  encodeFrontendMessage,
  encodeStartupMessage,
} from '../../src/pgwire/frontend-messages.js';

const packet = (...ints: number[]): Buffer => {
  const b = Buffer.alloc(4 + 4 * ints.length);
  b.writeInt32BE(b.length, 0);
  ints.forEach((n, i) => b.writeInt32BE(n, 4 + 4 * i));
  return b;
};

describe('startup packets', () => {
  it('decodes StartupMessage parameters', () => {
    const bytes = encodeStartupMessage({ user: 'bi', database: 'dynamics', application_name: 'psql' });
    expect(bytes.subarray(0, 8).toString('hex')).toBe(`${bytes.length.toString(16).padStart(8, '0')}00030000`);
    expect(decodeStartupPacket(bytes)).toEqual({ type: 'Startup', parameters: { user: 'bi', database: 'dynamics', application_name: 'psql' }, minorVersion: 0, protocolOptions: [] });
  });

  it('decodes a protocol 3.2 startup and sets its _pq_ options apart from the parameters', () => {
    const bytes = encodeStartupMessage({ user: 'bi', '_pq_.test_option': 'x' }, 2);
    expect(decodeStartupPacket(bytes)).toEqual({ type: 'Startup', parameters: { user: 'bi' }, minorVersion: 2, protocolOptions: ['_pq_.test_option'] });
  });

  it('decodes SSLRequest, GSSENCRequest and CancelRequest', () => {
    expect(decodeStartupPacket(Buffer.from('0000000804d2162f', 'hex'))).toEqual({ type: 'SSLRequest' });
    expect(decodeStartupPacket(packet(80877104))).toEqual({ type: 'GSSENCRequest' });
    expect(decodeStartupPacket(packet(CANCEL_REQUEST_CODE, 42, -7))).toEqual({ type: 'CancelRequest', processId: 42, secretKey: -7 });
    expect(SSL_REQUEST_CODE).toBe(0x04d2162f);
  });

  it('refuses other protocol versions and truncated packets', () => {
    expect(() => decodeStartupPacket(packet(0x00020000))).toThrow(/unsupported frontend protocol 2\.0/);
    expect(() => decodeStartupPacket(packet(0x00040000))).toThrow(/unsupported frontend protocol 4\.0/);
    expect(() => decodeStartupPacket(Buffer.from('0000000b00030000757365', 'hex'))).toThrow(ProtocolViolation);
    expect(() => decodeStartupPacket(packet(CANCEL_REQUEST_CODE, 1))).toThrow(ProtocolViolation);
  });
});

describe('frontend messages', () => {
  it('decodes a Query', () => {
    const bytes = Buffer.from('Q\0\0\0\x0dselect 1\0', 'latin1');
    expect(decodeFrontendMessage(bytes[0]!, bytes.subarray(5))).toEqual({ type: 'Query', sql: 'select 1' });
  });

  it('round-trips Parse, Bind, Describe, Execute, Close, Sync, Flush, Terminate', () => {
    const messages = [
      { type: 'Parse', name: 'S_1', sql: 'select $1::int', parameterTypes: [23] },
      { type: 'Bind', portal: 'C_1', statement: 'S_1', parameterFormats: [1], parameters: [Buffer.from([0, 0, 0, 7]), null], resultFormats: [0, 1] },
      { type: 'Describe', target: 'P', name: 'C_1' },
      { type: 'Execute', portal: 'C_1', maxRows: 10 },
      { type: 'Close', target: 'S', name: 'S_1' },
      { type: 'Sync' },
      { type: 'Flush' },
      { type: 'Terminate' },
    ] as const;
    for (const m of messages) {
      const bytes = encodeFrontendMessage(m as never);
      expect(decodeFrontendMessage(bytes[0]!, bytes.subarray(5))).toEqual(m);
    }
  });

  it('encodes Bind exactly as the protocol lays it out', () => {
    const bytes = encodeFrontendMessage({ type: 'Bind', portal: '', statement: 's', parameterFormats: [], parameters: [Buffer.from('ab')], resultFormats: [] });
    expect(bytes.toString('hex')).toBe('42' + '00000013' + '00' + '7300' + '0000' + '0001' + '00000002' + '6162' + '0000');
  });

  it('rejects malformed bodies', () => {
    const bad: [string, Buffer][] = [
      ['Q', Buffer.from('no terminator')],
      ['Q', Buffer.from('a\0b\0')],
      ['P', Buffer.from('s\0select 1\0\0\x05')],
      ['B', Buffer.from('\0\0\0\x01\0\x07\0\0')],
      ['D', Buffer.from('Xname\0')],
      ['E', Buffer.from('\0\0\0')],
      ['S', Buffer.from('x')],
      ['?', Buffer.alloc(0)],
    ];
    for (const [type, body] of bad) expect(() => decodeFrontendMessage(type.charCodeAt(0), body), type).toThrow(ProtocolViolation);
  });
});

describe('MessageFramer', () => {
  it('frames a startup packet, then typed messages split across chunks', () => {
    const framer = new MessageFramer();
    const stream = Buffer.concat([encodeStartupMessage({ user: 'u' }), encodeFrontendMessage({ type: 'Query', sql: 'select 1' }), encodeFrontendMessage({ type: 'Sync' })]);
    const got: unknown[] = [];
    for (const byte of stream) {
      framer.push(Buffer.from([byte]));
      for (;;) {
        const m = framer.inStartup ? framer.nextStartup() : framer.next();
        if (!m) break;
        if (m.type === 'Startup') framer.startupDone();
        got.push(m.type);
      }
    }
    expect(got).toEqual(['Startup', 'Query', 'Sync']);
  });

  it('frames a large message arriving in many small chunks', () => {
    const framer = new MessageFramer();
    framer.startupDone();
    const sql = `select '${'x'.repeat(1_000_000)}'`;
    const bytes = encodeFrontendMessage({ type: 'Query', sql });
    for (let i = 0; i < bytes.length; i += 1000) {
      framer.push(bytes.subarray(i, i + 1000));
      if (i + 1000 < bytes.length) expect(framer.next()).toBeUndefined();
    }
    expect(framer.next()).toEqual({ type: 'Query', sql });
    expect(framer.buffered).toBe(0);
  });

  it('refuses absurd lengths before buffering them', () => {
    const framer = new MessageFramer();
    framer.push(Buffer.from('7fffffff', 'hex'));
    expect(() => framer.nextStartup()).toThrow(/invalid startup packet length/);
    const typed = new MessageFramer();
    typed.startupDone();
    typed.push(Buffer.from('5100000002', 'hex'));
    expect(() => typed.next()).toThrow(/invalid message length 2/);
  });
});

describe('backend messages', () => {
  it('encodes ReadyForQuery, CommandComplete and AuthenticationOk', () => {
    expect(be.readyForQuery('I').toString('latin1')).toBe('Z\0\0\0\x05I');
    expect(be.commandComplete('SELECT 3').toString('latin1')).toBe('C\0\0\0\x0dSELECT 3\0');
    expect(be.authenticationOk().toString('hex')).toBe('520000000800000000');
  });

  it('encodes RowDescription and reads it back', () => {
    const fields: be.FieldDescription[] = [
      { name: 'accountid', tableOid: 16384, columnNumber: 1, typeOid: 2950, typeSize: 16, typeModifier: -1, format: 1 },
      { name: 'name', tableOid: 16384, columnNumber: 2, typeOid: 1043, typeSize: -1, typeModifier: 164, format: 0 },
    ];
    const bytes = be.rowDescription(fields);
    expect(bytes[0]).toBe('T'.charCodeAt(0));
    expect(bytes.readInt32BE(1)).toBe(bytes.length - 1);
    const [message] = be.splitBackendMessages(bytes);
    expect(be.decodeRowDescription(message!.body)).toEqual(fields);
  });

  it('encodes DataRow with NULLs', () => {
    const bytes = be.dataRow([Buffer.from('a'), null]);
    expect(bytes.toString('hex')).toBe('44' + '0000000f' + '0002' + '00000001' + '61' + 'ffffffff');
    expect(be.decodeDataRow(be.splitBackendMessages(bytes)[0]!.body)).toEqual([Buffer.from('a'), null]);
  });

  it('encodes ErrorResponse fields and reads them back', () => {
    const bytes = be.errorResponse({ severity: 'ERROR', code: '42P01', message: 'relation "x" does not exist', position: 15 });
    expect(be.decodeErrorFields(be.splitBackendMessages(bytes)[0]!.body)).toEqual({ S: 'ERROR', V: 'ERROR', C: '42P01', M: 'relation "x" does not exist', P: '15' });
  });

  it('encodes the SASL messages, ParameterStatus, BackendKeyData and the one-byte SSL answers', () => {
    expect(be.authenticationSasl(['SCRAM-SHA-256']).toString('latin1')).toBe('R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0');
    expect(be.authenticationSaslContinue('r=x').readInt32BE(5)).toBe(11);
    expect(be.authenticationSaslFinal('v=y').readInt32BE(5)).toBe(12);
    expect(be.parameterStatus('TimeZone', 'UTC').toString('latin1')).toBe('S\0\0\0\x11TimeZone\0UTC\0');
    expect(be.backendKeyData(7, -1).toString('hex')).toBe('4b0000000c00000007ffffffff');
    expect(be.sslRefused().toString()).toBe('N');
    expect(be.parameterDescription([23, 25]).toString('hex')).toBe('740000000e0002000000170000001' + '9');
    expect([be.noData(), be.portalSuspended(), be.parseComplete(), be.bindComplete(), be.closeComplete(), be.emptyQueryResponse()].map((b) => b.toString('latin1'))).toEqual(
      ['n\0\0\0\x04', 's\0\0\0\x04', '1\0\0\0\x04', '2\0\0\0\x04', '3\0\0\0\x04', 'I\0\0\0\x04'],
    );
  });
});
