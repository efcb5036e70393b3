import { DynasqlError, type ErrorCode } from '../errors/index.js';
import { forbiddenAdvice, unauthorizedAdvice } from './access-advice.js';
import { parseRetryAfter } from './backoff.js';
import type { ThrottleSignal } from './throttle.js';

/** What the service said, as far as error mapping needs it. */
export interface ServiceReply {
  status: number;
  headers?: Record<string, string>;
  /** the response body as text (JSON for Dataverse and F&O) */
  body?: string;
}

/** Dataverse HRESULTs the driver branches on (dataverse-protocol.md §5, §6). */
export const SERVICE_CODES = {
  objectDoesNotExist: '0x80040217',
  duplicateRecord: '0x80040237',
  duplicateRecordEntityKey: '0x80060892',
  concurrencyVersionMismatch: '0x80060882',
  aggregateQueryRecordLimit: '0x8004e023',
  requestsLimit: '0x80072322',
  executionTimeLimit: '0x80072321',
  concurrencyLimit: '0x80072326',
  /** ChangeTrackingNotEnabledForEntity: "Entity {0} isn't enabled for change tracking." */
  changeTrackingNotEnabled: '0x80072491',
  /** ExpiredVersionStamp: "Version stamp associated with the client has expired. Please perform a full sync." */
  expiredVersionStamp: '0x80044352',
} as const;

/** The service's own error code and message from a Dataverse or F&O error body. */
export function parseServiceError(body: string | undefined): { serviceCode?: string; message?: string } {
  if (!body) return {};
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; innererror?: { message?: unknown } } };
    const error = parsed?.error;
    if (!error || typeof error !== 'object') return {};
    const code = typeof error.code === 'string' && error.code !== '' ? error.code : undefined;
    let message = typeof error.message === 'string' ? error.message : undefined;
    // F&O leaves `code` empty and puts the useful part in innererror.message
    const inner = error.innererror && typeof error.innererror.message === 'string' ? error.innererror.message : undefined;
    if (inner && inner !== message) message = message ? `${message} ${inner}` : inner;
    return { ...(code ? { serviceCode: code } : {}), ...(message ? { message } : {}) };
  } catch {
    return {};
  }
}

/**
 * Which service-protection limit a 429 names, with its numbers when the message gives them:
 *   {"error":{"code":"0x80072326","message":"Number of concurrent requests exceeded the limit of 52."}}
 *   → { kind: 'concurrency', limit: 52, retryAfterMs }
 * F&O leaves the code empty (its messages are read the same way, "exeeded" included). Without a
 * Retry-After the pause is 1 s.
 */
export function readThrottleReply(reply: { headers?: Record<string, string>; body?: string }, now: number): ThrottleSignal {
  const retryAfterMs = parseRetryAfter(reply.headers?.['retry-after'], now) ?? 1000;
  const { serviceCode, message = '' } = parseServiceError(reply.body);
  const code = serviceCode?.toLowerCase();
  const concurrent = /concurrent requests exceeded the limit of ([\d,]+)/i.exec(message);
  if (code === SERVICE_CODES.concurrencyLimit || concurrent) {
    return { retryAfterMs, kind: 'concurrency', ...(concurrent ? { limit: readCount(concurrent[1]!) } : {}) };
  }
  if (code === SERVICE_CODES.executionTimeLimit || /execution time/i.test(message)) {
    // Dataverse: "… exceeded limit of 1,200,000  milliseconds over time window of 300 seconds"; F&O: "… of 1,200 seconds over …"
    const time = /limit of ([\d,]+)\s+(milliseconds|seconds) over (?:the )?time window of ([\d,.]+) seconds/i.exec(message);
    if (!time) return { retryAfterMs, kind: 'execution-time' };
    const limit = readCount(time[1]!) * (time[2]!.toLowerCase() === 'seconds' ? 1000 : 1);
    return { retryAfterMs, kind: 'execution-time', limit, windowSeconds: readCount(time[3]!) };
  }
  const requests = /requests ex\w*ed the limit of ([\d,]+) over (?:the )?time window of ([\d,.]+) seconds/i.exec(message);
  if (code === SERVICE_CODES.requestsLimit || requests) {
    return { retryAfterMs, kind: 'requests', ...(requests ? { limit: readCount(requests[1]!), windowSeconds: readCount(requests[2]!) } : {}) };
  }
  return { retryAfterMs, kind: 'unknown' };
}

function readCount(text: string): number {
  return Number(text.replace(/,/g, ''));
}

/** True for the answers that mean "a record with this key already exists". */
export function isDuplicateReply(reply: ServiceReply): boolean {
  if (reply.status < 400 || reply.status >= 500) return false;
  const code = parseServiceError(reply.body).serviceCode?.toLowerCase();
  return code === SERVICE_CODES.duplicateRecord || code === SERVICE_CODES.duplicateRecordEntityKey;
}

