import { describe, expect, it } from 'vitest';
import { AdaptiveThrottle } from '../../src/http/index.js';
import { systemClock, type Clock } from '../../src/util/index.js';

/** a clock that only moves when told, so pacing can be checked without sleeping */
function manualClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
  const sleepers: Array<{ at: number; resolve: () => void }> = [];
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => sleepers.push({ at: now + ms, resolve })),
    async advance(ms) {
      now += ms;
      for (const s of sleepers.splice(0)) {
        if (s.at <= now) s.resolve();
        else sleepers.push(s);
      }
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

describe('AdaptiveThrottle', () => {
  it('spaces requests evenly at the configured rate (no burst)', async () => {
    const clock = manualClock();
    const throttle = new AdaptiveThrottle({ maxConcurrency: 50, requestsPerSecond: 10 }, clock);
    const started: number[] = [];
    const all = Array.from({ length: 5 }, () => throttle.acquire().then((release) => (started.push(clock.now()), release())));
    await clock.advance(0);
    for (let i = 0; i < 10; i++) await clock.advance(100);
    await Promise.all(all);
    expect(started).toEqual([0, 100, 200, 300, 400]);
  });

  it('takes the lower of Requests Per Second and the nodes model', () => {
    expect(new AdaptiveThrottle({ maxConcurrency: 8, requestsPerSecond: 10, nodes: 3 }, systemClock).state().rate).toBe(3);
    expect(new AdaptiveThrottle({ maxConcurrency: 80 }, systemClock).state().concurrency).toBe(52);
  });

  it('caps concurrency and wakes the next caller on release', async () => {
    const throttle = new AdaptiveThrottle({ maxConcurrency: 2 }, systemClock);
    const r1 = await throttle.acquire();
    await throttle.acquire();
    let third = false;
    const p = throttle.acquire().then((r) => ((third = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    expect(throttle.state().queued).toBe(1);
    r1();
    await p;
    expect(third).toBe(true);
  });

  it('on a request-count 429 pauses everyone for Retry-After and halves a configured rate, then ramps back up', async () => {
    const clock = manualClock();
    const throttle = new AdaptiveThrottle({ maxConcurrency: 8, requestsPerSecond: 20 }, clock);
    expect(throttle.onThrottled({ retryAfterMs: 2000, kind: 'requests' })).toBe('paused');
    expect(throttle.state()).toMatchObject({ concurrency: 8, rate: 10, pausedUntil: 2000 });
    let got = false;
    const p = throttle.acquire().then((r) => ((got = true), r()));
    await clock.advance(1500);
    expect(got).toBe(false);
    await clock.advance(600);
    await p;
    expect(got).toBe(true);
    for (let i = 0; i < 200; i++) throttle.onSuccess();
    expect(throttle.state()).toMatchObject({ concurrency: 8, rate: 20 });
  });

  it('without a configured rate, resumes at full speed when Retry-After has passed', async () => {
    const clock = manualClock();
    const throttle = new AdaptiveThrottle({ maxConcurrency: 8 }, clock);
    throttle.onThrottled({ retryAfterMs: 1000, kind: 'requests' });
    throttle.onThrottled({ retryAfterMs: 1000, kind: 'unknown' });
    const started: number[] = [];
    const all = Array.from({ length: 8 }, () => throttle.acquire().then((release) => (started.push(clock.now()), release())));
    await clock.advance(999);
    expect(started).toEqual([]);
    await clock.advance(1);
    await Promise.all(all);
    // all eight at once: no rate, no halved concurrency
    expect(started).toEqual(Array(8).fill(1000));
    expect(throttle.state()).toMatchObject({ concurrency: 8, rate: undefined, window: undefined });
  });

  it('learns the concurrency ceiling from the concurrency error, keeps it, and pauses nobody', async () => {
    const clock = manualClock();
    const throttle = new AdaptiveThrottle({ maxConcurrency: 8 }, clock);
    const permit = await throttle.acquire();
    expect(throttle.onThrottled({ retryAfterMs: 1000, kind: 'concurrency', limit: 5 }, permit)).toBe('alone');
    permit();
    expect(throttle.state()).toMatchObject({ concurrency: 5, concurrencyCeiling: 5, pausedUntil: 0 });
    for (let i = 0; i < 500; i++) throttle.onSuccess();
    expect(throttle.state().concurrency).toBe(5);
    // six callers: five go at once, the sixth waits for a slot
    const permits: Array<() => void> = [];
    const waiting = Array.from({ length: 6 }, () => throttle.acquire().then((p) => permits.push(p)));
    await clock.advance(0);
    expect(permits).toHaveLength(5);
    permits[0]!();
    await Promise.all(waiting);
    expect(permits).toHaveLength(6);
  });

  it('without the limit in the message, the ceiling is what was in flight less what was refused', async () => {
    const throttle = new AdaptiveThrottle({ maxConcurrency: 8 }, systemClock);
    const permits = await Promise.all(Array.from({ length: 8 }, () => throttle.acquire()));
    // the service let 5 in and refused 3
    for (const permit of permits.slice(5)) {
      throttle.onThrottled({ retryAfterMs: 1000, kind: 'concurrency' }, permit);
      permit();
    }
    expect(throttle.state()).toMatchObject({ concurrency: 5, concurrencyCeiling: 5 });
  });

  it('keeps to the request window named in the error: at most `limit` sends in any window', async () => {
    const clock = manualClock();
    const throttle = new AdaptiveThrottle({ maxConcurrency: 50 }, clock);
    for (let i = 0; i < 3; i++) (await throttle.acquire())();
    throttle.onThrottled({ retryAfterMs: 1000, kind: 'requests', limit: 3, windowSeconds: 1 });
    expect(throttle.state().window).toEqual({ limit: 3, spanMs: 1000, marginMs: 102 });
    const started: number[] = [];
    const all = Array.from({ length: 7 }, () => throttle.acquire().then((release) => (started.push(clock.now()), release())));
    for (let i = 0; i < 40; i++) await clock.advance(100);
    await Promise.all(all);
    // the three sent at 0 leave the window at 1000 (+ the margin), then three per window
    expect(started).toHaveLength(7);
    expect(started[0]).toBeGreaterThanOrEqual(1000);
    for (let i = 3; i < started.length; i++) expect(started[i]! - started[i - 3]!).toBeGreaterThanOrEqual(1000);
    // refused all the same (our send times ran ahead of the service's count): more room from now on
    throttle.onThrottled({ retryAfterMs: 1000, kind: 'requests', limit: 3, windowSeconds: 1 });
    expect(throttle.state().window).toEqual({ limit: 3, spanMs: 1000, marginMs: 120 });
  });

  it('learns the window from the budget header and Retry-After, probing one at a time once the budget is used up', async () => {
    const clock = manualClock();
    const throttle = new AdaptiveThrottle({ maxConcurrency: 8 }, clock);
    // a budget of 4: four sent 100 ms apart, the service reports 3, 2, 1, 0 left
    for (let left = 3; left >= 0; left--) {
      const permit = await throttle.acquire();
      throttle.onSuccess({ 'x-ms-ratelimit-burst-remaining-xrm-requests': String(left) }, permit);
      permit();
      await clock.advance(100);
    }
    // used up: one request at a time
    const first = await throttle.acquire();
    let second = false;
    const next = throttle.acquire().then((p) => ((second = true), p));
    await clock.advance(0);
    expect(second).toBe(false);
    // it is refused with Retry-After 2 s at t=400: the oldest of the four (t=0) leaves at 2400
    throttle.onThrottled({ retryAfterMs: 2000, kind: 'requests' }, first);
    first();
    expect(throttle.state().window).toMatchObject({ limit: 4, spanMs: 2400 });
    for (let i = 0; i < 30; i++) await clock.advance(100);
    (await next)();
    expect(second).toBe(true);
  });

  it('halves concurrency when the execution time left in the window runs low', () => {
    const timed = new AdaptiveThrottle({ maxConcurrency: 8 }, systemClock);
    timed.onSuccess({ 'x-ms-ratelimit-time-remaining-xrm-requests': '1,199,990.00' });
    expect(timed.state().concurrency).toBe(8);
    timed.onSuccess({ 'x-ms-ratelimit-time-remaining-xrm-requests': '15,000.00' });
    expect(timed.state().concurrency).toBe(4);
  });

  it('rejects a queued caller with CANCELLED when its signal aborts', async () => {
    const throttle = new AdaptiveThrottle({ maxConcurrency: 1 }, systemClock);
    await throttle.acquire();
    const controller = new AbortController();
    const p = throttle.acquire(controller.signal);
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    expect(throttle.state().queued).toBe(0);
  });
});
