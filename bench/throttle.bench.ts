/**
 * Throttling against the emulator's service-protection limits (100 requests per 10 s sliding window,
 * 5 concurrent), `GET WhoAmI` requests fired all at once by the caller, each client on a fresh
 * emulator of its own (see below):
 *
 * - dynasql, configured: the executor given the documented limit (`Requests Per Second` = 97 % of
 *   10/s, `Max Concurrency` = 5). The suite's headline: share of the allowed rate achieved
 *   (target >= 0.9) and share of requests answered 429 (target < 2 %).
 * - dynasql at its defaults (issue 22 item 3): Max Concurrency 8 and no rate, against the same limits
 *   on a fast service and on one answering 400 ms late; the throttle learns the concurrency ceiling and
 *   the request window from the service's 429s (targets: >= 0.95 of the allowed rate, < 1 % 429s).
 * - a sequential stream of 100 pages meeting 429 bursts, against the fault-free time plus each Retry-After.
 * - without adaptive throttling: 5 workers, undici `request`, on a 429 each waits the Retry-After
 *   it was given and tries again (what most clients, DynamicsWebApi among them, do).
 * - four processes (issue 21): four real dynasql processes reading 250 statements each, sharing one
 *   budget through `Throttle Store` on a real redis-server (targets: >= 0.9 of the allowed rate,
 *   < 1 % 429s), against four each on its own budget (comparison). These run after the others.
 *
 * They run at the same time, each against its own emulator: they spend nearly all their time
 * waiting on timers, so running them together costs no accuracy and keeps the suite near 100 s here.
 *
 * `runThrottleBench` also keeps the executor's issue-5 figures (paging and creates under 5 % faults).
 *
 *   import { runThrottleBench } from './throttle.bench.js';
 *   const figures = await runThrottleBench({ parts: ['limits'] });
 */
import { randomUUID } from 'node:crypto';
import { startEmulator } from '../src/emulator/index.js';
import { request } from 'undici';
import { resolveOptions } from '../src/config/index.js';
import { createExecutor, isDuplicateReply, pages } from '../src/http/index.js';
import { round } from './lib/measure.js';
import { BudgetProcesses } from '../test/http/budget-processes.js';
import { RedisServer, redisServerAvailable } from '../test/http/redis-server.js';
import { atLeast, below, type BenchResult } from './lib/result.js';

export interface ThrottleBenchOptions {
  parts?: Array<'limits' | 'paging' | 'creates'>;
  /** scale every size down (0.1 = a tenth) for a quick look */
  scale?: number;
}

export interface ThrottleBenchFigures {
  limits?: { requests: number; seconds: number; allowedPerSecond: number; achievedShare: number; arrivalShare: number; throttledShare: number; allAnswered: boolean };
  paging?: { rows: number; distinctRows: number; duplicates: number; seconds: number; faults: number; retries: number };
  creates?: { requested: number; records: number; recoveredAsDone: number; seconds: number; faults: number; retries: number };
}

const FAULTS = { seed: 5, serverErrorRate: 0.012, resetBeforeResponseRate: 0.012, resetAfterWriteRate: 0.012, truncateBodyRate: 0.008, throttleBurstRate: 0.002, throttleBurstLength: 3 };

export async function runThrottleBench(options: ThrottleBenchOptions = {}): Promise<ThrottleBenchFigures> {
  const parts = options.parts ?? ['limits', 'paging', 'creates'];
  const scale = options.scale ?? 1;
  const figures: ThrottleBenchFigures = {};
  if (parts.includes('limits')) figures.limits = await limits(Math.max(20, Math.round(1000 * scale)));
  if (parts.includes('paging')) figures.paging = await paging(Math.max(1000, Math.round(100_000 * scale)));
  if (parts.includes('creates')) figures.creates = await creates(Math.max(100, Math.round(10_000 * scale)));
  return figures;
}

const LIMITS = { requestsPerWindow: 100, windowSeconds: 10, concurrentRequests: 5 };

