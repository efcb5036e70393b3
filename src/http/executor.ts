import { request as undiciRequest, type Dispatcher } from 'undici';
import { DynasqlError } from '../errors/index.js';
import { systemClock, type Clock } from '../util/index.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { createDispatcher, type DispatcherSettings } from './dispatcher.js';
import { createLogger, type Logger, type LoggerSettings } from './logger.js';
import { headersForLog } from './redact.js';
import {
  isNotSentError,
  isRefusedError,
  isTransientTransportError,
  mapServiceError,
  mapTransportError,
  readThrottleReply,
} from './service-error.js';
import { AdaptiveThrottle, abortError, type ThrottleSettings, type ThrottleState } from './throttle.js';
import { tokenIdentity } from './budget-namespace.js';
import type { RequestBudget } from './request-budget.js';
import { SharedBudget } from './shared-budget.js';
import type { Executor, ExecutorStats, HttpRequest, HttpResponse, TokenProvider } from './types.js';

/**
 * What `createExecutor` reads. The field names are those of ConnectionOptions, so the connection can
 * pass its options straight through: `createExecutor({ ...options, auth: tokenProvider })`.
 */
export interface ExecutorSettings extends DispatcherSettings, ThrottleSettings, LoggerSettings {
  serviceRoot: string;
  maxRetries: number;
  /** total time one request may spend retrying, from the end of its first attempt */
  retryBudgetMs: number;
  requestTimeoutMs: number;
  /** where bearer tokens come from; none for the emulator without auth */
  auth?: TokenProvider;
  /** injectable edges: an undici dispatcher (MockAgent in unit tests), time, randomness, logger */
  dispatcher?: Dispatcher;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** first backoff step in ms (default 500: 250..500 ms, then 500..1000 ms, ...) */
  backoffBaseMs?: number;
  /** `Throttle Store`: a Redis URL where every process of the same org and user shares one request budget */
  throttleStore?: string;
}

/** A request after URL resolution and default headers; what each policy passes inward. */
interface Prepared {
  method: HttpRequest['method'];
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** the caller's cancellation (statement timeout included); stops queued and in-flight attempts */
  signal: AbortSignal | undefined;
  /** the wire time one attempt may take; time queued in the throttle does not count */
  timeoutMs: number;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** a 429 the throttle turned into a pause for everyone (true), or one this request waits out alone (false) */
  pausedEveryone?: boolean;
}

type Send = (request: Prepared) => Promise<Reply>;

const DEFAULT_HEADERS = {
  accept: 'application/json',
  'odata-maxversion': '4.0',
  'odata-version': '4.0',
  'user-agent': 'dynasql/0.1',
};

/**
 * The executor every request goes through. Per attempt, from the outside in:
 *
 *   retry ( auth header ( throttle ( logging ( undici ) ) ) )
 *
 * Retry is the outer loop so that every new attempt is paced by the throttle again and carries a fresh
 * token; auth refreshes once on a 401; the throttle turns 429s into a shared pause; logging sees exactly
 * what went over the wire.
 */
