import { afterEach, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { createExecutor, type Executor, type ExecutorSettings } from '../../src/http/index.js';
import { json, reset, startLoopbackServer, type Handler, type LoopbackServer } from './loopback-server.js';

const open: Array<{ server: LoopbackServer; executor: Executor }> = [];
afterEach(async () => {
  for (const { server, executor } of open.splice(0)) {
    await executor.close();
    await server.close();
  }
});

async function setup(handler: Handler, settings: Partial<ExecutorSettings> = {}) {
  const server = await startLoopbackServer(handler);
  const executor = createExecutor({
    serviceRoot: `${server.url}/api/data/v9.2/`,
    maxConcurrency: 8,
    maxRetries: 5,
    retryBudgetMs: 10_000,
    requestTimeoutMs: 5_000,
    backoffBaseMs: 10,
    isLoopback: true,
    ...settings,
  });
  open.push({ server, executor });
  return { server, executor };
}

async function rejection(promise: Promise<unknown>): Promise<DynasqlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('executor', () => {
  it('sends OData headers and resolves relative URLs against the service root', async () => {
    const { server, executor } = await setup((_req, res) => json(res, 200, { value: [] }));
    const response = await executor.send({ method: 'GET', url: 'accounts?$select=name' });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ value: [] });
    expect(server.requests[0]!.url).toBe('/api/data/v9.2/accounts?$select=name');
    expect(server.requests[0]!.headers['odata-version']).toBe('4.0');
    expect(server.requests[0]!.headers.accept).toBe('application/json');
  });

  it('maps service errors, keeping the service code and message', async () => {
    const { executor } = await setup((req, res) => {
      if (req.url!.includes('missing')) return json(res, 404, { error: { code: '0x80040217', message: "Entity 'account' With Id = 1 Does Not Exist" } });
      if (req.url!.includes('dup')) return json(res, 412, { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } });
      if (req.url!.includes('stale')) return json(res, 412, { error: { code: '0x80060882', message: "The version of the existing record doesn't match the RowVersion property provided." } });
      if (req.url!.includes('bad')) return json(res, 400, { error: { code: '0x80060888', message: "Could not find a property named 'nme' on type 'Microsoft.Dynamics.CRM.account'." } });
      json(res, 401, { error: { code: '', message: 'unauthorized' } });
    });
    const missing = await rejection(executor.send({ method: 'GET', url: 'accounts(missing)' }));
    expect([missing.code, missing.status, missing.serviceCode]).toEqual(['DYNASQL_ERR_NOT_FOUND', 404, '0x80040217']);
    expect(missing.message).toContain('Does Not Exist');
    expect((await rejection(executor.send({ method: 'POST', url: 'dup', body: '{}' }))).code).toBe('DYNASQL_ERR_DUPLICATE');
    expect((await rejection(executor.send({ method: 'PATCH', url: 'stale', body: '{}' }))).code).toBe('DYNASQL_ERR_CONCURRENCY');
    const bad = await rejection(executor.send({ method: 'GET', url: 'bad' }));
    expect([bad.code, bad.serviceCode]).toEqual(['DYNASQL_ERR_SERVICE', '0x80060888']);
    expect((await rejection(executor.send({ method: 'GET', url: 'x' }))).code).toBe('DYNASQL_ERR_AUTH');
    const raw = await executor.send({ method: 'GET', url: 'accounts(missing)', throwOnError: false });
    expect(raw.status).toBe(404);
  });

  it('retries a GET on 502/503/504 and on a connection reset', async () => {
    const { server, executor } = await setup((_req, res, _body, n) => {
      if (n === 1) return json(res, 503, { error: { code: '', message: 'unavailable' } });
      if (n === 2) return reset(res);
      if (n === 3) return json(res, 504, {});
      json(res, 200, { value: [1] });
    });
    const response = await executor.send({ method: 'GET', url: 'accounts' });
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(4);
    expect(server.requests).toHaveLength(4);
    expect(executor.stats().retries).toBe(3);
  });

  it('does not resend a non-idempotent POST after a 503 or a reset, but does after a 429', async () => {
    const { server, executor } = await setup((req, res, _body, n) => {
      if (req.url!.endsWith('/five')) return json(res, 503, {});
      if (req.url!.endsWith('/reset')) return reset(res);
      if (n <= 4) return json(res, 429, { error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' } }, { 'retry-after': '0' });
      json(res, 204, {});
    });
    expect((await rejection(executor.send({ method: 'POST', url: 'five', body: '{}' }))).code).toBe('DYNASQL_ERR_SERVICE');
    expect((await rejection(executor.send({ method: 'POST', url: 'reset', body: '{}' }))).code).toBe('DYNASQL_ERR_NETWORK');
    expect(server.requests).toHaveLength(2);
    const ok = await executor.send({ method: 'POST', url: 'accounts', body: '{}' });
    expect(ok.status).toBe(204);
    expect(executor.stats().throttled).toBe(2);
  });

  it('honours Retry-After and gives up with THROTTLED when the budget runs out', async () => {
    let firstAt = 0;
    let secondAt = 0;
    const { executor } = await setup((req, res, _b, n) => {
      if (req.url!.endsWith('/once')) {
        if (n === 1) {
          firstAt = Date.now();
          return json(res, 429, { error: { code: '0x80072322', message: 'limit' } }, { 'retry-after': '1' });
        }
        secondAt = Date.now();
        return json(res, 200, { value: [] });
      }
      json(res, 429, { error: { code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' } }, { 'retry-after': '1' });
    }, { retryBudgetMs: 1_500 });
    await executor.send({ method: 'GET', url: 'once' });
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(950);
    const error = await rejection(executor.send({ method: 'GET', url: 'always' }));
    expect(error.code).toBe('DYNASQL_ERR_THROTTLED');
    expect(error.serviceCode).toBe('0x80072326');
    expect(error.message).toContain('limit of 52');
  });

  it('times out a slow request and retries it when safe', async () => {
    const { server, executor } = await setup(async (req, res, _b, n) => {
      // the first attempt would be answered only long after the test's own timeout: only the 500 ms
      // request timeout and a retry can produce an answer (no wall-clock assertion needed); a POST is
      // never answered in time either, so its 1 ms timeout cannot lose a race to a fast loopback
      if (n === 1 || req.method === 'POST') await new Promise((r) => setTimeout(r, 60_000).unref());
      if (!res.destroyed) json(res, 200, { value: [n] });
    }, { requestTimeoutMs: 500 });
    const response = await executor.send({ method: 'GET', url: 'slow' });
    expect(response.attempts).toBeGreaterThanOrEqual(2);
    expect(response.json()).toEqual({ value: [server.requests.length] });
    const post = await rejection(executor.send({ method: 'POST', url: 'slow', body: '{}', timeoutMs: 1 }).catch((e) => Promise.reject(e)));
    expect(post.code).toBe('DYNASQL_ERR_TIMEOUT');
  });

  it('reports a retried create\'s "duplicate" and a retried DELETE\'s 404 as they came, with the attempts, for the write path to settle', async () => {
    const created = new Set<string>();
    const { executor } = await setup((req, res, body) => {
      const id = (JSON.parse(body || '{}') as { accountid?: string }).accountid ?? req.url!;
      if (req.method === 'POST') {
        if (created.has(id)) return json(res, 412, { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } });
        created.add(id);
        return reset(res); // committed, but the answer is lost
      }
      if (req.method === 'DELETE') {
        if (!created.delete('gone')) return json(res, 404, { error: { code: '0x80040217', message: 'Does Not Exist' } });
        return reset(res);
      }
    });
    const response = await executor.send({ method: 'POST', url: 'accounts', body: JSON.stringify({ accountid: 'a1' }), idempotent: true, throwOnError: false });
    expect(response.status).toBe(412);
    expect(response.attempts).toBe(2);
    expect(created.has('a1')).toBe(true);
    // the executor cannot tell this statement's own earlier attempt from someone else's row: no success claimed
    expect((await rejection(executor.send({ method: 'POST', url: 'accounts', body: JSON.stringify({ accountid: 'a2' }), idempotent: true }))).code).toBe('DYNASQL_ERR_DUPLICATE');
    // a first-attempt duplicate is a real duplicate
    expect((await rejection(executor.send({ method: 'POST', url: 'accounts', body: JSON.stringify({ accountid: 'a1' }), idempotent: true }))).code).toBe('DYNASQL_ERR_DUPLICATE');
    created.add('gone');
    const deleted = await executor.send({ method: 'DELETE', url: 'accounts(gone)', idempotent: true, throwOnError: false });
    expect(deleted.status).toBe(404);
    expect(deleted.attempts).toBe(2);
  });

  it('cancels queued and in-flight requests when the signal aborts', async () => {
    const { server, executor } = await setup(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 2_000));
      if (!res.destroyed) json(res, 200, {});
    }, { maxConcurrency: 1 });
    const controller = new AbortController();
    const first = executor.send({ method: 'GET', url: 'a', signal: controller.signal });
    const second = executor.send({ method: 'GET', url: 'b', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    expect(executor.stats().inFlight).toBe(1);
    const started = Date.now();
    controller.abort();
    const [e1, e2] = await Promise.all([rejection(first), rejection(second)]);
    // well before the server's 2 s answer, with room for a machine busy with other test files
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(e1.code).toBe('DYNASQL_ERR_CANCELLED');
    expect(e2.code).toBe('DYNASQL_ERR_CANCELLED');
    expect(server.requests).toHaveLength(1); // the queued one never left
    expect(executor.stats().inFlight).toBe(0);
  });

  it('adds the bearer token, refreshes once on 401, and shares that refresh', async () => {
    let valid = 'token-1';
    const { server, executor } = await setup((req, res) => {
      if (req.headers.authorization !== `Bearer ${valid}`) return json(res, 401, { error: { code: '', message: 'expired' } });
      json(res, 200, { value: [] });
    }, {
      auth: {
        calls: 0,
        async getToken(this: { calls: number }, o?: { forceRefresh?: boolean }) {
          this.calls++;
          return o?.forceRefresh ? 'token-2' : 'token-1';
        },
      } as never,
    });
    await executor.send({ method: 'GET', url: 'a' });
    valid = 'token-2';
    const response = await executor.send({ method: 'GET', url: 'a' });
    expect(response.status).toBe(200);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  });

  it('refuses to follow a URL to another host', async () => {
    const { server, executor } = await setup((_req, res) => json(res, 200, {}));
    const error = await rejection(executor.send({ method: 'GET', url: 'https://evil.example/api/data/v9.2/accounts' }));
    expect(error.message).toContain('another host');
    expect(server.requests).toHaveLength(0);
  });
});
