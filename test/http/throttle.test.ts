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

  it('on 429 pauses everyone for Retry-After and halves rate and concurrency, then ramps back up', async () => {
    const clock = manualClock();
    const throttle = new AdaptiveThrottle({ maxConcurrency: 8, requestsPerSecond: 20 }, clock);
    throttle.onThrottled(2000);
    expect(throttle.state()).toMatchObject({ concurrency: 4, rate: 10, pausedUntil: 2000 });
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

  it('shrinks concurrency to what the x-ms-ratelimit-* headers say is left', () => {
    const throttle = new AdaptiveThrottle({ maxConcurrency: 8 }, systemClock);
    throttle.onSuccess({ 'x-ms-ratelimit-burst-remaining-xrm-requests': '3' });
    expect(throttle.state().concurrency).toBe(3);
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
