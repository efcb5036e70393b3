import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function hit(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers as Record<string, string>, json: text ? JSON.parse(text) : undefined };
}

describe('service-protection limits over HTTP', () => {
  // Windows are long enough that a loaded machine cannot slide a request out mid-test; the sliding
  // itself is tested with an injected clock in service-protection.test.ts.
  it('answers the 101st request of a user within the window with 429 0x80072322 and Retry-After', async () => {
    emulator = await startEmulator({ limits: { requestsPerWindow: 100, windowSeconds: 30 } });
    const url = `${emulator.url}WhoAmI`;
    const remaining: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await hit(url);
      expect(r.status).toBe(200);
      remaining.push(r.headers['x-ms-ratelimit-burst-remaining-xrm-requests']!);
    }
    expect(remaining.slice(0, 2)).toEqual(['99', '98']);
    expect(remaining.at(-1)).toBe('0');
    const refused = await hit(url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(refused.json).toEqual({ error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 100 over time window of 30 seconds.' } });
    // another caller has its own budget; the control endpoints are never throttled
    expect((await hit(url, { authorization: 'Bearer someone-else' })).status).toBe(200);
    const stats = (await hit(`${emulator.origin}/_emulator/stats`)).json;
    expect(stats.throttled).toBe(1);
    expect(stats['throttled.requests']).toBe(1);
  });

  it('refuses a request past the concurrency limit at once with 0x80072326', async () => {
    emulator = await startEmulator({ limits: { concurrentRequests: 2 }, faults: { latencyMs: 1000 } });
    const url = `${emulator.url}WhoAmI`;
    const results = await Promise.all([hit(url), hit(url), hit(url)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.json.error).toEqual({ code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 2.' });
    expect((await hit(url)).status).toBe(200); // the others have finished
    expect((await hit(`${emulator.origin}/_emulator/stats`)).json.concurrentPeak).toBe(3);
  });

  it('refuses once the combined execution time of the window is spent, with 0x80072321', async () => {
    // each request takes at least 300 ms: the first leaves room for a second even when a loaded machine
    // adds 200 ms to it (with 120 ms under a 200 ms limit, 80 ms of room, it failed once in a full run), and two spend the 500
    emulator = await startEmulator({ limits: { executionTimeMsPerWindow: 500, windowSeconds: 30 }, faults: { latencyMs: 300 } });
    const url = `${emulator.url}WhoAmI`;
    expect((await hit(url)).status).toBe(200);
    const second = await hit(url);
    expect(second.status).toBe(200);
    expect(Number(second.headers['x-ms-ratelimit-time-remaining-xrm-requests'])).toBeLessThanOrEqual(200);
    const refused = await hit(url);
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe('0x80072321');
    expect(refused.json.error.message).toBe('Combined execution time of incoming requests exceeded limit of 500  milliseconds over time window of 30 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.');
  });

  it("uses F&O's wording in Finance & Operations mode", async () => {
    emulator = await startEmulator({ edition: 'finops', limits: { requestsPerWindow: 3, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) expect((await hit(`${emulator.url}LegalEntities`)).status).toBe(200);
    const refused = await hit(`${emulator.url}LegalEntities`);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.json).toEqual({ error: { code: '', message: 'Number of requests exeeded the limit of 3 over the time window of 60 seconds.' } });
  });

  it("models the connector's transactions per second per node across all callers", async () => {
    emulator = await startEmulator({ limits: { connector: { transactionsPerSecondPerNode: 2, nodes: 2 } } });
    const url = `${emulator.url}WhoAmI`;
    // Sent together so that all five land within one second even on a loaded machine.
    const statuses = await Promise.all(Array.from({ length: 5 }, (_, i) => hit(url, { authorization: `Bearer user-${i}` }).then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 200, 200, 200, 429]);
  });

  it('never throttles without limits', async () => {
    emulator = await startEmulator();
    const statuses = await Promise.all(Array.from({ length: 60 }, () => hit(`${emulator!.url}WhoAmI`).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});
