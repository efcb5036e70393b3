/**
 * Reads one remote scan: the first page from the plan's URL, then each `@odata.nextLink`, one page
 * ahead of the caller. Pages are parsed keeping every digit the columns need (odata/json.ts) and
 * decoded into value arrays in the scan's column order, handed out a page at a time (an async step
 * per page, not per row). A consumer that stops early stops the requests too.
 */
import { releaseBody, type Executor, type HttpResponse } from '../http/index.js';
import { DynasqlError } from '../errors/index.js';
import { aggregateDecoderFor, applyNullGuards, decoderFor, JsonNumberText, pageLayout, parsePage, sliceText, sourceKey, type DecodedValue, type JsonValue } from '../odata/index.js';
import type { RemoteScanStep } from '../plan/index.js';
import type { Column } from '../catalog/types.js';
import { parseFetchPage, type FetchCursor, type FetchPage } from '../fetchxml/index.js';
import { sendInBatch } from './batched-get.js';

export interface ScanCounters {
  pages: number;
  requests: number;
  rows: number;
  /** called after each page is read and its rows handed out (progress reports) */
  onPage?: () => void;
}

/** a page's rows as value arrays in the columns' order (plain loops: this runs for every value read) */
function decodeRows(rows: readonly Record<string, JsonValue>[], keys: readonly string[], decoders: readonly ((raw: never) => DecodedValue)[]): DecodedValue[][] {
  const out: DecodedValue[][] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const raw = rows[r]!;
    const values: DecodedValue[] = new Array(keys.length);
    for (let c = 0; c < keys.length; c++) values[c] = decoders[c]!(raw[keys[c]!] as never);
    out[r] = values;
  }
  return out;
}

/**
 * Rows parsed and handed out at a time. A whole page (5,000 rows, ~1 MB of JSON) parsed at once lives
 * while the caller reads it, long enough to be promoted out of the young generation; slices of this
 * size die young (odata/page-layout.ts).
 */
const SLICE_ROWS = 500;

/** one page read: its row count, its next link, and its rows parsed on demand, slice `index` holding rows from `index * SLICE_ROWS` */
interface ReadPage {
  count: number;
  nextLink: string | undefined;
  slice(index: number): Record<string, JsonValue>[];
  /** the request of the next page of a keyed FetchXML read (fetchxml/key-paging.ts) */
  cursor?: FetchCursor;
  /** the bytes `slice` parses rows from, released once the page is read */
  body?: Uint8Array;
}

function readPage(response: HttpResponse, step: RemoteScanStep, read: readonly Column[], page: number, cursor: FetchCursor | undefined): ReadPage {
  // FetchXML pages carry no nextLink: the next page's request is made from the paging cookie
  const layout = step.fetchXml ? undefined : pageLayout(response.body, SLICE_ROWS);
  if (!layout) {
    const text = response.text();
    const parsed: FetchPage = step.fetchXml ? parseFetchPage(text, read.map(sourceKey), step.fetchXml, page, cursor) : parsePage(text, read);
    return { count: parsed.rows.length, nextLink: parsed.nextLink, slice: (index) => parsed.rows.slice(index * SLICE_ROWS, (index + 1) * SLICE_ROWS), cursor: parsed.cursor };
  }
  const { nextLink } = parsePage(layout.head, read);
  const body = response.body;
  return { count: layout.count, nextLink, slice: (index) => parsePage(sliceText(body, layout, index), read).rows, body };
}

/**
 * Collects the parents read through `$expand` (one row per parent key), in the parent's column
 * order, for the local engine: `expanded.get(parentScanId)`.
 */
export class ExpandedRows {
  private readonly rows = new Map<number, Map<string, DecodedValue[]>>();
  private readonly readers: { scanId: number; navigation: string; key: number; columns: [string, (raw: never) => DecodedValue][] }[];

  constructor(step: RemoteScanStep) {
    this.readers = (step.expand ?? []).map((e) => ({
      scanId: e.scanId, navigation: e.navigation, key: e.columns.indexOf(e.key), columns: e.columns.map((c) => [sourceKey(c), decoderFor(c)]),
    }));
    for (const e of step.expand ?? []) this.rows.set(e.scanId, new Map());
  }

  add(raw: Record<string, JsonValue>): void {
    for (const reader of this.readers) {
      const parent = raw[reader.navigation];
      if (!parent || typeof parent !== 'object' || Array.isArray(parent) || parent instanceof JsonNumberText) continue;
      const values = reader.columns.map(([key, decode]) => decode(parent[key] as never));
      this.rows.get(reader.scanId)!.set(String(values[reader.key]), values);
    }
  }

  get(scanId: number): DecodedValue[][] {
    return [...(this.rows.get(scanId)?.values() ?? [])];
  }
}

/**
 * The rows of one remote scan, page by page. While the caller consumes page N, page N+1 is already
 * being fetched (at most one page ahead), so the service's time and ours overlap instead of adding up.
 * When the caller stops early (`break`), the read-ahead request is aborted and no further page is requested.
 */
