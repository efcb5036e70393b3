import { describe, expect, it } from 'vitest';
import { FaultPlanner } from '../../../src/emulator/faults/fault-planner.js';
import { validateFaultOptions } from '../../../src/emulator/faults/fault-options.js';
import { Prng } from '../../../src/emulator/seed/prng.js';

const run = (planner: FaultPlanner, n: number, isWrite = (i: number) => i % 3 === 0) =>
  Array.from({ length: n }, (_, i) => planner.plan(isWrite(i)));

describe('FaultPlanner', () => {
  it('gives the same faults and delays for the same seed, and different ones for another seed', () => {
    const options = { seed: 42, serverErrorRate: 0.1, truncateBodyRate: 0.1, resetAfterWriteRate: 0.2, latencyJitterMs: 30 };
    const a = run(new FaultPlanner(options), 200);
    const b = run(new FaultPlanner(options), 200);
    const c = run(new FaultPlanner({ ...options, seed: 43 }), 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('injects each fault at about its rate', () => {
    const planner = new FaultPlanner({ seed: 7, serverErrorRate: 0.1, resetBeforeResponseRate: 0.05, slowBodyRate: 0.2 });
    run(planner, 2000);
    expect(planner.injected['server-error'] / 2000).toBeCloseTo(0.1, 1);
    expect(planner.injected['reset-before'] / 2000).toBeCloseTo(0.05, 1);
    expect(planner.injected['slow-body'] / 2000).toBeCloseTo(0.2, 1);
    expect(planner.injected.truncate).toBe(0);
  });

  it('resets after a write only for writes', () => {
    const planner = new FaultPlanner({ seed: 3, resetAfterWriteRate: 1 });
    expect(planner.plan(false).fault).toBeUndefined();
    expect(planner.plan(true).fault).toBe('reset-after-write');
  });

  it('turns one throttle draw into a burst of consecutive 429s', () => {
    const planner = new FaultPlanner({ seed: 5, throttleBurstRate: 0.02, throttleBurstLength: 4 });
    const faults = run(planner, 500).map((p) => (p.fault === 'throttle' ? 'T' : '.')).join('');
    const bursts = faults.match(/T+/g) ?? [];
    expect(bursts.length).toBeGreaterThan(2);
    for (const burst of bursts) expect(burst.length % 4).toBe(0); // back-to-back bursts join up
  });

  it('adds fixed latency plus jitter below the configured bound', () => {
    const plans = run(new FaultPlanner({ seed: 9, latencyMs: 20, latencyJitterMs: 10 }), 100);
    for (const p of plans) expect(p.delayMs >= 20 && p.delayMs < 30).toBe(true);
    expect(new Set(plans.map((p) => p.delayMs)).size).toBeGreaterThan(50);
  });

  it('refuses rates that add up to more than one', () => {
    expect(() => new FaultPlanner({ serverErrorRate: 0.7, truncateBodyRate: 0.5 })).toThrow(/at most 1/);
  });
});

describe('validateFaultOptions', () => {
  it('refuses unknown fields and out-of-range values', () => {
    expect(() => validateFaultOptions({ serverErorRate: 0.1 })).toThrow('faults.serverErorRate is not a known fault option');
    expect(() => validateFaultOptions({ serverErrorRate: 2 })).toThrow(/between 0 and 1/);
    expect(() => validateFaultOptions({ serverErrorStatus: 404 })).toThrow(/5xx/);
    expect(() => validateFaultOptions([])).toThrow(/JSON object/);
    expect(validateFaultOptions({ seed: 1, latencyMs: 5 })).toEqual({ seed: 1, latencyMs: 5 });
  });
});

describe('Prng', () => {
  it('is a fixed sequence in [0, 1) for a seed', () => {
    const a = new Prng(42);
    const values = Array.from({ length: 5 }, () => a.next());
    expect(values).toEqual(Array.from({ length: 5 }, ((b) => () => b.next())(new Prng(42))));
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
  });
});
