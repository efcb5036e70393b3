import { DynasqlError } from '../errors/index.js';
import type { Clock } from '../util/index.js';
import type { RequestBudget } from './request-budget.js';

/** below this much execution time left in the service's window, concurrency is halved */
const LOW_EXECUTION_TIME_MS = 20_000;
/** the most lateness the token bucket makes up for (see acquire) */
const MAX_CATCH_UP_MS = 50;
/**
 * Slack added to a learned request window: our send time is not the service's arrival time, and the
 * two drift by a few ms from request to request. 100 ms + 0.2 % is ~1 % of a 10 s window, 0.3 % of 300 s.
 */
const WINDOW_MARGIN_MS = 100;
const WINDOW_MARGIN_SHARE = 0.002;
/** a refusal inside the learned window widens the margin by half, up to 100 ms + 2 % */
const MAX_WINDOW_MARGIN_SHARE = 0.02;

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
  /** the concurrency limit learned from the service's concurrency error, once it has said so */
  concurrencyCeiling: number | undefined;
  rate: number | undefined;
  /** the request window learned from the service's request-count error: at most `limit` requests in any `spanMs` (+ `marginMs`) */
  window: { limit: number; spanMs: number; marginMs: number } | undefined;
  inFlight: number;
  queued: number;
  pausedUntil: number;
}

/** What a 429 said, as far as pacing goes (read from the answer by service-error.ts `readThrottleReply`). */
export interface ThrottleSignal {
  retryAfterMs: number;
  /** which limit: concurrent requests, execution time, request count, or one the answer does not name */
  kind: 'concurrency' | 'execution-time' | 'requests' | 'unknown';
  /** the limit's numbers, when the service's message gives them ("… the limit of 52", "… 6000 over time window of 300 seconds"; execution time in ms) */
  limit?: number;
  windowSeconds?: number;
}

/** One admitted request: call it when the answer is in. `sentAt` and `seq` let a 429 be matched to what was sent. */
export type Permit = (() => void) & { readonly sentAt: number; readonly seq: number };

/** when the service counted one of our requests, as far as we can tell (see `onSuccess`) */
interface Counted {
  at: number;
}

interface Live {
  seq: number;
  sentAt: number;
  counted: Counted;
  /** the most of our requests in flight at once while this one was (itself included) */
  peak: number;
}

/**
 * Client-side pacing that keeps below the service-protection limits instead of tripping them again
 * and again. Each limit is learned from what the service says when it is reached, and kept:
 *
 * - Concurrent requests (0x80072326): the ceiling is read from the error ("exceeded the limit of 5"),
 *   or, when the message does not give it, worked out from how many of ours were in flight minus how
 *   many of them were refused. Concurrency never climbs above it again. Nothing else pauses: the
 *   refused request alone waits its Retry-After.
 * - Request count (0x80072322): everyone pauses until Retry-After, then goes on at full speed within
 *   the learned window: at most `limit` requests in any `spanMs`, mirroring the service's sliding
 *   window with our own send times. The numbers come from the error ("the limit of 6000 over time
 *   window of 300 seconds"), or else from the budget in `x-ms-ratelimit-burst-remaining-xrm-requests`
 *   and the Retry-After. With neither, the pause is all: the next request goes at full speed.
 *   While the budget header says the window is used up and no window is known yet, one request at a
 *   time probes it, so the first trip costs one 429 instead of a volley.
 * - Execution time (0x80072321, or a low `x-ms-ratelimit-time-remaining-xrm-requests`): pause for
 *   Retry-After and halve concurrency; each success adds back a little, up to the ceiling.
 * - A configured rate (`Requests Per Second`, `Nodes`) is a token bucket holding one token, so
 *   requests leave evenly spaced; a 429 halves it and successes grow it back within ~20 requests.
 */
export class AdaptiveThrottle implements RequestBudget {
  private readonly maxConcurrency: number;
  private readonly maxRate: number | undefined;
  private ceiling: number;
  private ceilingLearned = false;
  private concurrency: number;
  private rate: number | undefined;
  private inFlight = 0;
  private nextTokenAt = 0;
  private pausedUntil = 0;
  private readonly waiters: Array<() => void> = [];
  /** additive increase per success: a twentieth of the configured rate */
  private readonly rateStep: number;
  private lastRateDecreaseAt = -Infinity;
  private lastConcurrencyDecreaseAt = -Infinity;
  private waitingCallers = 0;
  private waitingSince = 0;
  private waitedMs = 0;

  private seq = 0;
  private readonly live = new Map<number, Live>();
  /** our requests the service may have counted (429s removed), oldest first */
  private readonly sent: Counted[] = [];
  private sentHead = 0;
  private window: { limit: number; spanMs: number } | undefined;
  private windowMarginMs = 0;
  /** the largest request budget the service reported (remaining + 1), and the latest report */
  private budget: number | undefined;
  private reported: { seq: number; remaining: number } | undefined;
  /** concurrency refusals of one volley: those sent before the volley's first refusal came back */
  private volley: { lastSeq: number; peak: number; refused: number } | undefined;