async function limits(requests: number): Promise<NonNullable<ThrottleBenchFigures['limits']>> {
  const emulator = await startEmulator({ port: 0, limits: LIMITS });
  const allowedPerSecond = 10;
  const executor = createExecutor({
    serviceRoot: emulator.url,
    maxConcurrency: 5,
    requestsPerSecond: allowedPerSecond * 0.97,
    maxRetries: 10,
    retryBudgetMs: 300_000,
    requestTimeoutMs: 30_000,
    isLoopback: true,
  });
  try {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: requests }, () => executor.send({ method: 'GET', url: 'WhoAmI' })));
    const seconds = (performance.now() - started) / 1000;
    const arrivals = emulator.requests().slice(-requests).map((r) => Date.parse(r.receivedAt));
    return {
      requests,
      seconds,
      allowedPerSecond,
      achievedShare: requests / seconds / allowedPerSecond,
      arrivalShare: (arrivals.length - 1) / ((arrivals.at(-1)! - arrivals[0]!) / 1000) / allowedPerSecond,
      throttledShare: (emulator.stats.throttled ?? 0) / (emulator.stats.requests ?? 1),
      allAnswered: results.every((r) => r.status === 200),
    };
  } finally {
    await executor.close();
    await emulator.close();
  }
}

async function paging(rows: number): Promise<NonNullable<ThrottleBenchFigures['paging']>> {
  const emulator = await startEmulator({ port: 0, rows, faults: FAULTS });
  const executor = createExecutor({ serviceRoot: emulator.url, maxConcurrency: 8, maxRetries: 10, retryBudgetMs: 300_000, requestTimeoutMs: 60_000, isLoopback: true });
  try {
    const started = performance.now();
    const seen = new Map<string, number>();
    for await (const page of pages<{ accountid: string }>(executor, 'accounts?$select=accountid', { pageSize: 1000 })) {
      for (const row of page.rows) seen.set(row.accountid, (seen.get(row.accountid) ?? 0) + 1);
    }
    return {
      rows: [...seen.values()].reduce((a, b) => a + b, 0),
      distinctRows: seen.size,
      duplicates: [...seen.values()].filter((n) => n > 1).length,
      seconds: (performance.now() - started) / 1000,
      faults: emulator.stats.faultsInjected ?? 0,
      retries: executor.stats().retries,
    };
  } finally {
    await executor.close();
    await emulator.close();
  }
}

async function creates(count: number): Promise<NonNullable<ThrottleBenchFigures['creates']>> {
  const emulator = await startEmulator({ port: 0, rows: 10, faults: FAULTS });
  const executor = createExecutor({ serviceRoot: emulator.url, maxConcurrency: 8, maxRetries: 10, retryBudgetMs: 300_000, requestTimeoutMs: 60_000, isLoopback: true });
  try {
    const tag = `bench-${randomUUID().slice(0, 8)}`;
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        executor.send({ method: 'POST', url: 'accounts', body: JSON.stringify({ accountid: randomUUID(), name: `${tag} ${i}` }), idempotent: true, throwOnError: false }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    let records = 0;
    for await (const page of pages(executor, `accounts?$select=accountid&$filter=startswith(name,'${tag}')`, { pageSize: 5000 })) records += page.rows.length;
    return { requested: count, records, recoveredAsDone: responses.filter((r) => isDuplicateReply({ status: r.status, body: r.text() }) && (r.attempts ?? 1) > 1).length, seconds, faults: emulator.stats.faultsInjected ?? 0, retries: executor.stats().retries };
  } finally {
    await executor.close();
    await emulator.close();
  }
}

/** 5 workers, a 429 waits its Retry-After and is sent again: a client without adaptive throttling */
async function plainClient(requests: number): Promise<NonNullable<ThrottleBenchFigures['limits']>> {
  const emulator = await startEmulator({ port: 0, limits: LIMITS });
  const allowedPerSecond = 10;
  try {
    let next = 0;
    let answered = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < requests) {
        next++;
        for (let attempt = 0; attempt < 50; attempt++) {
          const response = await request(`${emulator.url}WhoAmI`, { headers: { accept: 'application/json' } });
          await response.body.dump();
          if (response.statusCode !== 429) { if (response.statusCode === 200) answered++; break; }
          const wait = Number(response.headers['retry-after'] ?? 1);
          await new Promise((done) => setTimeout(done, (Number.isFinite(wait) ? wait : 1) * 1000));
        }
      }
    };
    await Promise.all(Array.from({ length: LIMITS.concurrentRequests }, worker));
    const seconds = (performance.now() - started) / 1000;
    const arrivals = emulator.requests().map((r) => Date.parse(r.receivedAt));
    return {
      requests, seconds, allowedPerSecond,
      achievedShare: requests / seconds / allowedPerSecond,
      arrivalShare: (arrivals.length - 1) / ((arrivals.at(-1)! - arrivals[0]!) / 1000) / allowedPerSecond,
      throttledShare: (emulator.stats.throttled ?? 0) / (emulator.stats.requests ?? 1),
      allAnswered: answered === requests,
    };
  } finally {
    await emulator.close();
  }
}

