/**
 * The `$batch` multipart codec (src/odata/batch.ts) on bytes: what it writes, and what it reads from
 * responses shaped like the service's (protocol §4).
 */
import { describe, expect, it } from 'vitest';
import { boundaryOf, decodeBatchResponse, encodeBatch } from '../../src/odata/batch.js';

describe('encodeBatch', () => {
  it('writes independent requests, each as an application/http part with its Content-ID', () => {
    const text = encodeBatch([
      { method: 'POST', url: 'https://org/api/data/v9.2/accounts', body: '{"name":"A"}', contentId: '1' },
      { method: 'DELETE', url: 'https://org/api/data/v9.2/accounts(1)', headers: { 'If-Match': '*' }, contentId: '2' },
    ], { boundary: 'batch_x' });
    expect(text).toBe([
      '--batch_x',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'POST https://org/api/data/v9.2/accounts HTTP/1.1',
      'Content-Type: application/json; type=entry',
      '',
      '{"name":"A"}',
      '--batch_x',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 2',
      '',
      'DELETE https://org/api/data/v9.2/accounts(1) HTTP/1.1',
      'If-Match: *',
      '',
      '',
      '--batch_x--',
      '',
    ].join('\r\n'));
  });

  it('wraps the requests in one change set when asked', () => {
    const text = encodeBatch([{ method: 'PATCH', url: 'u', body: '{}' }], { boundary: 'batch_b', changeSetBoundary: 'changeset_c' });
    expect(text.startsWith('--batch_b\r\nContent-Type: multipart/mixed; boundary=changeset_c\r\n\r\n--changeset_c\r\n')).toBe(true);
    expect(text.endsWith('--changeset_c--\r\n--batch_b--\r\n')).toBe(true);
  });

  it('refuses a header value with a line break (it would forge a header)', () => {
    expect(() => encodeBatch([{ method: 'DELETE', url: 'u', headers: { 'If-Match': 'x\r\nEvil: 1' } }], { boundary: 'b' })).toThrow(/line break/);
  });
});

describe('decodeBatchResponse', () => {
  const response = [
    '--batchresponse_1',
    'Content-Type: multipart/mixed; boundary=changesetresponse_2',
    '',
    '--changesetresponse_2',
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    'Content-ID: 1',
    '',
    'HTTP/1.1 204 No Content',
    'OData-EntityId: https://org/api/data/v9.2/accounts(1)',
    '',
    '',
    '--changesetresponse_2--',
    '--batchresponse_1',
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    'HTTP/1.1 400 Bad Request',
    'Content-Type: application/json; odata.metadata=minimal',
    '',
    '{"error":{"code":"0x80044331","message":"too long"}}',
    '--batchresponse_1--',
    '',
  ].join('\r\n');

  it('reads parts in order, change-set parts flattened, with status, headers, body and Content-ID', () => {
    const parts = decodeBatchResponse('multipart/mixed; boundary="batchresponse_1"', response);
    expect(parts).toEqual([
      { contentId: '1', status: 204, headers: { 'odata-entityid': 'https://org/api/data/v9.2/accounts(1)' }, body: '' },
      { status: 400, headers: { 'content-type': 'application/json; odata.metadata=minimal' }, body: '{"error":{"code":"0x80044331","message":"too long"}}' },
    ]);
  });

  it('returns undefined for a body that is not a complete multipart message', () => {
    expect(decodeBatchResponse('application/json', '{"error":{}}')).toBeUndefined();
    expect(decodeBatchResponse('multipart/mixed; boundary=batchresponse_1', response.slice(0, response.indexOf('--batchresponse_1--')))).toBeUndefined();
  });

  it('finds the boundary quoted or not', () => {
    expect(boundaryOf('multipart/mixed; boundary="a_b"')).toBe('a_b');
    expect(boundaryOf('multipart/mixed;boundary=a_b; charset=x')).toBe('a_b');
    expect(boundaryOf('application/json')).toBeUndefined();
  });
});
