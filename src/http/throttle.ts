import { DynasqlError } from '../errors/index.js';
import type { Clock } from '../util/index.js';

/** below this much execution time left in the service's window, concurrency is halved */
const LOW_EXECUTION_TIME_MS = 20_000;
/** the most lateness the token bucket makes up for (see acquire) */
const MAX_CATCH_UP_MS = 50;
/** how far back a learned rate looks when the first 429 arrives */
const LEARN_SPAN_MS = 10_000;

export interface ThrottleSettings {
  /** upper bound on requests in flight (1..52) */
  maxConcurrency: number;
  /** token-bucket rate; undefined = none */
  requestsPerSecond?: number;
  /** the plain connector's model: `nodes` × 1 request per second */
  nodes?: number;
}

export interface ThrottleState {
  concurrency: number;
  rate: number | undefined;
  inFlight: number;
  queued: number;
  pausedUntil: number;
}

/**
 * Client-side pacing that keeps below the service-protection limits instead of tripping them.
 *
 * - A concurrency cap (at most 52, the service's own limit) and a token bucket holding one token, so
 *   requests leave evenly spaced at the configured rate: with 10/s, one every 100 ms, never a burst
 *   that a sliding window would count against us.
 * - Adaptive, additive-increase / multiplicative-decrease (AIMD): a 429 pauses everyone until its
 *   Retry-After has passed and halves the concurrency and the rate; each success then adds back a
 *   little, until the configured values are reached again.
 * - Dataverse's `x-ms-ratelimit-burst-remaining-xrm-requests` header, when present, shrinks concurrency
 *   to what the server says is left, so the window runs out with one 429 instead of a volley; a low
 *   `x-ms-ratelimit-time-remaining-xrm-requests` (execution time left) halves it.
 */
export class AdaptiveThrottle {
  private readonly maxConcurrency: number;
  private readonly maxRate: number | undefined;
  private concurrency: number;
  private rate: number | undefined;
  private inFlight = 0;
  private nextTokenAt = 0;
  private pausedUntil = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly starts: number[] = [];
  /** additive increase per success: a twentieth of the rate before the last decrease */
  private rateStep = 0;
  private lastDecreaseAt = -Infinity;
  private waitingCallers = 0;
  private waitingSince = 0;
  private waitedMs = 0;

  constructor(settings: ThrottleSettings, private readonly clock: Clock) {
    this.maxConcurrency = Math.max(1, Math.min(52, Math.floor(settings.maxConcurrency)));
    const rates = [settings.requestsPerSecond, settings.nodes].filter((r): r is number => r !== undefined && r > 0);
    this.maxRate = rates.length > 0 ? Math.min(...rates) : undefined;
    this.concurrency = this.maxConcurrency;
    this.rate = this.maxRate;
    this.rateStep = (this.maxRate ?? 0) / 20;
  }

  state(): ThrottleState {
    return { concurrency: Math.floor(this.concurrency), rate: this.rate, inFlight: this.inFlight, queued: this.waiters.length, pausedUntil: this.pausedUntil };
  }

  /**
   * Waits for a free slot, the end of any 429 pause and a rate token; resolves to the release function.
   * Aborting the signal removes the caller from the queue and rejects with DYNASQL_ERR_CANCELLED.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    let waiting = false;
    const holdBack = () => {
      if (waiting) return;
      waiting = true;
      if (this.waitingCallers++ === 0) this.waitingSince = this.clock.now();
    };
    try {
      for (;;) {
        throwIfAborted(signal);
        if (this.inFlight >= Math.floor(this.concurrency)) {
          // queueing for a slot is ordinary work, not throttling: it is not counted in heldBackMs
          await this.waitForSlot(signal);
          continue;
        }
        const now = this.clock.now();
        const readyAt = Math.max(this.pausedUntil, this.rate ? this.nextTokenAt : 0);
        if (readyAt > now) {
          holdBack();
          await this.clock.sleep(readyAt - now, signal);
          continue;
        }
        if (this.rate) {
          // keep to the schedule: a timer that woke late (setTimeout's usual 1-3 ms, or a busy event loop) is
          // made up on the next requests, but only up to one interval or 50 ms, so no real burst builds up
          const interval = 1000 / this.rate;
          this.nextTokenAt = Math.max(this.nextTokenAt, now - Math.max(interval, MAX_CATCH_UP_MS)) + interval;
        }
        this.inFlight++;
        if (this.maxRate === undefined) this.starts.push(now);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          this.inFlight--;
          this.wakeWaiters();
        };
      }
    } catch (error) {
      throw cancelled(signal, error);
    } finally {
      if (waiting && --this.waitingCallers === 0) this.waitedMs += this.clock.now() - this.waitingSince;
    }
  }

  /** A 429: pause new requests for `retryAfterMs`, then resume at half the concurrency and rate. */
  onThrottled(retryAfterMs: number): void {
    const now = this.clock.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    // the 429s of requests that were in flight together are one event: decrease once per event
    if (now < this.lastDecreaseAt + Math.max(1000, retryAfterMs)) return;
    this.lastDecreaseAt = now;
    this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
    const before = this.maxRate !== undefined ? (this.rate ?? this.maxRate) : Math.min(this.rate ?? Infinity, this.observedRate(now));
    // no rate configured: start from half the rate the server accepted lately (up to 10 s back), then grow
    this.rate = Math.max(this.maxRate !== undefined ? this.maxRate / 8 : 1, before / 2);
    this.rateStep = (this.maxRate ?? before) / 20;
  }

