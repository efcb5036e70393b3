import { DynasqlError } from '../errors/index.js';
import type { Executor, HttpResponse } from './types.js';

export interface Page<Row = Record<string, unknown>> {
  /** the page's `value` array */
  rows: Row[];
  /** 0-based page number */
  index: number;
  /** `@odata.count` when the first page carried it */
  count?: number;
  /** the link the next page will be read from, if any */
  nextLink?: string;
  /** the whole decoded body (for other annotations such as `@Microsoft.Dynamics.CRM.totalrecordcount`) */
  body: Record<string, unknown>;
  response: HttpResponse;
}

export interface PagesOptions {
  /** sent as `Prefer: odata.maxpagesize=N` (Dataverse honours up to 5,000) */
  pageSize?: number;
  signal?: AbortSignal;
  /** extra headers for every page; a `Prefer` here is merged with the page size preference */
  headers?: Record<string, string>;
  /** stop after this many pages (a guard for callers that only need the first few) */
  maxPages?: number;
}

/**
 * The pages of a collection as an async iterator, following `@odata.nextLink` until there is none.
 * Pages are fetched one at a time, on demand, so a consumer that stops early stops the requests too.
 *
 *   for await (const page of pages(executor, 'accounts?$select=name', { pageSize: 500 })) use(page.rows);
 */
export async function* pages<Row = Record<string, unknown>>(executor: Executor, url: string, options: PagesOptions = {}): AsyncGenerator<Page<Row>> {
  const headers = { ...(options.headers ?? {}) };
  if (options.pageSize !== undefined) {
    if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
      throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Page size must be a positive whole number (got ${options.pageSize}).`);
    }
    const preferKey = Object.keys(headers).find((k) => k.toLowerCase() === 'prefer');
    const existing = preferKey ? headers[preferKey] : undefined;
    if (preferKey) delete headers[preferKey];
    headers.Prefer = [existing, `odata.maxpagesize=${options.pageSize}`].filter(Boolean).join(',');
  }
  const seen = new Set<string>();
  let next: string | undefined = url;
  for (let index = 0; next !== undefined; index++) {
    if (options.maxPages !== undefined && index >= options.maxPages) return;
    if (seen.has(next)) {
      // a service that hands back a link it already gave would loop forever; stop with a clear error
      throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service returned the same @odata.nextLink twice (page ${index + 1}); stopping.`);
    }
    seen.add(next);
    const response = await executor.send({ method: 'GET', url: next, headers, ...(options.signal ? { signal: options.signal } : {}) });
    let body: Record<string, unknown>;
    try {
      body = response.json<Record<string, unknown>>();
    } catch (error) {
      throw new DynasqlError('DYNASQL_ERR_SERVICE', `Page ${index + 1} is not valid JSON (${response.body.byteLength} bytes).`, { status: response.status, cause: error });
    }
    const rows = body.value;
    if (!Array.isArray(rows)) {
      throw new DynasqlError('DYNASQL_ERR_SERVICE', `Page ${index + 1} has no 'value' array.`, { status: response.status });
    }
    const link = body['@odata.nextLink'];
    next = typeof link === 'string' && link !== '' ? link : undefined;
    const count = body['@odata.count'];
    yield {
      rows: rows as Row[],
      index,
      ...(typeof count === 'number' ? { count } : {}),
      ...(next !== undefined ? { nextLink: next } : {}),
      body,
      response,
    };
  }
}
