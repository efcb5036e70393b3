import { describe, expect, it } from 'vitest';
import { isDuplicateReply, mapServiceError, mapTransportError } from '../../src/http/index.js';
import { readThrottleReply } from '../../src/http/service-error.js';

const body = (code: string, message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ error: { code, message, ...extra } });

describe('mapServiceError', () => {
  it.each([
    [404, '0x80040217', 'DYNASQL_ERR_NOT_FOUND'],
    [404, '0x80060888', 'DYNASQL_ERR_SERVICE'], // "Resource not found for the segment": a bad URL, not a missing row
    [412, '0x80040237', 'DYNASQL_ERR_DUPLICATE'],
    [400, '0x80060892', 'DYNASQL_ERR_DUPLICATE'],
    [412, '0x80060882', 'DYNASQL_ERR_CONCURRENCY'],
    [400, '0x8004E023', 'DYNASQL_ERR_AGGREGATE_LIMIT'],
    [400, '0x80060888', 'DYNASQL_ERR_SERVICE'],
    [429, '0x80072322', 'DYNASQL_ERR_THROTTLED'],
    [401, '', 'DYNASQL_ERR_AUTH'],
    [403, '0x80040220', 'DYNASQL_ERR_FORBIDDEN'],
    [504, '', 'DYNASQL_ERR_TIMEOUT'],
    [500, '0x80040265', 'DYNASQL_ERR_SERVICE'],
  ])('%i %s → %s, keeping the service code and message', (status, code, expected) => {
    const error = mapServiceError({ status, body: body(code, 'the service said so') });
    expect(error.code).toBe(expected);
    expect(error.status).toBe(status);
    expect(error.serviceCode).toBe(code || undefined);
    expect(error.message).toContain('the service said so');
  });

  it("reads F&O's shape (empty code, detail in innererror) and names the resource without its query", () => {
    const error = mapServiceError(
      { status: 500, body: body('', 'An error has occurred.', { innererror: { message: 'Write failed for table row of type CustTable.' } }) },
      { method: 'POST', url: "https://x/data/CustomersV3?$filter=Name eq 'secret'" },
    );
    expect(error.message).toBe('An error has occurred. Write failed for table row of type CustTable. (POST https://x/data/CustomersV3?…)');
    expect(error.serviceCode).toBeUndefined();
  });

  it('copes with bodies that are not JSON, and says when throttling retries ran out', () => {
    expect(mapServiceError({ status: 502, body: '<html>Bad gateway</html>' }).message).toBe('HTTP 502');
    expect(mapServiceError({ status: 400, body: 'plain text' }).message).toBe('plain text');
    const throttled = mapServiceError({ status: 429, headers: { 'retry-after': '30' }, body: body('0x80072322', 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.') });
    expect(throttled.message).toMatch(/retries ran out \(Retry-After 30 s\): Number of requests exceeded/);
  });

  it('applies the redactor to the message', () => {
    const error = mapServiceError({ status: 400, body: body('0x80040265', 'plug-in saw Bearer abc.def') }, { redact: (t) => t.replace('abc.def', '***') });
    expect(error.message).toBe('plug-in saw Bearer ***');
  });
});

describe('isDuplicateReply and mapTransportError', () => {
  it('recognises the duplicate-key answers only', () => {
    expect(isDuplicateReply({ status: 412, body: body('0x80040237', 'A record with matching key values already exists.') })).toBe(true);
    expect(isDuplicateReply({ status: 400, body: body('0x80060892', 'Entity Key violated') })).toBe(true);
    expect(isDuplicateReply({ status: 412, body: body('0x80060882', 'version mismatch') })).toBe(false);
    expect(isDuplicateReply({ status: 500, body: body('0x80040237', 'x') })).toBe(false);
  });

  it('maps socket failures to NETWORK and timeouts to TIMEOUT', () => {
    expect(mapTransportError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })).code).toBe('DYNASQL_ERR_NETWORK');
    expect(mapTransportError(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' })).code).toBe('DYNASQL_ERR_TIMEOUT');
  });
});

describe('readThrottleReply', () => {
  it("reads each limit's numbers from the service's messages, the execution time in ms (Dataverse) or seconds (F&O)", () => {
    const read = (message: string, code = '') => readThrottleReply({ headers: { 'retry-after': '3' }, body: body(code, message) }, 0);
    expect(read('Number of requests exceeded the limit of 6000 over time window of 300 seconds.', '0x80072322'))
      .toEqual({ retryAfterMs: 3000, kind: 'requests', limit: 6000, windowSeconds: 300 });
    expect(read('Combined execution time of incoming requests exceeded limit of 1,200,000  milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.', '0x80072321'))
      .toEqual({ retryAfterMs: 3000, kind: 'execution-time', limit: 1_200_000, windowSeconds: 300 });
    expect(read('Combined execution time of incoming requests exceeded limit of 1,200 seconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.'))
      .toEqual({ retryAfterMs: 3000, kind: 'execution-time', limit: 1_200_000, windowSeconds: 300 });
    expect(read('Execution time limit reached.', '0x80072321')).toEqual({ retryAfterMs: 3000, kind: 'execution-time' });
    expect(read('Number of concurrent requests exceeded the limit of 52.', '0x80072326')).toEqual({ retryAfterMs: 3000, kind: 'concurrency', limit: 52 });
  });
});
