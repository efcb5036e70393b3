import type { Redis } from 'ioredis';
import type { Clock } from '../util/index.js';
import { ACQUIRE, FINISH, REFUSED, RENEW } from './budget-scripts.js';
import type { ThrottleSignal } from './throttle.js';

/** The service's documented limits per user (Dataverse): the shared budget keeps to these until the service names others. */
export const SERVICE_LIMITS = { requests: 6000, windowMs: 300_000, executionMs: 1_200_000, concurrency: 52 } as const;

/** a concurrency slot lives this long unless its process renews it: a process that dies frees its slots within it */
const LEASE_MS = 15_000;
const RENEW_EVERY_MS = 5_000;
/** how often a waiter asks again while every concurrency slot is taken (no release can be awaited across processes) */
const SLOT_POLL_MS = 15;
/** a Redis that does not answer within this is treated as gone: the statement goes on with the local budget */
const REDIS_TIMEOUT_MS = 3000;
/** after a command failed on an open connection (a timeout), how often to check whether Redis answers again */
const RECHECK_EVERY_MS = 2000;

type Reply = [number, number];
interface BudgetCommands {
  dynasqlAcquire(...args: Array<string | number>): Promise<Reply>;
  dynasqlFinish(...args: Array<string | number>): Promise<number>;
  dynasqlRefused(...args: Array<string | number>): Promise<number>;
  dynasqlRenew(...args: Array<string | number>): Promise<number>;
}

/** Told when the store becomes usable or stops being usable, with why (never a secret). */
export type AvailabilityListener = (up: boolean, reason: string) => void;

/**
 * One budget (org + user) in Redis, through the atomic scripts of budget-scripts.ts. `acquire` answers
 * a grant id, or undefined when Redis cannot be used: the caller then keeps to its own budget.
 * Commands are never queued while Redis is away (they fail at once) and ioredis reconnects by itself,
 * so the store is back in use from its first `ready`.
 *
 * ioredis is imported on first use, so a connection without `Throttle Store` never loads it.
 */
export class RedisBudgetStore {
  /** undefined until the first connection attempt has succeeded or failed */
  private up: boolean | undefined;
  /** the acquire now talking to Redis: one per process at a time, the others queue behind it */
  private turn: Promise<void> = Promise.resolve();
  /** this process's grants in flight, whose slots it renews */
  private readonly live = new Set<number>();
  private renewer: NodeJS.Timeout | undefined;
  private rechecker: NodeJS.Timeout | undefined;
  private readonly keys: string[];

  private constructor(private readonly client: Redis & BudgetCommands, prefix: string, private readonly clock: Clock, private readonly listener: AvailabilityListener) {
    this.keys = ['req', 'exec', 'lease', 'pause', 'limits', 'seq'].map((k) => `${prefix}${k}`);
  }

