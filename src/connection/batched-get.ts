/**
 * One GET sent inside `POST $batch`, for a request whose URL is longer than the service takes on a
 * GET line (32 KB) but within what it takes inside a batch (64 KB): protocol doc §0, FetchXML doc
 * §1.5 ("a GET inside $batch"). The part's answer is handed back as if the GET had been sent alone;
 * a refused part is mapped as a refused request is (an aggregate over 50,000 rows stays
 * DYNASQL_ERR_AGGREGATE_LIMIT, so the plan's fallback still applies).
 */
import { randomUUID } from 'node:crypto';
import { DynasqlError } from '../errors/index.js';
import { mapServiceError, type Executor, type HttpResponse } from '../http/index.js';
import { batchContentType, decodeBatchResponse, encodeBatch } from '../odata/batch.js';

export async function sendInBatch(executor: Executor, request: { url: string; headers: Record<string, string>; signal?: AbortSignal }): Promise<HttpResponse> {
  const boundary = `batch_${randomUUID()}`;
  const url = /^https?:/i.test(request.url) ? request.url : `${executor.serviceRoot}${request.url}`;
  const body = encodeBatch([{ method: 'GET', url, headers: request.headers }], { boundary });
  const response = await executor.send({
    method: 'POST', url: '$batch', headers: { 'Content-Type': batchContentType(boundary), Accept: 'application/json' }, body, idempotent: true, signal: request.signal,
  });
  const part = decodeBatchResponse(response.headers['content-type'], response.text())?.[0];
  if (!part) throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service answered the $batch without a response part');
  if (part.status >= 400) throw mapServiceError({ status: part.status, headers: part.headers, body: part.body }, { method: 'GET', url: '$batch' });
  const bytes = Buffer.from(part.body);
  return { status: part.status, headers: part.headers, body: bytes, text: () => part.body, json: <T>() => JSON.parse(part.body) as T };
}
