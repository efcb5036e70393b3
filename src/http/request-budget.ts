import type { Permit, ThrottleSignal, ThrottleState } from './throttle.js';

/**
 * What the executor's throttle policy asks of a budget (executor.ts `throttled`): a permit before each
 * attempt, then what the service answered. Two implementations: `AdaptiveThrottle` (this process's own
 * budget, learned from the service's 429s) and `SharedBudget` (the same, plus one budget in Redis shared
 * by every process of the same org and user, set with `Throttle Store`).
 *
 *   const permit = await budget.acquire(signal);
 *   try { reply.status === 429 ? budget.onThrottled(readThrottleReply(reply, now), permit) : budget.onSuccess(reply.headers, permit); }
 *   finally { permit(); }
 */
export interface RequestBudget {
  /** waits until the request may go; rejects with DYNASQL_ERR_CANCELLED when `signal` aborts */
  acquire(signal?: AbortSignal): Promise<Permit>;
  /** a 429 for `permit`'s request (before the permit is released): everyone pauses, or this request waits alone */
  onThrottled(signal: ThrottleSignal, permit?: Permit): 'paused' | 'alone';
  /** an answer that was not a 429 (nor a 5xx), with its headers (the service's remaining-budget headers) */
  onSuccess(headers?: Record<string, string>, permit?: Permit): void;
  /** what this process's throttle has learned (for stats, tests and diagnostics) */
  state(): ThrottleState;
  /** wall-clock ms callers were held back by pacing or a 429 pause */
  heldBackMs(): number;
  /** lets go of what the budget holds open (a Redis connection) */
  close(): Promise<void>;
}
