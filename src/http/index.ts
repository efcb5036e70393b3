export type { Executor, ExecutorStats, HttpRequest, HttpResponse, TokenProvider } from './types.js';
export { createExecutor, type ExecutorSettings } from './executor.js';
export { createDispatcher, type DispatcherSettings } from './dispatcher.js';
export { pages, type Page, type PagesOptions } from './pages.js';
export { statementScope } from './statement-scope.js';
export { releaseBody } from './release-body.js';
export {
  SERVICE_CODES,
  isDuplicateReply,
  mapServiceError,
  mapTransportError,
  parseServiceError,
  type ServiceReply,
} from './service-error.js';
export { createLogger, type LogLevel, type Logger, type LoggerSettings } from './logger.js';
export { createRedactor, MASK, type Redactor } from './redact.js';
export { AdaptiveThrottle, abortError, type Permit, type ThrottleSettings, type ThrottleSignal, type ThrottleState } from './throttle.js';
export { backoffDelay, parseRetryAfter } from './backoff.js';
