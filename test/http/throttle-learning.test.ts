/**
 * Issue 22 item 3, against the emulator's real service-protection limits over real sockets, at the
 * driver's defaults (everything resolveOptions gives a bare Organization URL: Max Concurrency 8, no
 * rate). What holds at any speed: the limits are learned from the service's errors and kept, no request
 * goes above a learned limit, and a 429 burst costs its Retry-After and nothing more. The rates
 * themselves are measured in bench/throttle.bench.ts.
 */
import { describe, it } from 'vitest';
import { resolveOptions } from '../../src/config/index.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { createExecutor, pages, type Executor } from '../../src/http/index.js';
import type { ThrottleState } from '../../src/http/index.js';

type Throttled = Executor & { throttleState(): ThrottleState };

/**
 * An emulator with `options` and an executor at the driver's defaults against it, closed after `body`.
 * Each test has its own, so the tests (which mostly wait: latency, windows, Retry-After) run at once.
 */
async function against(options: EmulatorOptions, body: (emulator: RunningEmulator, executor: Throttled) => Promise<void>): Promise<void> {
  const emulator = await startEmulator({ port: 0, ...options });
  const executor = createExecutor(resolveOptions(`Organization URL=${emulator.url}`, { env: {} }));
  try {
    await body(emulator, executor);
  } finally {
    await executor.close();
    await emulator.close();
  }
}

const all = (executor: Executor, n: number) => Promise.all(Array.from({ length: n }, () => executor.send({ method: 'GET', url: 'WhoAmI' })));

describe.concurrent('the defaults learn the service-protection limits and keep them', () => {
  it('Max Concurrency 8 against a service allowing 5: learns 5 from 0x80072326, and is never refused again', ({ expect }) => against({ limits: { concurrentRequests: 5 }, faults: { latencyMs: 100 } }, async (emulator, executor) => {
    const first = await all(executor, 40);
    expect(first.every((r) => r.status === 200)).toBe(true);
    const refused = emulator.stats['throttled.concurrent'] ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect(executor.throttleState()).toMatchObject({ concurrencyCeiling: 5, concurrency: 5, pausedUntil: 0 });
    expect(executor.stats().concurrency).toBe(5);

    // kept: more work, more successes, and still never above 5 in flight
    const second = await all(executor, 60);
    expect(second.every((r) => r.status === 200)).toBe(true);
    expect(emulator.stats['throttled.concurrent'] ?? 0).toBe(refused);
    expect(executor.throttleState().concurrency).toBe(5);
  }));

  it('a concurrency refusal pauses no one else: the other requests in flight are answered meanwhile', ({ expect }) => against({ limits: { concurrentRequests: 5 }, faults: { latencyMs: 100 } }, async (_emulator, executor) => {
    await all(executor, 8);
    // the three refused waited their own Retry-After (1 s); the throttle never held everyone back
    expect(executor.throttleState().pausedUntil).toBe(0);
    expect(executor.stats().throttledMs).toBe(0);
  }));

  it('30 per 2 s: learns the window from 0x80072322 and keeps to it, all requests answered', ({ expect }) => against({ limits: { requestsPerWindow: 30, windowSeconds: 2, concurrentRequests: 5 } }, async (emulator, executor) => {
    const first = await all(executor, 45);
    expect(first.every((r) => r.status === 200)).toBe(true);
    expect(executor.throttleState().window).toMatchObject({ limit: 30, spanMs: 2000 });
    const refusedFirst = emulator.stats['throttled.requests'] ?? 0;
    // the first trip is one volley at most (usually a single probe: the budget header says when the
    // window is used up); 8 is Max Concurrency
    expect(refusedFirst).toBeGreaterThan(0);
    expect(refusedFirst).toBeLessThanOrEqual(8);

    // within the learned window the service has no reason to refuse; on a loaded machine (the emulator
    // shares the event loop here) a stalled send can still land a little early, at most a volley's worth,
    // and each such refusal widens the margin
    const second = await all(executor, 70);
    expect(second.every((r) => r.status === 200)).toBe(true);
    expect((emulator.stats['throttled.requests'] ?? 0) - refusedFirst).toBeLessThanOrEqual(8);
    expect(executor.throttleState().rate).toBeUndefined();
  }));

  it('a sequential stream meeting 429 bursts waits each Retry-After and goes on at full speed', ({ expect }) => against({
    // 10 pages; seed 1 draws two bursts of three 429s, each followed by pages (six seconds of Retry-After)
    rows: 1000, faults: { seed: 1, throttleBurstRate: 0.1, throttleBurstLength: 3, throttleRetryAfterSeconds: 1 },
  }, async (emulator, executor) => {
    const seen = new Set<string>();
    const started = Date.now();
    for await (const page of pages<{ accountid: string }>(executor, 'accounts?$select=accountid', { pageSize: 100 })) {
      for (const row of page.rows) seen.add(row.accountid);
    }
    const elapsed = Date.now() - started;
    expect(seen.size).toBe(1000);
    const throttled = emulator.stats.throttled ?? 0;
    expect(throttled).toBeGreaterThan(0);
    // each refused request waited its Retry-After (1 s) before it went again
    expect(elapsed).toBeGreaterThanOrEqual(throttled * 1000 - 50);
    // nothing slowed down for good: no rate, no lowered concurrency, and no window that binds
    const state = executor.throttleState();
    expect(state).toMatchObject({ rate: undefined, concurrency: 8 });
    expect(state.window === undefined || state.window.limit >= 6000).toBe(true);
  }));
});
