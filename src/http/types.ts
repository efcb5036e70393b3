/**
 * What the rest of the driver sees of HTTP: one `Executor` that sends requests through
 * auth ▸ throttle ▸ retry ▸ logging (composed in executor.ts as retry(auth(throttle(logging(undici)))),
 * so every retry is paced again and carries a fresh token). Knows HTTP, not SQL.
 * Build one with `createExecutor({ ...connectionOptions, auth })`.
 */

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** relative to the service root (`accounts?$select=name`) or absolute (a nextLink) */
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /**
   * Safe to send again after a timeout or reset: GET, PATCH/DELETE by key, and creates that carry a
   * client-generated primary key. Defaults to true for GET only.
   * A retried idempotent create answered "duplicate" (412/400 0x80040237), or a retried DELETE answered
   * 404, after an attempt that may have run, resolves as done (`alreadyDone: true`), not as an error.
   */
  idempotent?: boolean;
  /** Default true: a final status >= 400 rejects with the mapped DynasqlError (see mapServiceError). */
  throwOnError?: boolean;
  /** Per-request timeout override in ms (default: the connection's Timeout setting). */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  text(): string;
  json<T = unknown>(): T;
  /**
   * True when an earlier attempt of an idempotent write evidently succeeded (its retry found the record
   * already created, or already deleted); the status is then reported as 204.
   */
  alreadyDone?: boolean;
  /** attempts it took (1 = no retry) */
  attempts?: number;
}

/** Supplies bearer tokens; `forceRefresh` after a 401. Implemented in src/auth/. */
export interface TokenProvider {
  getToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
}

export interface ExecutorStats {
  /** attempts sent on the wire */
  requests: number;
  retries: number;
  /** 429 responses received */
  throttled: number;
  /** time spent waiting on the throttle and on Retry-After */
  throttledMs: number;
  inFlight: number;
  /** current adaptive limits */
  concurrency?: number;
  requestsPerSecond?: number;
}

export interface Executor {
  /** the service root, ending with `/` (`https://org.crm.dynamics.com/api/data/v9.0/`) */
  readonly serviceRoot: string;
  send(request: HttpRequest): Promise<HttpResponse>;
  stats(): ExecutorStats;
  /** writes through the connection's redacting log (1 statement summaries ... 5 connection details) */
  log?(level: 1 | 2 | 3 | 4 | 5, message: string): void;
  close(): Promise<void>;
}
