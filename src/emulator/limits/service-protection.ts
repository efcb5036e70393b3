import { SlidingWindow } from './sliding-window.js';
import { DEFAULT_WINDOW_SECONDS, validateLimitOptions, type LimitOptions } from './limit-options.js';

/** Which limit refused a request; each has its own documented code and message (see limit-responses.ts). */
export type LimitKind = 'requests' | 'execution-time' | 'concurrent' | 'connector';

export type AdmitDecision =
  | { admitted: true; ticket: LimitTicket; headers: Record<string, string> }
  | { admitted: false; kind: LimitKind; retryAfterSeconds: number };

/** Returned for an admitted request; call `release` once its response has been sent. */
export interface LimitTicket {
  release(now: number): void;
}

interface UserState {
  requests: SlidingWindow;
  executionMs: SlidingWindow;
  inFlight: number;
  /** Refusals since the last admitted request, for the growing Retry-After under continued pressure. */
  refusedInARow: number;
}

/**
 * The service-protection limiter: per user, a sliding window of request counts, a sliding window of
 * execution time, and a count of requests in flight; across all users, the connector's
 * transactions per second per node. Pure apart from its state: the caller passes the clock's `now`.
 *
 *   const l = new ServiceProtectionLimiter({ requestsPerWindow: 2, windowSeconds: 1 });
 *   l.admit('u', 0).admitted === true; l.admit('u', 1).admitted === true;
 *   l.admit('u', 2)  // { admitted: false, kind: 'requests', retryAfterSeconds: 1 }
 */
export class ServiceProtectionLimiter {
  private readonly users = new Map<string, UserState>();
  private readonly connectorWindow = new SlidingWindow(1000);
  private readonly windowMs: number;
  private inFlightTotal = 0;
  /** Highest number of requests in flight at once, over all users. */
  concurrentPeak = 0;

  constructor(private readonly options: LimitOptions) {
    validateLimitOptions(options);
    this.windowMs = (options.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1000;
  }

  admit(user: string, now: number): AdmitDecision {
    const state = this.stateOf(user);
    const refusal = this.firstRefusal(state, now);
    if (refusal) {
      state.refusedInARow++;
      const penalty = (this.options.retryAfterPenaltySeconds ?? 0) * (state.refusedInARow - 1);
      return { admitted: false, kind: refusal.kind, retryAfterSeconds: Math.max(1, Math.ceil(refusal.waitMs / 1000)) + penalty };
    }
    state.refusedInARow = 0;
    state.requests.add(now, 1);
    this.connectorWindow.add(now, 1);
    state.inFlight++;
    this.inFlightTotal++;
    this.concurrentPeak = Math.max(this.concurrentPeak, this.inFlightTotal);
    const headers = this.remainingHeaders(state, now);
    let released = false;
    const ticket: LimitTicket = {
      release: (end: number) => {
        if (released) return;
        released = true;
        state.inFlight--;
        this.inFlightTotal--;
        state.executionMs.add(end, Math.max(0, end - now));
      },
    };
    return { admitted: true, ticket, headers };
  }

  private firstRefusal(state: UserState, now: number): { kind: LimitKind; waitMs: number } | undefined {
    const o = this.options;
    // Concurrency is checked first: the service refuses it immediately, without the window's grace.
    if (o.concurrentRequests !== undefined && state.inFlight >= o.concurrentRequests) return { kind: 'concurrent', waitMs: 1000 };
    if (o.requestsPerWindow !== undefined && state.requests.total(now) >= o.requestsPerWindow) {
      return { kind: 'requests', waitMs: state.requests.msUntilTotalAtMost(now, o.requestsPerWindow - 1) };
    }
    if (o.executionTimeMsPerWindow !== undefined && state.executionMs.total(now) >= o.executionTimeMsPerWindow) {
      return { kind: 'execution-time', waitMs: state.executionMs.msUntilTotalAtMost(now, o.executionTimeMsPerWindow - 1) };
    }
    if (o.connector) {
      const capacity = o.connector.transactionsPerSecondPerNode * o.connector.nodes;
      if (this.connectorWindow.total(now) >= capacity) {
        return { kind: 'connector', waitMs: this.connectorWindow.msUntilTotalAtMost(now, Math.ceil(capacity) - 1) };
      }
    }
    return undefined;
  }

  /** Dataverse's debug headers: what is left of the request budget and of the execution-time budget. */
  private remainingHeaders(state: UserState, now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.options.requestsPerWindow !== undefined) {
      headers['x-ms-ratelimit-burst-remaining-xrm-requests'] = String(Math.max(0, this.options.requestsPerWindow - state.requests.total(now)));
    }
    if (this.options.executionTimeMsPerWindow !== undefined) {
      headers['x-ms-ratelimit-time-remaining-xrm-requests'] = String(Math.max(0, Math.round(this.options.executionTimeMsPerWindow - state.executionMs.total(now))));
    }
    return headers;
  }

  private stateOf(user: string): UserState {
    let state = this.users.get(user);
    if (!state) {
      state = { requests: new SlidingWindow(this.windowMs), executionMs: new SlidingWindow(this.windowMs), inFlight: 0, refusedInARow: 0 };
      this.users.set(user, state);
    }
    return state;
  }
}
