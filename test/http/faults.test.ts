import { describe, expect, it } from 'vitest';
import { createExecutor, pages } from '../../src/http/index.js';
import { startLimitedServer } from './limited-server.js';

/**
 * The fault tolerance promise against a loopback server failing 5 % of requests (503s, resets
 * before answering, resets after a write committed, 429 bursts), seeded so a failure can be replayed.
 */
describe('with 5% of requests failing', () => {
  it('pages 100,000 rows (1,000 per page) and returns each row exactly once', async () => {
    const server = await startLimitedServer({ rows: 100_000, faultRate: 0.05, seed: 42, burstRetryAfterSeconds: 0.05 });
    const executor = createExecutor({
      serviceRoot: `${server.url}/api/data/v9.2/`,
      maxConcurrency: 8,
      maxRetries: 10,
      retryBudgetMs: 60_000,
      requestTimeoutMs: 10_000,
      backoffBaseMs: 20,
      isLoopback: true,
    });
    try {
      const seen = new Uint8Array(100_000);
      let rows = 0;
      let pageCount = 0;
      for await (const page of pages<{ rowid: number }>(executor, 'rows?$select=rowid,name', { pageSize: 1000 })) {
        pageCount++;
        for (const row of page.rows) {
          seen[row.rowid]!++;
          rows++;
        }
      }
      expect(rows).toBe(100_000);
      expect(seen.every((n) => n === 1)).toBe(true);
      expect(pageCount).toBe(100);
      expect(server.stats.faults).toBeGreaterThan(0);
      expect(executor.stats().retries).toBeGreaterThanOrEqual(server.stats.faults);
    } finally {
      await executor.close();
      await server.close();
    }
  });

  it('1,000 creates with client-generated ids leave exactly 1,000 records (the issue asks 10,000: run in bench)', async () => {
    const server = await startLimitedServer({ faultRate: 0.05, seed: 7, burstRetryAfterSeconds: 0.05 });
    const executor = createExecutor({
      serviceRoot: `${server.url}/api/data/v9.2/`,
      maxConcurrency: 8,
      maxRetries: 10,
      retryBudgetMs: 60_000,
      requestTimeoutMs: 10_000,
      backoffBaseMs: 20,
      isLoopback: true,
    });
    try {
      const ids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      const responses = await Promise.all(
        ids.map((rowid) => executor.send({ method: 'POST', url: 'rows', body: JSON.stringify({ rowid }), idempotent: true })),
      );
      expect(server.records.size).toBe(1000);
      expect(ids.every((id) => server.records.has(id))).toBe(true);
      expect(responses.every((r) => r.status === 204)).toBe(true);
      // the resets after a committed write were recognised on retry, not reported as duplicates
      const recovered = responses.filter((r) => r.alreadyDone).length;
      expect(recovered).toBeGreaterThan(0);
      expect(server.stats.faults).toBeGreaterThan(20);
      console.info(`creates: ${server.stats.faults} faults, ${executor.stats().retries} retries, ${recovered} recovered as already done`);
    } finally {
      await executor.close();
      await server.close();
    }
  });
});