/** a run's pace against the service's limits */
interface RateFigures {
  seconds: number;
  allowedPerSecond: number;
  /** admitted requests per second over the allowed rate */
  achievedShare: number;
  throttledShare: number;
  /** 429s for the concurrency limit (0x80072326) and for the request count (0x80072322) */
  concurrencyRefusals: number;
  requestRefusals: number;
}

export interface DefaultsFigures extends RateFigures {
  requests: number;
  latencyMs: number;
  /** the most requests the service had in flight at once */
  concurrencyPeak: number;
  /** what the throttle ended at */
  concurrency: number | undefined;
  allAnswered: boolean;
}

/**
 * Issue 22 item 3: the driver at its defaults (Max Concurrency 8, no rate: everything resolveOptions
 * gives a bare `Organization URL`) against a service allowing 5 concurrent and 100 per 10 s, on a fast
 * service and on a slow one (every answer 400 ms late), all requests handed over at once.
 */
async function defaultsAgainstLimits(requests: number, latencyMs: number): Promise<DefaultsFigures> {
  const emulator = await startEmulator({ port: 0, limits: LIMITS, ...(latencyMs > 0 ? { faults: { latencyMs } } : {}) });
  const allowedPerSecond = LIMITS.requestsPerWindow / LIMITS.windowSeconds;
  const executor = createExecutor(resolveOptions(`Organization URL=${emulator.url}`, { env: {} }));
  try {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: requests }, () => executor.send({ method: 'GET', url: 'WhoAmI' })));
    const seconds = (performance.now() - started) / 1000;
    const stats = emulator.stats;
    return {
      requests, latencyMs, seconds, allowedPerSecond,
      achievedShare: requests / seconds / allowedPerSecond,
      throttledShare: (stats.throttled ?? 0) / (stats.requests ?? 1),
      concurrencyRefusals: stats['throttled.concurrent'] ?? 0,
      requestRefusals: stats['throttled.requests'] ?? 0,
      concurrencyPeak: stats.concurrentPeak ?? 0,
      concurrency: executor.stats().concurrency,
      allAnswered: results.every((r) => r.status === 200),
    };
  } finally {
    await executor.close();
    await emulator.close();
  }
}

export interface SequentialFigures {
  pages: number;
  /** the same pages from a service without faults */
  cleanSeconds: number;
  seconds: number;
  throttled: number;
  retryAfterSeconds: number;
  /** the least time the service allowed: the clean time plus every Retry-After it asked for */
  allowedSeconds: number;
  allowedShare: number;
}

/**
 * Issue 22 item 3: one sequential stream of pages (the driver's defaults) from a service that answers
 * bursts of 429s (3 in a row, Retry-After 1 s, about one burst per ten requests). Nothing can be faster
 * than the fault-free time plus each Retry-After, so that sum is the allowed time.
 */