/**
 * The one mapping from a service error reply to a DynasqlError, keeping the service's message and code.
 *
 *   mapServiceError({ status: 404, body: '{"error":{"code":"0x80040217","message":"Entity ... Does Not Exist"}}' })
 *   // → DynasqlError DYNASQL_ERR_NOT_FOUND, serviceCode '0x80040217', status 404
 *
 * `redact` is applied to the message (service messages can echo request text).
 */
export function mapServiceError(reply: ServiceReply, context: { method?: string; url?: string; redact?: (t: string) => string } = {}): DynasqlError {
  const { serviceCode, message: serviceMessage } = parseServiceError(reply.body);
  const code = codeFor(reply.status, serviceCode);
  const redact = context.redact ?? ((t: string) => t);
  const fallback = reply.body && !reply.body.trimStart().startsWith('<') ? reply.body.slice(0, 300) : '';
  const text = serviceMessage ?? (fallback || `HTTP ${reply.status}`);
  const where = context.method && context.url ? ` (${context.method} ${stripQuery(context.url)})` : '';
  const retryAfter = reply.headers?.['retry-after'];
  const advice = reply.status === 401 ? unauthorizedAdvice(reply.headers?.['www-authenticate']) : reply.status === 403 ? forbiddenAdvice(serviceMessage) : undefined;
  const message =
    code === 'DYNASQL_ERR_THROTTLED'
      ? `The service is throttling requests and retries ran out${retryAfter ? ` (Retry-After ${retryAfter} s)` : ''}: ${text}`
      : advice
        ? `${reply.status === 401 ? 'Not authorized (HTTP 401)' : 'Access denied (HTTP 403)'}${where}${serviceMessage ? `: ${serviceMessage.replace(/\.\s*$/, '')}` : ''}. ${advice.text}`
        : text;
  return new DynasqlError(code, redact(advice ? message : `${message}${where}`), {
    status: reply.status,
    ...(serviceCode ? { serviceCode } : {}),
    ...(advice ? { details: { cause: advice.cause, ...(serviceCode ? { serviceCode } : {}), ...(serviceMessage ? { serviceMessage: redact(serviceMessage) } : {}) } } : {}),
  });
}

function codeFor(status: number, serviceCode: string | undefined): ErrorCode {
  const sc = serviceCode?.toLowerCase();
  if (status === 429) return 'DYNASQL_ERR_THROTTLED';
  if (status === 401) return 'DYNASQL_ERR_AUTH';
  if (status === 403) return 'DYNASQL_ERR_FORBIDDEN';
  if (sc === SERVICE_CODES.duplicateRecord || sc === SERVICE_CODES.duplicateRecordEntityKey) return 'DYNASQL_ERR_DUPLICATE';
  if (sc === SERVICE_CODES.concurrencyVersionMismatch) return 'DYNASQL_ERR_CONCURRENCY';
  if (sc === SERVICE_CODES.aggregateQueryRecordLimit) return 'DYNASQL_ERR_AGGREGATE_LIMIT';
  if (sc === SERVICE_CODES.changeTrackingNotEnabled) return 'DYNASQL_ERR_CHANGE_TRACKING_OFF';
  if (sc === SERVICE_CODES.expiredVersionStamp) return 'DYNASQL_ERR_CHANGE_TOKEN_EXPIRED';
  if (status === 412) return 'DYNASQL_ERR_CONCURRENCY';
  if (status === 404 && (sc === undefined || sc === SERVICE_CODES.objectDoesNotExist)) return 'DYNASQL_ERR_NOT_FOUND';
  if (status === 408 || status === 504) return 'DYNASQL_ERR_TIMEOUT';
  return 'DYNASQL_ERR_SERVICE';
}

/** Query strings can hold user values; error messages name the resource only. */
function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i === -1 ? url : `${url.slice(0, i)}?…`;
}

/** Transport failures (undici and Node socket errors) → DynasqlError NETWORK / TIMEOUT. */
export function mapTransportError(error: unknown, context: { method?: string; url?: string } = {}): DynasqlError {
  if (error instanceof DynasqlError) return error;
  const code = (error as { code?: string })?.code ?? '';
  const where = context.method && context.url ? ` (${context.method} ${stripQuery(context.url)})` : '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || (error as Error)?.name === 'TimeoutError') {
    return new DynasqlError('DYNASQL_ERR_TIMEOUT', `The request timed out${where}.`, { cause: error, details: { transportCode: code || 'TimeoutError' } });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new DynasqlError('DYNASQL_ERR_NETWORK', `Network error${code ? ` ${code}` : ''}: ${text}${where}`, { cause: error, details: { transportCode: code } });
}

/** Socket-level failures that say nothing about whether the server ran the request. */
export function isTransientTransportError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return [
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
  ].includes(code);
}

/** The server's port (or the proxy's) refused the connection. */
export function isRefusedError(error: unknown): boolean {
  return (error as { code?: string })?.code === 'ECONNREFUSED';
}

/** Failures where the request provably never reached the server, so any method may be sent again. */
export function isNotSentError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EAI_AGAIN';
}
