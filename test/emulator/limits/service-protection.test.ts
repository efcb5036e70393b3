import { describe, expect, it } from 'vitest';
import { ServiceProtectionLimiter } from '../../../src/emulator/limits/service-protection.js';
import { limitResponse } from '../../../src/emulator/limits/limit-responses.js';
import { parseLimitFlags } from '../../../src/emulator/limits/parse-limit-flags.js';
import { SlidingWindow } from '../../../src/emulator/limits/sliding-window.js';

describe('SlidingWindow', () => {
  it('forgets events once they are a full window old', () => {
    const w = new SlidingWindow(2000);
    w.add(0, 1);
    w.add(500, 2);
    expect(w.total(1999)).toBe(3);
    expect(w.total(2000)).toBe(2);
    expect(w.msUntilTotalAtMost(2000, 0)).toBe(500);
    expect(w.total(2500)).toBe(0);
  });
});

describe('ServiceProtectionLimiter (injected clock)', () => {
  it('admits exactly requestsPerWindow per user, then refuses until the oldest slides out', () => {
    const limiter = new ServiceProtectionLimiter({ requestsPerWindow: 100, windowSeconds: 2 });
    for (let i = 0; i < 100; i++) {
      const d = limiter.admit('u1', i * 10);
      expect(d.admitted).toBe(true);
      if (d.admitted) d.ticket.release(i * 10 + 1);
    }
    const refused = limiter.admit('u1', 1000);
    expect(refused).toEqual({ admitted: false, kind: 'requests', retryAfterSeconds: 1 });
    expect(limiter.admit('u2', 1000).admitted).toBe(true); // per user
    expect(limiter.admit('u1', 2000).admitted).toBe(true); // the request at t=0 slid out
    expect(limiter.admit('u1', 2001).admitted).toBe(false); // the one at t=10 has not yet
  });

  it('reports the remaining budgets in the Dataverse headers', () => {
    const limiter = new ServiceProtectionLimiter({ requestsPerWindow: 5, executionTimeMsPerWindow: 1000, windowSeconds: 10 });
    const first = limiter.admit('u', 0);
    expect(first.admitted && first.headers).toEqual({ 'x-ms-ratelimit-burst-remaining-xrm-requests': '4', 'x-ms-ratelimit-time-remaining-xrm-requests': '1000' });
    if (first.admitted) first.ticket.release(300);
    const second = limiter.admit('u', 400);
    expect(second.admitted && second.headers['x-ms-ratelimit-time-remaining-xrm-requests']).toBe('700');
  });

  it('refuses once the combined execution time of the window is used up', () => {
    const limiter = new ServiceProtectionLimiter({ executionTimeMsPerWindow: 500, windowSeconds: 2 });
    const a = limiter.admit('u', 0);
    if (a.admitted) a.ticket.release(300);
    const b = limiter.admit('u', 300);
    if (b.admitted) b.ticket.release(600); // 300 + 300 ≥ 500
    expect(limiter.admit('u', 700)).toEqual({ admitted: false, kind: 'execution-time', retryAfterSeconds: 2 });
    expect(limiter.admit('u', 2300).admitted).toBe(true); // the first 300 ms slid out at t=2300
  });

  it('refuses the request past the concurrency limit at once, and admits again after a release', () => {
    const limiter = new ServiceProtectionLimiter({ concurrentRequests: 2 });
    const a = limiter.admit('u', 0);
    const b = limiter.admit('u', 0);
    expect(limiter.admit('u', 0)).toMatchObject({ admitted: false, kind: 'concurrent' });
    expect(limiter.concurrentPeak).toBe(2);
    if (a.admitted) a.ticket.release(5);
    expect(limiter.admit('u', 6).admitted).toBe(true);
    expect(b.admitted).toBe(true);
  });

  it("models the connector: transactions per second per node times the node count, all users together", () => {
    const limiter = new ServiceProtectionLimiter({ connector: { transactionsPerSecondPerNode: 1, nodes: 3 } });
    expect(['a', 'b', 'c'].map((u) => limiter.admit(u, 100).admitted)).toEqual([true, true, true]);
    expect(limiter.admit('d', 500)).toMatchObject({ admitted: false, kind: 'connector', retryAfterSeconds: 1 });
    expect(limiter.admit('d', 1100).admitted).toBe(true);
  });

  it('extends Retry-After under continued pressure when a penalty is configured', () => {
    const limiter = new ServiceProtectionLimiter({ requestsPerWindow: 1, windowSeconds: 5, retryAfterPenaltySeconds: 2 });
    limiter.admit('u', 0);
    const seconds = [1000, 1001, 1002].map((t) => { const d = limiter.admit('u', t); return d.admitted ? 0 : d.retryAfterSeconds; });
    expect(seconds).toEqual([4, 6, 8]);
  });

  it('rejects nonsense limits with a message naming the field', () => {
    expect(() => new ServiceProtectionLimiter({ requestsPerWindow: 0 })).toThrow(/requestsPerWindow/);
    expect(() => new ServiceProtectionLimiter({ concurrentRequests: 1.5 })).toThrow(/concurrentRequests/);
  });
});

describe('limitResponse wording', () => {
  const options = { requestsPerWindow: 6000, executionTimeMsPerWindow: 1_200_000, concurrentRequests: 52, windowSeconds: 300 };
  it('uses the documented Dataverse codes and messages', () => {
    expect(limitResponse('requests', options, 'dataverse', 3).body.error).toEqual({ code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' });
    expect(limitResponse('execution-time', options, 'dataverse', 3).body.error).toEqual({
      code: '0x80072321',
      message: 'Combined execution time of incoming requests exceeded limit of 1,200,000  milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.',
    });
    expect(limitResponse('concurrent', options, 'dataverse', 1).body.error).toEqual({ code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' });
    expect(limitResponse('requests', options, 'dataverse', 3).headers['retry-after']).toBe('3');
  });
  it("uses F&O's wordings with an empty code", () => {
    expect(limitResponse('requests', options, 'finops', 3).body.error).toEqual({ code: '', message: 'Number of requests exeeded the limit of 6000 over the time window of 300 seconds.' });
    expect(limitResponse('execution-time', options, 'finops', 3).body.error.message).toBe(
      'Combined execution time of incoming requests exceeded limit of 1,200 seconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.');
  });
});

describe('parseLimitFlags', () => {
  it('takes its flags in both spellings and leaves the rest', () => {
    expect(parseLimitFlags(['--port', '0', '--limit-requests', '100', '--limit-window=2', '--edition', 'finops'])).toEqual({
      limits: { requestsPerWindow: 100, windowSeconds: 2 }, rest: ['--port', '0', '--edition', 'finops'],
    });
    expect(parseLimitFlags(['--limit-connector-tps', '1', '--limit-connector-nodes', '4']).limits).toEqual({ connector: { transactionsPerSecondPerNode: 1, nodes: 4 } });
    expect(parseLimitFlags(['--port', '0']).limits).toBeUndefined();
  });
  it('refuses a flag without a usable number', () => {
    expect(() => parseLimitFlags(['--limit-requests'])).toThrow('--limit-requests needs a number, got nothing');
    expect(() => parseLimitFlags(['--limit-concurrent', 'many'])).toThrow(/--limit-concurrent needs a number/);
    expect(() => parseLimitFlags(['--limit-requests', '-3'])).toThrow(/requestsPerWindow/);
  });
});