  /** wall-clock ms during which at least one caller was held back by the rate or a 429 pause (a wait going on now included) */
  heldBackMs(): number {
    return this.waitedMs + (this.waitingCallers > 0 ? this.clock.now() - this.waitingSince : 0);
  }

  /** A success: grow back toward the configured limits (about +1 concurrency per window of successes). */
  onSuccess(headers?: Record<string, string>): void {
    this.concurrency = Math.min(this.maxConcurrency, this.concurrency + 1 / Math.max(1, this.concurrency));
    if (this.rate !== undefined) {
      // additive increase: back to a configured rate within ~20 successes; a learned rate keeps probing upward
      // a learned rate may probe upward, but never far past what is actually being sent
      this.rate = this.maxRate !== undefined ? Math.min(this.maxRate, this.rate + this.rateStep) : Math.min(this.rate + this.rateStep, 2 * this.observedRate(this.clock.now()));
    }
    const remaining = headerNumber(headers, 'x-ms-ratelimit-burst-remaining-xrm-requests');
    if (remaining !== undefined && remaining < this.concurrency) this.concurrency = Math.max(1, remaining);
    // execution time left in the window, in ms (`1,199,990.00`): when it runs low, fewer requests at once
    const timeLeft = headerNumber(headers, 'x-ms-ratelimit-time-remaining-xrm-requests');
    if (timeLeft !== undefined && timeLeft < LOW_EXECUTION_TIME_MS) this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
    this.wakeWaiters();
  }

  /** requests per second started over the last LEARN_SPAN_MS (or since the first, if sooner) */
  private observedRate(now: number): number {
    while (this.starts.length > 0 && this.starts[0]! <= now - LEARN_SPAN_MS) this.starts.shift();
    if (this.starts.length < 2) return 1;
    return this.starts.length / (Math.max(1000, now - this.starts[0]!) / 1000);
  }

  private waitForSlot(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(wake);
        if (i !== -1) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      this.waiters.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes as many queued callers as there are free slots; each re-checks the limits itself. */
  private wakeWaiters(): void {
    let free = Math.floor(this.concurrency) - this.inFlight;
    while (free-- > 0 && this.waiters.length > 0) this.waiters.shift()!();
  }

}

function headerNumber(headers: Record<string, string> | undefined, name: string): number | undefined {
  const raw = headers?.[name];
  if (raw === undefined) return undefined;
  const value = Number(raw.replace(/,/g, ''));
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason;
}

function cancelled(signal: AbortSignal | undefined, error: unknown): unknown {
  if (error instanceof DynasqlError) return error;
  if (signal?.aborted) return abortError(signal);
  return error;
}

/** The DynasqlError for an aborted signal: TIMEOUT when a timeout fired, CANCELLED otherwise. */
export function abortError(signal: AbortSignal): DynasqlError {
  const reason = signal.reason as unknown;
  if (reason instanceof DynasqlError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new DynasqlError('DYNASQL_ERR_TIMEOUT', 'The statement timed out.', { cause: reason });
  }
  return new DynasqlError('DYNASQL_ERR_CANCELLED', 'The request was cancelled.', { cause: reason });
}