  constructor(settings: ThrottleSettings, private readonly clock: Clock) {
    this.maxConcurrency = Math.max(1, Math.min(52, Math.floor(settings.maxConcurrency)));
    const rates = [settings.requestsPerSecond, settings.nodes].filter((r): r is number => r !== undefined && r > 0);
    this.maxRate = rates.length > 0 ? Math.min(...rates) : undefined;
    this.ceiling = this.maxConcurrency;
    this.concurrency = this.maxConcurrency;
    this.rate = this.maxRate;
    this.rateStep = (this.maxRate ?? 0) / 20;
  }

  state(): ThrottleState {
    return {
      concurrency: Math.floor(this.concurrency), concurrencyCeiling: this.ceilingLearned ? this.ceiling : undefined, rate: this.rate,
      window: this.window ? { ...this.window, marginMs: this.windowMarginMs } : undefined, inFlight: this.inFlight, queued: this.waiters.length, pausedUntil: this.pausedUntil,
    };
  }

  /**
   * Waits for a free slot, the end of any 429 pause, room in the learned window and a rate token;
   * resolves to the permit (call it when the answer is in). Aborting the signal removes the caller from
   * the queue and rejects with DYNASQL_ERR_CANCELLED.
   */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    let waiting = false;
    const holdBack = () => {
      if (waiting) return;
      waiting = true;
      if (this.waitingCallers++ === 0) this.waitingSince = this.clock.now();
    };
    try {
      for (;;) {
        throwIfAborted(signal);
        if (this.inFlight >= this.slots()) {
          // queueing for a slot is ordinary work, not throttling: it is not counted in heldBackMs
          await this.waitForSlot(signal);
          continue;
        }
        const now = this.clock.now();
        const readyAt = Math.max(this.pausedUntil, this.rate ? this.nextTokenAt : 0, this.windowRoomAt(now));
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
        return this.admit(now);
      }
    } catch (error) {
      throw cancelled(signal, error);
    } finally {
      if (waiting && --this.waitingCallers === 0) this.waitedMs += this.clock.now() - this.waitingSince;
    }
  }

  /**
   * A 429 for `permit`'s request (call before releasing the permit). Answers whether everyone pauses
   * (`'paused'`) or only this request waits its Retry-After (`'alone'`: a concurrency refusal).
   */
  onThrottled(signal: ThrottleSignal, permit?: Permit): 'paused' | 'alone' {
    const now = this.clock.now();
    const live = permit ? this.live.get(permit.seq) : undefined;
    if (live) this.forgetSent(live.counted);
    if (signal.kind === 'concurrency') {
      this.learnCeiling(signal, live);
      return 'alone';
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + signal.retryAfterMs);
    if (signal.kind === 'execution-time') {
      // once per volley: the requests in flight together are refused together
      if (now >= this.lastConcurrencyDecreaseAt + Math.max(1000, signal.retryAfterMs)) {
        this.lastConcurrencyDecreaseAt = now;
        this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
      }
    } else {
      this.learnWindow(signal, now);
    }
    if (this.maxRate !== undefined && now >= this.lastRateDecreaseAt + Math.max(1000, signal.retryAfterMs)) {
      // the 429s of requests that were in flight together are one event: the configured rate halves once
      this.lastRateDecreaseAt = now;
      this.rate = Math.max(this.maxRate / 8, (this.rate ?? this.maxRate) / 2);
    }
    return 'paused';
  }

  /** wall-clock ms during which at least one caller was held back by the rate, the window or a 429 pause (a wait going on now included) */
  heldBackMs(): number {
    return this.waitedMs + (this.waitingCallers > 0 ? this.clock.now() - this.waitingSince : 0);
  }

  /** holds nothing open */
  async close(): Promise<void> {}

  /** A success: grow back toward the ceiling and the configured rate; read the service's budget headers. */
  onSuccess(headers?: Record<string, string>, permit?: Permit): void {
    this.concurrency = Math.min(this.ceiling, this.concurrency + 1 / Math.max(1, this.concurrency));
    if (this.rate !== undefined && this.maxRate !== undefined) this.rate = Math.min(this.maxRate, this.rate + this.rateStep);
    const live = permit ? this.live.get(permit.seq) : undefined;
    // until a window is known, a request counts from its answer: the first ones wait for new connections
    // (and TLS), so their send time can be far earlier than the service's count, and a window replayed
    // from send times would run ahead of the service's at its very start. Once known, send times (plus
    // the margin) are close enough, and do not add a round trip to every window.
    if (live && this.window === undefined) live.counted.at = this.clock.now();
    const remaining = headerNumber(headers, 'x-ms-ratelimit-burst-remaining-xrm-requests');
    if (remaining !== undefined) {
      this.budget = Math.max(this.budget ?? 0, remaining + 1);
      const seq = permit?.seq ?? this.seq;
      if (!this.reported || seq >= this.reported.seq) this.reported = { seq, remaining };
    }
    // execution time left in the window, in ms (`1,199,990.00`): when it runs low, fewer requests at once
    const timeLeft = headerNumber(headers, 'x-ms-ratelimit-time-remaining-xrm-requests');
    if (timeLeft !== undefined && timeLeft < LOW_EXECUTION_TIME_MS) this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
    this.wakeWaiters();
  }

  private admit(now: number): Permit {
    const seq = ++this.seq;
    this.inFlight++;
    for (const other of this.live.values()) other.peak = Math.max(other.peak, this.inFlight);
    const counted = { at: now };
    this.live.set(seq, { seq, sentAt: now, counted, peak: this.inFlight });
    this.sent.push(counted);
    this.compactSent();
    let released = false;
    return Object.assign(() => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.live.delete(seq);
      this.wakeWaiters();
    }, { sentAt: now, seq });
  }

  /** slots for requests in flight now: the concurrency, or one probe while the budget says the window is used up */
  private slots(): number {
    if (this.window === undefined && this.reported !== undefined && this.reported.remaining - (this.seq - this.reported.seq) <= 0) return 1;
    return Math.floor(this.concurrency);
  }

  /** when the learned window has room for one more request (now or earlier when it has room already) */
  private windowRoomAt(now: number): number {
    const window = this.window;
    if (!window) return 0;
    const span = window.spanMs + this.windowMarginMs;
    while (this.sentHead < this.sent.length && this.sent[this.sentHead]!.at <= now - span) this.sentHead++;
    this.compactSent();
    const count = this.sent.length - this.sentHead;
    if (count < window.limit) return 0;
    return this.sent[this.sent.length - window.limit]!.at + span;
  }

  private learnCeiling(signal: ThrottleSignal, live: Live | undefined): void {
    let ceiling: number | undefined = signal.limit;
    if (ceiling === undefined && live) {
      // the service had at least its limit in flight when it refused this one; of ours in flight with it,
      // those refused in the same volley were never counted by it
      if (!this.volley || live.seq > this.volley.lastSeq) this.volley = { lastSeq: this.seq, peak: live.peak, refused: 0 };
      this.volley.refused++;
      this.volley.peak = Math.max(this.volley.peak, live.peak);
      ceiling = this.volley.peak - this.volley.refused;
    }
    if (ceiling === undefined) return;
    this.ceiling = Math.max(1, Math.min(this.ceiling, Math.floor(ceiling)));
    this.ceilingLearned = true;
    this.concurrency = Math.min(this.concurrency, this.ceiling);
  }

  private learnWindow(signal: ThrottleSignal, now: number): void {
    // answered requests count from their answers, the rest from their sends: put them in order once
    if (this.window === undefined) this.sent.splice(this.sentHead).sort((a, b) => a.at - b.at).forEach((c) => this.sent.push(c));
    if (signal.limit !== undefined && signal.windowSeconds !== undefined) {
      const spanMs = signal.windowSeconds * 1000;
      if (this.window?.limit === signal.limit && this.window.spanMs === spanMs) {
        // refused within the very window we keep to: our send times ran ahead of the service's count
        // (a busy event loop, a slow connection), so leave more room from now on
        this.windowMarginMs = Math.min(this.windowMarginMs * 1.5, WINDOW_MARGIN_MS + spanMs * MAX_WINDOW_MARGIN_SHARE);
        return;
      }
      this.setWindow(signal.limit, spanMs);
      return;
    }
    const count = this.sent.length - this.sentHead;
    if (this.window) {
      // refused within a window we keep to: others share the budget; keep to what we got through
      this.setWindow(Math.max(1, Math.min(this.window.limit, count)), this.window.spanMs);
      return;
    }
    // from the budget header: the window holds our last `budget` requests; the oldest of them leaves it
    // when Retry-After has passed, so that is how long the window is
    const budget = this.budget;
    const estimate = this.reported ? this.reported.remaining - (this.seq - this.reported.seq) : undefined;
    if (budget === undefined || estimate === undefined || estimate > 1 || count < budget) return;
    const oldest = this.sent[this.sent.length - budget]!.at;
    this.setWindow(budget, now + signal.retryAfterMs - oldest);
  }

  private setWindow(limit: number, spanMs: number): void {
    this.window = { limit, spanMs };
    this.windowMarginMs = Math.max(this.windowMarginMs, WINDOW_MARGIN_MS + spanMs * WINDOW_MARGIN_SHARE);
  }

  /** a refused request was never counted by the service */
  private forgetSent(counted: Counted): void {
    const i = this.sent.lastIndexOf(counted);
    if (i >= this.sentHead) this.sent.splice(i, 1);
  }

  /** keeps the log to what a window can still count, or to the budget before a window is known */
  private compactSent(): void {
    const keep = this.window ? this.sent.length - this.sentHead : Math.max(this.budget ?? 0, 64) + this.maxConcurrency;
    const drop = Math.max(this.sentHead, this.sent.length - keep);
    if (drop > 1024 || (drop > 0 && drop * 2 > this.sent.length)) {
      this.sent.splice(0, drop);
      this.sentHead = Math.max(0, this.sentHead - drop);
    }
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
    let free = this.slots() - this.inFlight;
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
