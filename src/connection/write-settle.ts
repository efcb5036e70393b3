/**
 * Whether a write was done, decided by the write path when a retry blurred the answer: after a lost
 * answer the service may have carried out an earlier attempt, so the retry's refusal ("duplicate",
 * "not found", "etag moved on") can be the statement's own work, or a real error. Only what can be
 * proved counts as done:
 *
 * - a create answered "duplicate": done only when dynasql chose its key for this statement and the
 *   row, read back, holds the values sent. A key the user gave is a real duplicate (or, when the row
 *   holds exactly the values sent, "not confirmed"): never a success.
 * - a delete answered "not found": done when the statement read the row just before (it existed and
 *   is gone); a key nobody read is "not confirmed".
 * - an OPTIMISTIC update answered 412: done when the row, read back, holds the values sent (its etag
 *   moved on because of the earlier attempt); else the concurrency error stands.
 *
 *   settle(ctx, createOp, { status: 412, body: '{"error":{"code":"0x80040237",…}}' }, true)
 *   // → GET accounts(<id>)?$select=name,… → { state: 'written' } when name is what was sent
 */
import { DynasqlError } from '../errors/index.js';
import { isDuplicateReply, mapServiceError, type Executor } from '../http/index.js';
import type { Outcome, WriteOperation } from '../writes/index.js';

export interface Answer { status: number; headers: Record<string, string>; body: string }

/** How one answered operation went. `retried`: an earlier attempt of it may have run. */
export async function settle(executor: Executor, op: WriteOperation, answer: Answer, retried: boolean): Promise<Outcome> {
  if (answer.status >= 200 && answer.status < 300) return { state: 'written', ...(answer.body ? { body: answer.body } : {}) };
  const error = () => writeError(mapServiceError(answer, { method: op.method, url: op.url }));
  if (op.kind === 'create' && isDuplicate(answer)) return retried ? confirmCreate(executor, op, error()) : { state: 'failed', error: error() };
  if (answer.status === 404 && op.kind === 'delete') {
    if (!retried) return { state: 'notFound' };
    return op.existed ? { state: 'written' } : { state: 'unconfirmed', error: error() };
  }
  if (answer.status === 412 && (op.kind === 'update' || op.kind === 'upsert') && isEtag(op.headers['If-Match'])) {
    if (!retried) return { state: 'failed', error: error() };
    const seen = await confirm(executor, op);
    return seen === true ? { state: 'written' } : seen === false ? { state: 'failed', error: error() } : { state: 'unconfirmed', error: error() };
  }
  if (answer.status === 404 && (op.kind === 'update' || op.kind === 'upsert') && op.headers['If-Match'] === '*') return { state: 'notFound' };
  return { state: 'failed', error: error() };
}

async function confirmCreate(executor: Executor, op: WriteOperation, error: DynasqlError): Promise<Outcome> {
  const seen = await confirm(executor, op);
  if (seen === undefined) return { state: 'unconfirmed', error };
  if (!seen) return { state: 'failed', error };
  // the row holds what was sent: this statement's own earlier attempt only when it chose the key
  return op.ownKey ? { state: 'written' } : { state: 'unconfirmed', error };
}

/**
 * Reads the operation's row and says whether it is as the operation leaves it: a created or updated
 * row holds every value sent, a deleted row is gone. Undefined when the read itself fails.
 */
export async function confirm(executor: Executor, op: WriteOperation): Promise<boolean | undefined> {
  if (!op.rowUrl) return undefined;
  const names = Object.keys(op.applied ?? {});
  const [path, query] = splitQuery(op.rowUrl);
  const options = [...(query ? [query] : []), ...(names.length > 0 ? [`$select=${names.map(encodeURIComponent).join(',')}`] : [])];
  let response;
  try {
    response = await executor.send({ method: 'GET', url: `${path}${options.length ? `?${options.join('&')}` : ''}`, throwOnError: false });
  } catch {
    return undefined;
  }
  if (response.status === 404) return op.kind === 'delete';
  if (response.status >= 400) return undefined;
  if (op.kind === 'delete') return false;
  let row: Record<string, unknown>;
  try {
    row = response.json<Record<string, unknown>>();
  } catch {
    return undefined;
  }
  return names.every((name) => sameValue(op.applied![name], row[name]));
}

function splitQuery(url: string): [string, string | undefined] {
  const at = url.indexOf('?');
  return at < 0 ? [url, undefined] : [url.slice(0, at), url.slice(at + 1)];
}

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

/** a value sent and the value read back, as the service may spell it again (number text, GUID case, date precision) */
function sameValue(sent: unknown, stored: unknown): boolean {
  if (sent === stored) return true;
  if (sent === null || stored === null || sent === undefined || stored === undefined) return false;
  if (typeof sent === 'number' || typeof stored === 'number') return Number(sent) === Number(stored) && String(sent).trim() !== '' && String(stored).trim() !== '';
  if (typeof sent === 'string' && typeof stored === 'string') {
    if (GUID.test(sent) && GUID.test(stored)) return sent.replace(/[{}]/g, '').toLowerCase() === stored.replace(/[{}]/g, '').toLowerCase();
    if (ISO_DATE.test(sent) && ISO_DATE.test(stored)) return Date.parse(sent) === Date.parse(stored);
    return false;
  }
  return JSON.stringify(sent) === JSON.stringify(stored);
}

function isEtag(ifMatch: string | undefined): boolean {
  return ifMatch !== undefined && ifMatch !== '*';
}

/** Dataverse's "a record with matching key values already exists" (0x80040237 and the alternate-key form), or F&O's "The record already exists" */
function isDuplicate(answer: Answer): boolean {
  return isDuplicateReply(answer) || (answer.status === 500 && /the record already exists/i.test(answer.body));
}

/**
 * Dataverse reports a too-long string as the generic validation error 0x80044331 ("… exceeded the
 * maximum allowed length of '200'", protocol §5); that one case gets the specific code.
 */
export function writeError(error: DynasqlError): DynasqlError {
  if (error.serviceCode?.toLowerCase() !== '0x80044331' || !/maximum allowed length/i.test(error.message)) return error;
  return new DynasqlError('DYNASQL_ERR_VALUE_TOO_LONG', error.message, { ...(error.status !== undefined ? { status: error.status } : {}), serviceCode: error.serviceCode, cause: error });
}