export function createExecutor(settings: ExecutorSettings): Executor & { log: NonNullable<Executor['log']>; throttleState(): ThrottleState } {
  const clock = settings.clock ?? systemClock;
  const random = settings.random ?? Math.random;
  const logger = settings.logger ?? createLogger(settings);
  const ownsDispatcher = settings.dispatcher === undefined;
  const dispatcher = settings.dispatcher ?? createDispatcher(settings, logger);
  const root = new URL(settings.serviceRoot);
  const local = new AdaptiveThrottle(settings, clock);
  const auth = settings.auth;
  const throttle: RequestBudget = settings.throttleStore === undefined ? local : new SharedBudget(local, {
    url: settings.throttleStore, serviceRoot: root.href, clock, log: (level, message) => logger.log(level, message),
    // the service counts per user: the token's user, or the one anonymous caller of a service without sign-in
    identity: async () => (auth ? tokenIdentity(await auth.getToken()) : 'anonymous'),
  });
  const counters = { requests: 0, retries: 0, throttled: 0 };
  /** the service has answered at least once: until then a refused connection is a wrong address, not a hiccup */
  let reached = false;

  const attempt: Send = authHeader(settings.auth, root.origin, throttled(throttle, counters, clock, logged(logger, transport(dispatcher, counters))));

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const url = resolveUrl(request.url, root);
    const idempotent = request.idempotent ?? request.method === 'GET';
    const throwOnError = request.throwOnError ?? true;
    const timeoutMs = request.timeoutMs ?? settings.requestTimeoutMs;
    // the Retry Budget runs from the end of the first attempt: time queued behind the throttle is not retrying
    let retryingSince: number | undefined;
    const headers: Record<string, string> = { ...DEFAULT_HEADERS, ...lowerKeys(request.headers ?? {}) };
    if (request.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    let failures = 0;
    for (let n = 1; ; n++) {
      if (request.signal?.aborted) throw abortError(request.signal);
      let reply: Reply | undefined;
      let failure: unknown;
      try {
        reply = await attempt({ method: request.method, url, headers, ...(request.body !== undefined ? { body: request.body } : {}), signal: request.signal, timeoutMs });
      } catch (error) {
        if (request.signal?.aborted) throw abortError(request.signal);
        failure = error;
      }

      if (reply) {
        reached = true;
        const retryable = reply.status === 429 || (idempotent && [502, 503, 504].includes(reply.status));
        if (!retryable) {
          if (reply.status >= 400 && throwOnError) throw fail(reply);
          return toResponse(reply, n);
        }
      } else {
        const transient = isTransientTransportError(failure) || (failure as Error)?.name === 'TimeoutError';
        const safe = idempotent || isNotSentError(failure);
        if (!reached && isRefusedError(failure)) throw logFailure(refusedError(failure, url, settings));
        if (!transient || !safe) throw logFailure(mapTransportError(failure, { method: request.method, url: url.href }));
      }

      // schedule the next attempt, within both the attempt count and the time budget
      const retryAfter = reply ? parseRetryAfter(reply.headers['retry-after'], clock.now()) : undefined;
      const backoff = backoffDelay(n, random, settings.backoffBaseMs ?? 500);
      // a 429's Retry-After is waited out by the throttle (it pauses every request), except a concurrency
      // refusal, which this request waits out alone; without a Retry-After, back off
      const throttleHolds = reply?.status === 429 && retryAfter !== undefined && reply.pausedEveryone === true;
      const delay = throttleHolds ? retryAfter : Math.max(retryAfter ?? 0, backoff);
      // Max Retries bounds retries after failures; 429s say when to come back and are bounded by the budget alone
      if (reply?.status !== 429) failures++;
      const outOfAttempts = failures > settings.maxRetries;
      retryingSince ??= clock.now();
      const outOfTime = clock.now() + delay - retryingSince > settings.retryBudgetMs;
      if (outOfAttempts || outOfTime) {
        if (reply) {
          if (throwOnError) throw fail(reply);
          return toResponse(reply, n);
        }
        throw logFailure(mapTransportError(failure, { method: request.method, url: url.href }));
      }
      counters.retries++;
      logger.log(2, `retry ${n}/${settings.maxRetries} of ${request.method} ${url.href} in ${delay} ms after ${reply ? `status ${reply.status}` : describe(failure)}`);
      if (!throttleHolds) {
        try {
          await clock.sleep(delay, request.signal);
        } catch {
          throw abortError(request.signal!);
        }
      }
    }

    function fail(reply: Reply): DynasqlError {
      return logFailure(mapServiceError({ status: reply.status, headers: reply.headers, body: decode(reply.body) }, { method: request.method, url: url.href, redact: logger.redact }));
    }
    function logFailure(error: DynasqlError): DynasqlError {
      logger.log(1, `error ${error.code}${error.status ? ` ${error.status}` : ''}${error.serviceCode ? ` ${error.serviceCode}` : ''}: ${error.message}`);
      return error;
    }
  }

  return {
    serviceRoot: root.href,
    send,
    stats(): ExecutorStats {
      const state = throttle.state();
      return {
        requests: counters.requests,
        retries: counters.retries,
        throttled: counters.throttled,
        throttledMs: Math.round(throttle.heldBackMs()),
        inFlight: state.inFlight,
        concurrency: state.concurrency,
        ...(state.rate !== undefined ? { requestsPerSecond: state.rate } : {}),
      };
    },
    log: (level, message) => logger.log(level, message),
    /** what the throttle has learned of the service's limits (for tests and diagnostics) */
    throttleState: () => throttle.state(),
    async close() {
      await throttle.close();
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/**
 * A connection refused before the service ever answered: retrying for a minute helps nobody when the
 * URL, the port or the proxy is wrong, so it fails at once and says what to check.
 */
function refusedError(failure: unknown, url: URL, settings: DispatcherSettings): DynasqlError {
  const proxied = settings.proxy !== undefined || (settings.useEnvProxy !== false && (settings.httpProxy !== undefined || settings.httpsProxy !== undefined));
  const proxyHint = proxied ? ' the proxy (the Proxy setting or HTTP(S)_PROXY) is running and reachable,' : '';
  return new DynasqlError(
    'DYNASQL_ERR_NETWORK',
    `Could not connect to ${url.host}: the connection was refused (ECONNREFUSED). Check that the Organization URL and its port are right,${proxyHint} and that the service is running there.`,
    { cause: failure, details: { transportCode: 'ECONNREFUSED' } },
  );
}

/** Adds `Authorization: Bearer` for the service's own origin only; on a 401, refreshes once and resends. */
function authHeader(auth: TokenProvider | undefined, origin: string, next: Send): Send {
  if (!auth) return next;
  return async (request) => {
    if (request.url.origin !== origin) return next(request);
    const token = await auth.getToken(request.signal ? { signal: request.signal } : {});
    const reply = await next({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });
    if (reply.status !== 401) return reply;
    const fresh = await auth.getToken({ forceRefresh: true, ...(request.signal ? { signal: request.signal } : {}) });
    return next({ ...request, headers: { ...request.headers, authorization: `Bearer ${fresh}` } });
  };
}

/** Paces attempts and feeds 429s, successes and rate-limit headers back into the throttle. */
function throttled(throttle: RequestBudget, counters: { throttled: number }, clock: Clock, next: Send): Send {
  return async (request) => {
    const permit = await throttle.acquire(request.signal);
    try {
      const reply = await next(request);
      if (reply.status === 429) {
        counters.throttled++;
        const pause = throttle.onThrottled(readThrottleReply({ headers: reply.headers, body: decode(reply.body) }, clock.now()), permit);
        return { ...reply, pausedEveryone: pause === 'paused' };
      }
      if (reply.status < 500) throttle.onSuccess(reply.headers, permit);
      return reply;
    } finally {
      permit();
    }
  };
}

const BODY_LOG_LIMIT = 16_384;

/** 2: request lines and timings, 3: headers, 4: bodies (all redacted by the logger). */
function logged(logger: Logger, next: Send): Send {
  if (!logger.enabled(2)) return next;
  return async (request) => {
    const started = performance.now();
    logger.log(2, `→ ${request.method} ${request.url.href}`);
    if (logger.enabled(3)) logger.log(3, headersForLog(request.headers));
    if (logger.enabled(4) && request.body !== undefined) logger.log(4, clip(typeof request.body === 'string' ? request.body : decode(request.body)));
    try {
      const reply = await next(request);
      logger.log(2, `← ${reply.status} ${request.method} ${request.url.href} ${Math.round(performance.now() - started)} ms ${reply.body.byteLength} bytes`);
      if (logger.enabled(3)) logger.log(3, headersForLog(reply.headers));
      if (logger.enabled(4) && reply.body.byteLength > 0) logger.log(4, clip(decode(reply.body)));
      return reply;
    } catch (error) {
      logger.log(2, `✕ ${request.method} ${request.url.href} ${Math.round(performance.now() - started)} ms ${describe(error)}`);
      throw error;
    }
  };
}

/** The wire: undici `request()` over the pooled dispatcher, body read in full. */
function transport(dispatcher: Dispatcher, counters: { requests: number }): Send {
  return async (request) => {
    counters.requests++;
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let response: Dispatcher.ResponseData;
    let body: Uint8Array;
    try {
      response = await undiciRequest(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal,
        dispatcher,
      });
      body = new Uint8Array(await response.body.arrayBuffer());
    } catch (error) {
      if (timeout.aborted && !request.signal?.aborted) {
        throw Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { name: 'TimeoutError', code: 'UND_ERR_HEADERS_TIMEOUT', cause: error });
      }
      throw error;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers, body };
  };
}

function resolveUrl(url: string, root: URL): URL {
  let resolved: URL;
  try {
    resolved = new URL(url, root);
  } catch {
    throw new DynasqlError('DYNASQL_ERR_INTERNAL', `Cannot form a request URL from '${url.slice(0, 200)}'.`);
  }
  if (resolved.origin !== root.origin) {
    // never send the connection's credentials (or its traffic) to a host a response named
    throw new DynasqlError('DYNASQL_ERR_SERVICE', `Refusing to follow a URL to another host (${resolved.host}); the service root is ${root.host}.`);
  }
  return resolved;
}

function toResponse(reply: Reply, attempts: number): HttpResponse {
  const { status, headers, body } = reply;
  return {
    status,
    headers,
    body,
    attempts,
    text: () => decode(body),
    json: <T>() => JSON.parse(decode(body)) as T,
  };
}

const decoder = new TextDecoder();
function decode(body: Uint8Array): string {
  return decoder.decode(body);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function clip(text: string): string {
  return text.length > BODY_LOG_LIMIT ? `${text.slice(0, BODY_LOG_LIMIT)} … (${text.length} characters)` : text;
}

function describe(error: unknown): string {
  const code = (error as { code?: string })?.code;
  return code ?? (error instanceof Error ? error.name : 'error');
}
