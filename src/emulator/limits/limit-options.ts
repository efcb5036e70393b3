/**
 * Service-protection limits the emulator enforces. Every limit is off unless set, so an emulator
 * started without `limits` never answers 429 on its own.
 *
 *   startEmulator({ limits: { requestsPerWindow: 100, windowSeconds: 2 } })
 *   // the 101st request by one user within any 2-second span gets 429 0x80072322
 */
export interface LimitOptions {
  /** Length of the sliding window in seconds (the service uses 300). */
  windowSeconds?: number;
  /** Requests one user may make per window (the service: 6,000). */
  requestsPerWindow?: number;
  /** Combined execution time in milliseconds one user may use per window (the service: 1,200,000). */
  executionTimeMsPerWindow?: number;
  /** Requests one user may have in flight at once (the service: 52). */
  concurrentRequests?: number;
  /**
   * The plain connector's model: each node serves `transactionsPerSecondPerNode` requests per second
   * (all users together); past `nodes × transactionsPerSecondPerNode` in one second the answer is 429.
   */
  connector?: { transactionsPerSecondPerNode: number; nodes: number };
  /**
   * Continued pressure extends Retry-After, as the service documents: each request refused while
   * already throttled adds this many seconds (default 0: Retry-After is exactly the time until the
   * window has room again, rounded up).
   */
  retryAfterPenaltySeconds?: number;
}

export const DEFAULT_WINDOW_SECONDS = 300;

/** Throws a plain Error naming the field when a limit is not a usable number. */
export function validateLimitOptions(options: LimitOptions): LimitOptions {
  const positive = (name: string, value: number | undefined, integer: boolean) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(`limits.${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
    }
  };
  positive('windowSeconds', options.windowSeconds, false);
  positive('requestsPerWindow', options.requestsPerWindow, true);
  positive('executionTimeMsPerWindow', options.executionTimeMsPerWindow, false);
  positive('concurrentRequests', options.concurrentRequests, true);
  if (options.connector) {
    positive('connector.transactionsPerSecondPerNode', options.connector.transactionsPerSecondPerNode, false);
    positive('connector.nodes', options.connector.nodes, true);
  }
  if (options.retryAfterPenaltySeconds !== undefined && !(options.retryAfterPenaltySeconds >= 0)) {
    throw new Error(`limits.retryAfterPenaltySeconds must be zero or more, got ${String(options.retryAfterPenaltySeconds)}`);
  }
  return options;
}

export function limitsEnabled(options: LimitOptions | undefined): boolean {
  return !!options && (options.requestsPerWindow !== undefined || options.executionTimeMsPerWindow !== undefined ||
    options.concurrentRequests !== undefined || options.connector !== undefined);
}
