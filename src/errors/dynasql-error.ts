import { ERROR_CODES, type ErrorCode } from './codes.js';

/** Where in the SQL text an error was found (1-based line and column, 0-based offset). */
export interface SqlPosition {
  offset: number;
  line: number;
  column: number;
}

export interface DynasqlErrorOptions {
  position?: SqlPosition;
  /** HTTP status and the service's own error code and message, when the service said no. */
  status?: number;
  serviceCode?: string;
  /** Free-form structured details (e.g. the failed rows of a write). Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type dynasql throws. `code` is stable (see codes.ts); `message` is for people.
 * Example: `new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', "Unknown table 'acount'. Did you mean 'account'?")`.
 */
export class DynasqlError extends Error {
  readonly code: ErrorCode;
  readonly sqlState: string;
  readonly position?: SqlPosition;
  readonly status?: number;
  readonly serviceCode?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DynasqlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DynasqlError';
    this.code = code;
    this.sqlState = ERROR_CODES[code];
    if (options.position) this.position = options.position;
    if (options.status !== undefined) this.status = options.status;
    if (options.serviceCode !== undefined) this.serviceCode = options.serviceCode;
    if (options.details) this.details = options.details;
  }

  static is(value: unknown, code?: ErrorCode): value is DynasqlError {
    return value instanceof DynasqlError && (code === undefined || value.code === code);
  }
}
