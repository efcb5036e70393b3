/**
 * What the rest of the driver sees of HTTP: one `Executor` that sends requests through
 * auth ▸ throttle ▸ retry ▸ logging. Knows HTTP, not SQL.
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
   */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  text(): string;
  json<T = unknown>(): T;
}

export interface ExecutorStats {
  requests: number;
  retries: number;
  throttled: number;
  throttledMs: number;
  inFlight: number;
}

export interface Executor {
  /** the service root, ending with `/` (`https://org.crm.dynamics.com/api/data/v9.0/`) */
  readonly serviceRoot: string;
  send(request: HttpRequest): Promise<HttpResponse>;
  stats(): ExecutorStats;
  close(): Promise<void>;
}