export async function* remotePages(
  executor: Executor,
  step: RemoteScanStep,
  signal: AbortSignal | undefined,
  counters: ScanCounters,
  expanded?: ExpandedRows,
  /** false: the next page is requested only when the caller asks for it (QueryOptions.readAhead) */
  readAhead = true,
  /**
   * set when the scan may be read as ranges instead (partitioned-pages.ts): a first page that comes
   * back full with a nextLink is left unread (`probe.more` set, no row handed out, no next page asked)
   */
  probe?: { more: boolean },
): AsyncGenerator<DecodedValue[][]> {
  const keys = step.columns.map(sourceKey);
  // an aggregate's results read by their SQL type (a SUM of money is money: no double's digits)
  const decoders = step.columns.map(step.aggregateOutputs || step.fetchXml?.aggregate ? aggregateDecoderFor : decoderFor);
  const stop = new AbortController();
  const requestSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const seen = new Set<string>();
  const fetchPage = async (url: string, page: number) => {
    if (seen.has(url)) throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service returned the same @odata.nextLink twice (page ${page + 1})`);
    // a nextLink read from a page may be a slice of that page's whole text (a V8 sliced string): keeping
    // it would keep every page (~2 MB per 5,000 rows) alive until the statement ends, so keep a flat copy
    seen.add(Buffer.from(url).toString());
    const request = { method: 'GET' as const, url, headers: step.request.headers, signal: requestSignal };
    // a FetchXML query longer than a GET line takes goes as the one part of a $batch
    const response = step.fetchXml?.viaBatch ? await sendInBatch(executor, request) : await executor.send(request);
    counters.requests++;
    return response;
  };
  try {
    if (step.countOnly) {
      // `/$count` answers with the number alone: `42`
      const text = (await fetchPage(step.request.url, 0)).text().trim();
      counters.pages++;
      if (!/^\d+$/.test(text)) throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service answered /$count with '${text.slice(0, 40)}'`);
      counters.rows++;
      counters.onPage?.();
      yield [[Number(text)]];
      return;
    }
    // the columns read from each page, the $expand parents' included (they sit inside each row)
    const read = [...step.columns, ...(step.expand ?? []).flatMap((e) => e.columns)];
    let pending: Promise<HttpResponse> | undefined = fetchPage(step.request.url, 0);
    // the request a keyed FetchXML page answered (a join's pages depend on it: fetchxml/key-paging.ts)
    let cursor: FetchCursor | undefined;
    let wanted = step.rowLimit ?? Infinity;
    /**
     * The page being read, cleared once its rows are handed out. A generator keeps a block's variables
     * in its frame until they are overwritten, so a page held in a `const` would still be alive while
     * the next one is awaited: V8 collects its young objects then (the wait is the first idle moment
     * after a page of allocations), and a page alive at two such collections, its ~1 MB body among
     * them, was promoted and kept until the next full collection.
     */
    let current: ReadPage | undefined;
    for (let page = 0; pending !== undefined; page++) {
      current = readPage(await pending, step, read, page, cursor);
      cursor = current.cursor;
      counters.pages++;
      if (probe && page === 0 && current.nextLink !== undefined && current.count < wanted) {
        probe.more = true;
        if (current.body) releaseBody(current.body);
        return;
      }
      // a row limit (TOP above the page size) ends the read once it is reached
      let count = current.count;
      if (count >= wanted) {
        count = wanted;
        current.nextLink = undefined;
      }
      wanted -= count;
      const nextLink = current.nextLink;
      pending = nextLink === undefined || !readAhead ? undefined : fetchPage(nextLink, page + 1);
      // the read-ahead's failure is reported when the caller reaches that page, not as an unhandled rejection now
      pending?.catch(() => undefined);
      for (let index = 0; index * SLICE_ROWS < count; index++) {
        let rows: Record<string, JsonValue>[] | undefined = current.slice(index);
        // the row limit may end the page inside this slice
        if (rows.length > count - index * SLICE_ROWS) rows.length = count - index * SLICE_ROWS;
        if (step.aggregateOutputs) applyNullGuards(rows, step.aggregateOutputs);
        if (expanded) for (const raw of rows) expanded.add(raw);
        counters.rows += rows.length;
        const decoded = decodeRows(rows, keys, decoders);
        // the parsed slice points into the page's text; only the decoded values are handed out
        rows = undefined;
        yield decoded;
      }
      if (current.body) releaseBody(current.body);
      current = undefined;
      counters.onPage?.();
      if (!readAhead && nextLink !== undefined) pending = fetchPage(nextLink, page + 1);
    }
  } finally {
    // the caller stopped (or the scan ended): abort a read-ahead request still in flight
    stop.abort(new DynasqlError('DYNASQL_ERR_CANCELLED', 'The row stream was closed.'));
  }
}

/**
 * A scan read in chunks of a long key list (RemoteScanStep.keyChunks: connection/subquery-keys.ts):
 * the rows of each chunk's request in turn, one chunk after another.
 */
export async function* chunkedPages(
  executor: Executor, step: RemoteScanStep, signal: AbortSignal | undefined, counters: ScanCounters, expanded?: ExpandedRows,
): AsyncGenerator<DecodedValue[][]> {
  for (const chunk of [step, ...(step.keyChunks ?? [])]) yield* remotePages(executor, chunk, signal, counters, expanded);
}