async function sequentialBursts(pageCount: number): Promise<SequentialFigures> {
  const pageSize = 100;
  const rows = pageCount * pageSize;
  const retryAfterSeconds = 1;
  const run = async (faults?: Record<string, number>) => {
    const emulator = await startEmulator({ port: 0, rows, ...(faults ? { faults } : {}) });
    const executor = createExecutor(resolveOptions(`Organization URL=${emulator.url}`, { env: {} }));
    try {
      await executor.send({ method: 'GET', url: 'WhoAmI' }); // connect and warm up outside the measurement
      const throttledBefore = emulator.stats.throttled ?? 0;
      const started = performance.now();
      let seen = 0;
      for await (const page of pages(executor, 'accounts?$select=accountid', { pageSize })) seen += page.rows.length;
      if (seen !== rows) throw new Error(`read ${seen} rows of ${rows}`);
      return { seconds: (performance.now() - started) / 1000, throttled: (emulator.stats.throttled ?? 0) - throttledBefore };
    } finally {
      await executor.close();
      await emulator.close();
    }
  };
  const clean = await run();
  const faulty = await run({ seed: 3, throttleBurstRate: 0.1, throttleBurstLength: 3, throttleRetryAfterSeconds: retryAfterSeconds });
  const allowedSeconds = clean.seconds + faulty.throttled * retryAfterSeconds;
  return {
    pages: pageCount, cleanSeconds: clean.seconds, seconds: faulty.seconds, throttled: faulty.throttled, retryAfterSeconds,
    allowedSeconds, allowedShare: allowedSeconds / faulty.seconds,
  };
}

/** `achievedShare` counts admitted requests from the first arrival to the last */
export interface FourProcessFigures extends RateFigures {
  /** requests the service saw ($metadata included), and how many it answered 429 */
  requests: number;
  throttled: number;
  allCompleted: boolean;
}

/**
 * Issue 21: four dynasql processes (test/http/budget-worker.ts, each a real process with its own
 * throttle) read against one service with the same limits as above, 250 statements each, 4 at a
 * time: with `Throttle Store` on a real redis-server (one budget for the four), and, at the same time
 * against an emulator of their own, four more each on its own budget. The processes start and run
 * once against another emulator first, so what is measured is not tsx compiling the driver.
 */
async function fourProcesses(statements: number, store: string | undefined): Promise<FourProcessFigures> {
  const processes = await BudgetProcesses.start(4);
  try {
    const warmUp = await startEmulator({ port: 0, rows: 20 });
    await processes.run({ url: warmUp.url, ...(store ? { store } : {}), statements: 4, parallel: 2 }).finally(() => warmUp.close());
    const emulator = await startEmulator({ port: 0, rows: 20, limits: LIMITS });
    try {
      const started = performance.now();
      const results = await processes.run({ url: emulator.url, ...(store ? { store } : {}), statements, parallel: 4 });
      const seconds = (performance.now() - started) / 1000;
      const arrivals = emulator.requests().map((r) => Date.parse(r.receivedAt));
      const requests = emulator.stats.requests ?? 0;
      const throttled = emulator.stats.throttled ?? 0;
      const allowedPerSecond = LIMITS.requestsPerWindow / LIMITS.windowSeconds;
      return {
        requests, throttled, seconds, allowedPerSecond,
        achievedShare: (requests - throttled) / ((Math.max(...arrivals) - Math.min(...arrivals)) / 1000) / allowedPerSecond,
        throttledShare: throttled / requests,
        concurrencyRefusals: emulator.stats['throttled.concurrent'] ?? 0,
        requestRefusals: emulator.stats['throttled.requests'] ?? 0,
        allCompleted: results.every((r) => r.completed === statements && r.failed.length === 0),
      };
    } finally {
      await emulator.close();
    }
  } finally {
    await processes.close();
  }
}

export interface ThrottleSuiteOptions {
  /** requests per client (default 1,000: ~100 s at the allowed rate) */
  requests?: number;
}