  /** Connects to `url` (redis:// or rediss://); resolves once the first attempt has succeeded or failed. */
  static async open(url: string, prefix: string, clock: Clock, listener: AvailabilityListener): Promise<RedisBudgetStore> {
    const { Redis } = await import('ioredis');
    // the reply mapping spelt out: inferred, it is not the `Redis` type's default, and relating the two made
    // tsc work out the variance of ioredis's class over its thousands of commands (~5 s of every type check)
    const client = new Redis<'legacy'>(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: REDIS_TIMEOUT_MS,
      retryStrategy: (attempt: number) => Math.min(250 * attempt, 2000),
    }) as Redis & BudgetCommands;
    for (const [name, lua] of [['dynasqlAcquire', ACQUIRE], ['dynasqlFinish', FINISH], ['dynasqlRefused', REFUSED], ['dynasqlRenew', RENEW]] as const) {
      client.defineCommand(name, { lua, numberOfKeys: 6 });
    }
    const store = new RedisBudgetStore(client, prefix, clock, listener);
    let lastError = 'connection closed';
    // ioredis reports every failed attempt here; without a listener Node would print them
    client.on('error', (error: Error & { code?: string }) => (lastError = error.code ?? error.message));
    client.on('ready', () => store.setUp(true, 'ready'));
    client.on('close', () => store.setUp(false, lastError));
    try {
      await client.connect();
    } catch (error) {
      store.setUp(false, (error as { code?: string }).code ?? lastError);
    }
    return store;
  }

  /** A grant for one request within the shared limits (waiting as they say), or undefined when Redis cannot be used. */
  async acquire(signal?: AbortSignal): Promise<number | undefined> {
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise<void>((resolve) => (done = resolve));
    try {
      await untilAborted(previous, signal);
      for (;;) {
        if (!this.up) return undefined;
        let reply: Reply;
        try {
          reply = await answerWithin(this.client.dynasqlAcquire(...this.keys, ...this.defaults(), LEASE_MS), REDIS_TIMEOUT_MS);
        } catch (error) {
          this.setUp(false, describe(error));
          return undefined;
        }
        const [grant, waitMs] = reply;
        if (grant > 0) {
          this.live.add(grant);
          this.renewWhileLive();
          return grant;
        }
        await this.clock.sleep(waitMs > 0 ? waitMs : SLOT_POLL_MS, signal);
      }
    } finally {
      // the next waiter goes when this one is done and, if it left early (aborted), when the one before it is
      void previous.then(done);
    }
  }

  /** The answer came (not a 429): free the slot, count its execution time, keep the service's remaining budget. */
  finish(grant: number, durationMs: number, remaining: string | undefined): void {
    this.live.delete(grant);
    if (!this.up) return;
    this.client.dynasqlFinish(...this.keys, ...this.defaults(), grant, Math.max(0, Math.round(durationMs)), remaining ?? '').catch((error: unknown) => this.setUp(false, describe(error)));
  }

  /** A 429 for `grant`: uncount it, pause everyone unless it was a concurrency refusal, keep the limit it names. */
  refused(grant: number, signal: ThrottleSignal): void {
    this.live.delete(grant);
    if (!this.up) return;
    this.client.dynasqlRefused(...this.keys, ...this.defaults(), grant, Math.round(signal.retryAfterMs), signal.kind, signal.limit ?? '', signal.windowSeconds ?? '')
      .catch((error: unknown) => this.setUp(false, describe(error)));
  }

  async close(): Promise<void> {
    this.stopRenewing();
    clearInterval(this.rechecker);
    this.up = false;
    this.client.disconnect();
  }

  private defaults(): number[] {
    return [SERVICE_LIMITS.requests, SERVICE_LIMITS.windowMs, SERVICE_LIMITS.executionMs, SERVICE_LIMITS.concurrency];
  }

  private setUp(up: boolean, reason: string): void {
    if (up === this.up) return;
    this.up = up;
    if (!up) this.stopRenewing();
    else this.renewWhileLive();
    if (!up && this.client.status === 'ready') this.recheck();
    this.listener(up, reason);
  }

  /**
   * A command failed but the connection stays open (a timeout): ioredis will not say `ready` again,
   * so ask Redis now and then whether it answers.
   */
  private recheck(): void {
    if (this.rechecker) return;
    this.rechecker = setInterval(() => {
      if (this.up || this.client.status !== 'ready') {
        clearInterval(this.rechecker);
        this.rechecker = undefined;
        return;
      }
      answerWithin(this.client.ping(), REDIS_TIMEOUT_MS).then(() => this.setUp(true, 'answering'), () => undefined);
    }, RECHECK_EVERY_MS);
    this.rechecker.unref();
  }

  private renewWhileLive(): void {
    if (this.renewer || this.live.size === 0 || !this.up) return;
    this.renewer = setInterval(() => {
      if (this.live.size === 0) return this.stopRenewing();
      this.client.dynasqlRenew(...this.keys, ...this.defaults(), LEASE_MS, ...this.live).catch((error: unknown) => this.setUp(false, describe(error)));
    }, RENEW_EVERY_MS);
    // renewing never keeps a process alive: a process that is done has no requests in flight
    this.renewer.unref();
  }

  private stopRenewing(): void {
    if (this.renewer) clearInterval(this.renewer);
    this.renewer = undefined;
  }
}

/**
 * `promise`, or a timeout error when Redis has not answered within `ms`. Not ioredis's own
 * `commandTimeout`: after the event loop was busy for longer than `ms` (a large $metadata parsed at
 * connect), that timer fires before the answer already waiting in the socket is read. Here the
 * timeout waits one more turn of the loop (`setImmediate` runs after pending I/O is read), so only an
 * answer that truly did not come counts.
 */
function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => setImmediate(() => {
      if (!settled) reject(Object.assign(new Error(`Redis did not answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
    }), ms);
    timer.unref();
    promise.then((value) => {
      settled = true;
      clearTimeout(timer);
      resolve(value);
    }, (error: unknown) => {
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** resolves with `promise`, or rejects with the signal's reason as soon as it aborts */
function untilAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

/** an error's code or name: what a warning may say of it (a message might echo a URL with its password) */
function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name === 'Error' ? error.message.slice(0, 80) : error.name : 'error';
}
