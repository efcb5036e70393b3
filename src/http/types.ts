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
   * The executor reports a retry's answer as it came (a retried create may be answered "duplicate", a
   * retried DELETE 404): whether the earlier attempt did the work is the write path's decision
   * (connection/write-settle.ts), which reads the row back; `attempts` tells it a retry happened.
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