/** the suite's throttling benchmark: dynasql configured, dynasql default, and a plain retrying client */
export async function runThrottleSuiteBench(options: ThrottleSuiteOptions = {}): Promise<BenchResult> {
  const requests = options.requests ?? 1000;
  if (!redisServerAvailable()) throw new Error('the throttle benchmark needs redis-server (npm run test:setup installs it)');
  const [configured, fast, slow, plain, sequential] = await Promise.all([
    limits(requests), defaultsAgainstLimits(requests, 0), defaultsAgainstLimits(requests, 400), plainClient(requests), sequentialBursts(100),
  ]);
  // after the single-process clients, not beside them: eight processes starting (tsx, $metadata) take
  // CPU the single-process figures would miss on a 2-core machine
  const redis = await RedisServer.start();
  const [shared, alone] = await Promise.all([fourProcesses(Math.round(requests / 4), redis.url), fourProcesses(Math.round(requests / 4), undefined)]).finally(() => redis.stop());
  const four = { shared, alone };
  const shapeFour = (f: FourProcessFigures) => ({ ...f, seconds: round(f.seconds, 1), achievedShare: round(f.achievedShare), throttledShare: round(f.throttledShare, 4) });
  const shape = (f: NonNullable<ThrottleBenchFigures['limits']>) => ({
    requests: f.requests, seconds: round(f.seconds, 1), achievedShare: round(f.achievedShare), throttledShare: round(f.throttledShare, 3), allAnswered: f.allAnswered,
  });
  const shapeDefaults = (f: DefaultsFigures) => ({
    ...f, seconds: round(f.seconds, 1), achievedShare: round(f.achievedShare), throttledShare: round(f.throttledShare, 4),
  });
  return {
    name: 'throttle',
    figures: {
      limits: LIMITS,
      dynasqlConfigured: shape(configured),
      dynasqlDefaultsFast: shapeDefaults(fast),
      dynasqlDefaultsSlow: shapeDefaults(slow),
      withoutAdaptiveThrottling: shape(plain),
      fourProcessesSharedStore: shapeFour(four.shared),
      fourProcessesOwnBudgets: shapeFour(four.alone),
      sequentialBursts: { ...sequential, cleanSeconds: round(sequential.cleanSeconds, 2), seconds: round(sequential.seconds, 2), allowedSeconds: round(sequential.allowedSeconds, 2), allowedShare: round(sequential.allowedShare) },
    },
    checks: [
      atLeast('achieved / allowed rate (dynasql, Requests Per Second set)', round(configured.achievedShare), 0.9),
      below('429 share (dynasql, Requests Per Second set)', round(configured.throttledShare * 100, 2), 2, '%'),
      atLeast('achieved / allowed rate (dynasql defaults, fast service)', round(fast.achievedShare), 0.95),
      below('429 share (dynasql defaults, fast service)', round(fast.throttledShare * 100, 2), 1, '%'),
      atLeast('achieved / allowed rate (dynasql defaults, 400 ms service)', round(slow.achievedShare), 0.95),
      below('429 share (dynasql defaults, 400 ms service)', round(slow.throttledShare * 100, 2), 1, '%'),
      atLeast('sequential stream with 429 bursts / allowed (clean time + Retry-After)', round(sequential.allowedShare), 0.95, '×', `${sequential.throttled} 429s, ${round(sequential.seconds, 1)} s`),
      atLeast('achieved / allowed rate (4 processes, Throttle Store)', round(four.shared.achievedShare), 0.9, '×', `${four.shared.requests} requests, ${round(four.shared.seconds, 1)} s`),
      below('429 share (4 processes, Throttle Store)', round(four.shared.throttledShare * 100, 2), 1, '%'),
      { what: 'achieved / allowed rate (4 processes, each its own budget)', value: round(four.alone.achievedShare), unit: '×', target: '(comparison)', pass: true },
      { what: '429 share (4 processes, each its own budget)', value: round(four.alone.throttledShare * 100, 2), unit: '%', target: '(comparison)', pass: true },
      { what: 'achieved / allowed rate (no adaptive throttling)', value: round(plain.achievedShare), unit: '×', target: '(comparison)', pass: true },
      { what: '429 share (no adaptive throttling)', value: round(plain.throttledShare * 100, 2), unit: '%', target: '(comparison)', pass: true },
    ],
    notes: ['the clients run at the same time, each against its own emulator (they mostly wait on timers); then the four processes with Throttle Store and the four on their own budgets, at the same time, each set against its own emulator'],
  };
}
