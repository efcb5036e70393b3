/**
 * Reads one remote scan: the first page from the plan's URL, then each `@odata.nextLink`, on
 * demand. Pages are parsed losslessly (odata/json.ts) and decoded into value arrays in the scan's
 * column order. A consumer that stops early stops the requests too.
 */
import type { Executor } from '../http/index.js';
import { DynasqlError } from '../errors/index.js';
import { decoderFor, parsePage, sourceKey, type DecodedValue } from '../odata/index.js';
import type { RemoteScanStep } from '../plan/index.js';

export interface ScanCounters {
  pages: number;
  requests: number;
  rows: number;
}

/** the column readers of a step: `[property key, decoder]` per output column */
function readers(step: RemoteScanStep): [string, (raw: never) => DecodedValue][] {
  return step.columns.map((c) => [sourceKey(c), decoderFor(c)]);
}

export async function* remoteRows(
  executor: Executor,
  step: RemoteScanStep,
  signal: AbortSignal | undefined,
  counters: ScanCounters,
): AsyncGenerator<DecodedValue[]> {
  const columns = readers(step);
  let url: string | undefined = step.request.url;
  const seen = new Set<string>();
  for (let page = 0; url !== undefined; page++) {
    if (seen.has(url)) throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service returned the same @odata.nextLink twice (page ${page + 1})`);
    seen.add(url);
    const response = await executor.send({ method: 'GET', url, headers: step.request.headers, ...(signal ? { signal } : {}) });
    counters.requests++;
    counters.pages++;
    const parsed = parsePage(response.text());
    for (const raw of parsed.rows) {
      counters.rows++;
      yield columns.map(([key, decode]) => decode(raw[key] as never));
    }
    url = parsed.nextLink;
  }
}
