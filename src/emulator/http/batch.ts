import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { ODataError, queryError } from '../errors.js';
import type { EmulatorState, ODataRequest, ODataResponse } from '../state.js';
import { boundaryOf, encodeMultipart, type MimePart, parseHttpMessage, parseMultipart, type ResponsePart } from './multipart.js';
import { parsePrefer } from './prefer.js';

export const MAX_BATCH_REQUESTS = 1000;

type Handle = (state: EmulatorState, req: ODataRequest) => ODataResponse;

/** A failed change set: its writes are undone, and this response stands for it. */
class ChangeSetFailed extends Error {
  constructor(readonly part: Extract<ResponsePart, { kind: 'http' }>) {
    super('change set failed');
  }
}

/**
 * `POST $batch` (protocol §4): runs the parts in order; a change set is atomic (rolled back as a
 * whole) and its Content-IDs can be referenced as `$1`. Without `Prefer: odata.continue-on-error`
 * the first failure stops the batch and the response is a 400 holding only that failure.
 */
export function handleBatch(state: EmulatorState, req: ODataRequest, handle: Handle): ODataResponse {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) throw queryError("The batch request must have a 'Content-Type' header of 'multipart/mixed' with a boundary.");
  const parts = parseMultipart(req.body, boundary);
  if (!parts) throw queryError(`The batch request body is not a valid multipart message: missing the closing delimiter '--${boundary}--'.`);
  const total = parts.reduce((n, p) => n + (boundaryOf(p.headers['content-type']) ? (parseMultipart(p.body, boundaryOf(p.headers['content-type'])!) ?? []).length : 1), 0);
  if (total > MAX_BATCH_REQUESTS) throw queryError(`The number of requests in the batch (${total}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  const continueOnError = parsePrefer(req.headers.prefer).continueOnError;
  const contentIds = new Map<string, string>();
  const responses: ResponsePart[] = [];

  for (const part of parts) {
    const changesetBoundary = boundaryOf(part.headers['content-type']);
    if (changesetBoundary) {
      const inner = parseMultipart(part.body, changesetBoundary);
      if (!inner) throw queryError(`The change set is not a valid multipart message: missing '--${changesetBoundary}--'.`);
      const result = runChangeSet(state, req, handle, inner, contentIds);
      if ('failure' in result) {
        if (!continueOnError) return batchResponse(400, [result.failure]);
        responses.push(result.failure);
      } else responses.push({ kind: 'changeset', boundary: `changesetresponse_${randomUUID()}`, parts: result.parts });
      continue;
    }
    const response = runPart(state, req, handle, part, contentIds, false);
    if (response.status >= 400 && !continueOnError) return batchResponse(400, [response]);
    responses.push(response);
  }
  return batchResponse(200, responses);
}

type HttpPart = Extract<ResponsePart, { kind: 'http' }>;

function runChangeSet(state: EmulatorState, req: ODataRequest, handle: Handle, parts: MimePart[], contentIds: Map<string, string>): { parts: ResponsePart[] } | { failure: HttpPart } {
  const knownIds = new Set(contentIds.keys());
  try {
    const results = state.store.atomically(() =>
      parts.map((part) => {
        const response = runPart(state, req, handle, part, contentIds, true);
        if (response.status >= 400) throw new ChangeSetFailed(response);
        return response;
      }));
    return { parts: results };
  } catch (error) {
    // The change set's records are gone, so are the Content-IDs that named them.
    for (const id of [...contentIds.keys()]) if (!knownIds.has(id)) contentIds.delete(id);
    if (error instanceof ChangeSetFailed) return { failure: error.part };
    throw error;
  }
}

function runPart(state: EmulatorState, outer: ODataRequest, handle: Handle, part: MimePart, contentIds: Map<string, string>, inChangeSet: boolean): Extract<ResponsePart, { kind: 'http' }> {
  const contentId = part.headers['content-id'];
  const message = parseHttpMessage(part.body);
  const m = /^([A-Z]+)\s+(.+?)(?:\s+HTTP\/\d\.\d)?$/.exec(message.startLine);
  let response: ODataResponse;
  if (!m) {
    response = errorPart(state, queryError(`The batch part's request line '${message.startLine.slice(0, 200)}' is not valid.`));
  } else if (inChangeSet && m[1] === 'GET') {
    response = errorPart(state, queryError('GET requests are not allowed inside a change set.'));
  } else {
    const target = locate(state, outer, m[2]!);
    if (target instanceof ODataError) response = errorPart(state, target);
    else {
      response = handle(state, {
        method: m[1]!, root: target.root, rest: target.rest, rawQuery: target.query, body: message.body,
        headers: { ...message.headers }, origin: outer.origin, user: outer.user, contentIds,
      });
    }
  }
  if (contentId !== undefined && response.status < 400) {
    const url = response.headers['OData-EntityId'] ?? response.headers.Location;
    if (url) contentIds.set(contentId, url);
  }
  const headers = { ...response.headers };
  if (headers['Content-Type']?.startsWith('application/json') && m?.[1] === 'GET') headers['Content-Type'] = 'application/json; odata.metadata=minimal; odata.streaming=true';
  if (headers['OData-EntityId'] && !headers.Location) headers.Location = headers['OData-EntityId'];
  return { kind: 'http', contentId, status: response.status, statusText: STATUS_CODES[response.status] ?? '', headers, body: response.body };
}

/** A part's URL: absolute, server-relative (`/api/data/v9.2/tasks`), root-relative, or `$1/...`. */
function locate(state: EmulatorState, outer: ODataRequest, url: string): { root: string; rest: string; query: string } | ODataError {
  const withoutOrigin = url.replace(/^[a-z]+:\/\/[^/]+/i, '');
  const q = withoutOrigin.indexOf('?');
  const path = q < 0 ? withoutOrigin : withoutOrigin.slice(0, q);
  const query = q < 0 ? '' : withoutOrigin.slice(q + 1);
  if (path.startsWith('/')) {
    const match = state.profile.matchRoot(path);
    if (match instanceof ODataError) return match;
    if (!match) return new ODataError(404, '0x80060888', `Resource not found for the segment '${path}'.`);
    return { root: match.root, rest: match.rest, query };
  }
  return { root: outer.root, rest: path, query };
}

function errorPart(state: EmulatorState, error: ODataError): ODataResponse {
  const { status, body } = state.profile.errorBody(error, 'write');
  return { status, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' }, body: JSON.stringify(body) };
}

function batchResponse(status: number, parts: ResponsePart[]): ODataResponse {
  const boundary = `batchresponse_${randomUUID()}`;
  return { status, headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, 'OData-Version': '4.0' }, body: encodeMultipart(boundary, parts) };
}
