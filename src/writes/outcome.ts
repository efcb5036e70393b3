/**
 * What became of each operation of a write, and the statement's verdict over all of them: the rows
 * written, or the error that says exactly what was and was not written.
 *
 * `summarize('INSERT', ops, [written, failed, written], { atomic: false, continueOnError: false })`
 * throws DYNASQL_ERR_PARTIAL_WRITE with `details.written === 2` and the failed row's key, code and
 * message; with `continueOnError: true` it returns `{ rowCount: 2, failures: [...] }` instead.
 */
import { DynasqlError } from '../errors/index.js';
import type { WriteOperation } from './types.js';

/** One operation's fate. `notFound`: the row was not there (0 rows affected, not a failure). */
export type Outcome =
  | { state: 'written'; body?: string }
  | { state: 'notFound' }
  | { state: 'failed'; error: DynasqlError }
  /** the request may or may not have been carried out (its answer was lost and could not be settled) */
  | { state: 'unconfirmed'; error: DynasqlError }
  /** not sent; `reason` when the statement stopped before sending it (cancelled, timed out) */
  | { state: 'notAttempted'; reason?: DynasqlError };

export interface WriteFailure {
  key: Record<string, unknown>;
  /** 0-based position of the row in the statement */
  row: number;
  code: string;
  message: string;
  serviceCode?: string;
}

export interface WriteSummary {
  rowCount: number;
  failures?: WriteFailure[];
  warnings?: string[];
}

/**
 * An atomic statement that failed wrote nothing (its error is the culprit's); otherwise a failure
 * with rows written is DYNASQL_ERR_PARTIAL_WRITE, unless the caller asked for continue-on-error,
 * which returns the failures instead. A write is never reported as success while rows failed silently.
 */
export function summarize(command: string, ops: readonly WriteOperation[], outcomes: readonly Outcome[], options: { atomic: boolean; continueOnError: boolean }): WriteSummary {
  // one pass: a cancelled 20,000-row INSERT is summarized on its way to settling, so this stays linear and allocates per failure only
  let written = 0;
  let unconfirmed = 0;
  let notAttempted = 0;
  const failures: WriteFailure[] = [];
  const writtenKeys: Record<string, unknown>[] = [];
  for (let i = 0; i < ops.length; i++) {
    const o = outcomes[i]!;
    if (o.state === 'written') {
      written++;
      writtenKeys.push(ops[i]!.key);
    } else if (o.state === 'notAttempted') {
      notAttempted++;
    } else if (o.state === 'failed' || o.state === 'unconfirmed') {
      if (o.state === 'unconfirmed') unconfirmed++;
      const message = o.state === 'unconfirmed' ? `not confirmed (the request may or may not have been carried out): ${o.error.message}` : o.error.message;
      failures.push({ key: ops[i]!.key, row: ops[i]!.row, code: o.error.code, message, ...(o.error.serviceCode ? { serviceCode: o.error.serviceCode } : {}) });
    }
  }
  if (failures.length === 0 && notAttempted === 0) return { rowCount: written };
  if (options.continueOnError && !options.atomic && notAttempted === 0) {
    return { rowCount: written, failures, warnings: [`${failures.length} of ${ops.length} rows failed; ${written} written`] };
  }
  // the first row that failed, else why the statement stopped before sending the rest
  const failed = outcomes.find((o) => o.state === 'failed' || o.state === 'unconfirmed') as { error: DynasqlError } | undefined;
  const stopped = outcomes.find((o) => o.state === 'notAttempted' && o.reason !== undefined) as { reason: DynasqlError } | undefined;
  const first = failed ?? (stopped ? { error: stopped.reason } : undefined);
  const details = {
    written, failed: failures.length - unconfirmed, unconfirmed, notAttempted, rows: ops.length, failures,
    writtenKeys,
  };
  if (written === 0 && unconfirmed === 0) {
    const what = options.atomic && ops.length > 1 ? 'the statement was rolled back; nothing was written' : 'nothing was written';
    throw new DynasqlError(first?.error.code ?? 'DYNASQL_ERR_SERVICE', `${command} failed (${what}): ${first?.error.message ?? 'no answer'}`, {
      ...(first?.error.status !== undefined ? { status: first.error.status } : {}),
      ...(first?.error.serviceCode ? { serviceCode: first.error.serviceCode } : {}),
      details, cause: first?.error,
    });
  }
  const parts = [`${failures.length - unconfirmed} failed`, ...(unconfirmed ? [`${unconfirmed} not confirmed`] : []), ...(notAttempted ? [`${notAttempted} not attempted`] : [])];
  throw new DynasqlError('DYNASQL_ERR_PARTIAL_WRITE',
    `${command} wrote ${written} of ${ops.length} rows: ${parts.join(', ')} (first: ${first?.error.message ?? 'unknown'}); see error.details`,
    { details, cause: first?.error });
}
