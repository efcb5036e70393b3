/**
 * The "Done when" for the executor, against the emulator's real service-protection limits and
 * fault injection (scaled down where the full size would take minutes; bench/throttle.bench.ts runs the
 * full-size figures).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { createExecutor, isDuplicateReply, pages, type ExecutorSettings } from '../../src/http/index.js';

function executorFor(url: string, settings: Partial<ExecutorSettings> = {}) {
  return createExecutor({
    serviceRoot: url,
    maxConcurrency: 8,
    maxRetries: 10,
    retryBudgetMs: 120_000,
    requestTimeoutMs: 15_000,
    backoffBaseMs: 50,
    isLoopback: true,
    ...settings,
  });
}

describe('against the emulator set to 100 requests per 2 s and 5 concurrent (the issue: per 10 s)', () => {
  // The rate itself (>= 90 % of the allowed one) is a speed target: bench/throttle.bench.ts measures it at full
  // size (1,000 requests, 100 per 10 s), alone on the machine. Here, where other test files share the two cores,
  // a run can only show what holds whatever the machine's speed: every request answered, the service's limit
  // never tripped beyond the odd 429, and the pace never above the one configured (pacing itself is checked
  // against a manual clock in throttle.test.ts).
  it('answers 200 requests with < 2% 429s and never faster than the configured rate, given 97% of the limit as Requests Per Second', async () => {
    const emulator = await startEmulator({ port: 0, limits: { requestsPerWindow: 100, windowSeconds: 2, concurrentRequests: 5 } });
    // 97 % of the allowed 50/s: the margin absorbs timer and network jitter at the window's edge
    const executor = executorFor(emulator.url, { maxConcurrency: 5, requestsPerSecond: 48.5 });
    try {
      await executor.send({ method: 'GET', url: 'WhoAmI' }); // connect and warm up outside the measurement
      const results = await Promise.all(Array.from({ length: 200 }, () => executor.send({ method: 'GET', url: 'WhoAmI' })));
      expect(results.every((r) => r.status === 200)).toBe(true);
      const throttled = emulator.stats.throttled ?? 0;
      expect(throttled / 201).toBeLessThan(0.02);
      // the pace the service saw, from the 200 requests' arrivals, first to last: at most the allowed 50/s
      // (2 % over at most: the throttle makes up for a late timer by up to 50 ms, and arrivals are stamped
      // in whole ms by an event loop that other work may delay)
      const arrivals = emulator.requests().slice(-200).map((r) => Date.parse(r.receivedAt));
      const achieved = 199 / ((arrivals.at(-1)! - arrivals[0]!) / 1000) / 50;
      console.info(`limits: arrivals at ${(achieved * 100).toFixed(1)} % of the allowed rate, ${throttled} 429s`);
      expect(achieved).toBeLessThanOrEqual(1.02);
    } finally {
      await executor.close();
      await emulator.close();
    }
  });

  it('adapts when given no rate: every request answered, few 429s', async () => {
    const emulator = await startEmulator({ port: 0, limits: { requestsPerWindow: 100, windowSeconds: 2, concurrentRequests: 5 } });
    const executor = executorFor(emulator.url, { maxConcurrency: 8 });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, () => executor.send({ method: 'GET', url: 'WhoAmI' })));
      expect(results.every((r) => r.status === 200)).toBe(true);
      const throttled = emulator.stats.throttled ?? 0;
      console.info(`adaptive: ${throttled} 429s in ${emulator.stats.requests} requests; ${JSON.stringify(executor.stats())}`);
      expect(throttled).toBeGreaterThan(0);
      expect(throttled / (emulator.stats.requests ?? 1)).toBeLessThan(0.1);
      expect(executor.stats().throttled).toBe(throttled);
    } finally {
      await executor.close();
      await emulator.close();
    }
  });
});

describe('against the emulator failing 5% of requests (503s, resets, resets after a committed write, truncated bodies, 429 bursts)', () => {
  const faults = { seed: 11, serverErrorRate: 0.012, resetBeforeResponseRate: 0.012, resetAfterWriteRate: 0.012, truncateBodyRate: 0.008, throttleBurstRate: 0.002, throttleBurstLength: 3 };

  it('pages 20,000 accounts (500 per page) and returns each exactly once (the issue: 100,000, in bench/)', async () => {
    const emulator = await startEmulator({ port: 0, rows: 20_000, faults });
    const executor = executorFor(emulator.url);
    try {
      const seen = new Map<string, number>();
      for await (const page of pages<{ accountid: string }>(executor, 'accounts?$select=accountid', { pageSize: 500 })) {
        for (const row of page.rows) seen.set(row.accountid, (seen.get(row.accountid) ?? 0) + 1);
      }
      expect(seen.size).toBe(20_000);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(emulator.stats.faultsInjected ?? 0).toBeGreaterThan(0);
    } finally {
      await executor.close();
      await emulator.close();
    }
  });

  it('500 creates with client-generated ids leave exactly 500 records (the issue: 10,000, in bench/)', async () => {
    const emulator = await startEmulator({ port: 0, rows: 10, faults });
    const executor = executorFor(emulator.url);
    try {
      const tag = `dynasql-create-${randomUUID().slice(0, 8)}`;
      const ids = Array.from({ length: 500 }, () => randomUUID());
      const responses = await Promise.all(
        ids.map((accountid, i) => executor.send({ method: 'POST', url: 'accounts', body: JSON.stringify({ accountid, name: `${tag} ${i}` }), idempotent: true, throwOnError: false })),
      );
      // a create whose answer was lost is sent again and answered "duplicate": the executor reports that
      // answer as it came (the write path reads the row back to settle it, test/writes/lost-answers.test.ts)
      const recovered = responses.filter((r) => isDuplicateReply({ status: r.status, body: r.text() }) && (r.attempts ?? 1) > 1).length;
      expect(responses.filter((r) => r.status === 204 || r.status === 201).length + recovered).toBe(500);
      let count = 0;
      for await (const page of pages(executor, `accounts?$select=accountid&$filter=startswith(name,'${tag}')`, { pageSize: 5000 })) count += page.rows.length;
      console.info(`creates: ${emulator.stats.faultsInjected} faults, ${executor.stats().retries} retries, ${recovered} recovered as already done`);
      expect(count).toBe(500);
      expect(recovered).toBeGreaterThan(0);
    } finally {
      await executor.close();
      await emulator.close();
    }
  });
});
