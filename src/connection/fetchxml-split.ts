/**
 * Runs a FetchXML aggregate the service refused whole (over 50,000 input rows) by parts: the first
 * and last value of the split column (two one-row reads), then the aggregate over seven ranges
 * between them (the first also holding the rows where the column is null, the first and last open
 * at their outer end), a range refused again halved (at most six times), and the parts combined
 * (src/fetchxml/split.ts). A 200,000-row table spread over its dates takes 1 + 2 + 7 requests
 * including the refused one. What cannot be split throws DYNASQL_ERR_AGGREGATE_LIMIT, and the
 * plan's last resort (every row read, aggregated locally) runs.
 */
import { DynasqlError } from '../errors/index.js';
import { boundFetch, combineParts, fetchXmlUrl, parseFetchPage, rangeFetch, type XmlElement } from '../fetchxml/index.js';
import type { Executor } from '../http/index.js';
import { aggregateDecoderFor, sourceKey, type DecodedValue, type JsonValue } from '../odata/index.js';
import type { RemoteScanStep } from '../plan/index.js';
import { sendInBatch } from './batched-get.js';
import { groupsUntilCut } from './having-cut.js';
import { remotePages, type ScanCounters } from './remote-rows.js';

/**
 * ranges the first split makes; each refused range is halved. Seven: with the refused request and
 * the two bounds that is 10 requests for up to 350,000 rows spread over their dates (issue 18 asks
 * at most 10 for 200,000); more rows, or rows bunched in time, cost the halvings they need
 */
const PARTS = 7;
const MAX_HALVINGS = 6;

export async function* splitAggregatePages(executor: Executor, step: RemoteScanStep, signal: AbortSignal | undefined, counters: ScanCounters): AsyncGenerator<DecodedValue[][]> {
  const fx = step.fetchXml!;
  const spec = fx.split!;
  const keys = step.columns.map(sourceKey);
  const read = async (fetch: XmlElement, aggregate: boolean): Promise<Record<string, JsonValue>[]> => {
    const request = { method: 'GET' as const, url: fetchXmlUrl(fx.entitySet, fetch), headers: step.request.headers, signal };
    const response = fx.viaBatch ? await sendInBatch(executor, request) : await executor.send(request);
    counters.requests++;
    const rows = parseFetchPage(response.text(), aggregate ? keys : [spec.attribute], { entitySet: fx.entitySet, fetch, aggregate }, 0).rows;
    counters.rows += rows.length;
    return rows;
  };
  const [first, last] = await Promise.all([read(boundFetch(fx.fetch, spec.attribute, false), false), read(boundFetch(fx.fetch, spec.attribute, true), false)]);
  const low = Date.parse(String(first[0]?.[spec.attribute] ?? ''));
  const high = Date.parse(String(last[0]?.[spec.attribute] ?? '')) + 1;
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    throw new DynasqlError('DYNASQL_ERR_AGGREGATE_LIMIT', `The aggregate is over more rows than the service aggregates, and ${spec.attribute} has no values to split them by`);
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  const part = async (from: number | undefined, to: number | undefined, withNulls: boolean, halvings: number): Promise<Record<string, JsonValue>[][]> => {
    try {
      return [await read(rangeFetch(fx.fetch, spec.attribute, from === undefined ? undefined : iso(from), to === undefined ? undefined : iso(to), withNulls), true)];
    } catch (error) {
      const start = from ?? low;
      const end = to ?? high;
      if (!DynasqlError.is(error, 'DYNASQL_ERR_AGGREGATE_LIMIT') || halvings >= MAX_HALVINGS || end - start < 2) throw error;
      const middle = Math.floor((start + end) / 2);
      return [...await part(from, middle, withNulls, halvings + 1), ...await part(middle, to, false, halvings + 1)];
    }
  };
  const width = (high - low) / PARTS;
  const edges = Array.from({ length: PARTS - 1 }, (_, i) => Math.floor(low + width * (i + 1)));
  const ranges = Array.from({ length: PARTS }, (_, i) => part(i === 0 ? undefined : edges[i - 1], i === PARTS - 1 ? undefined : edges[i], i === 0, 0));
  const rows = combineParts((await Promise.all(ranges)).flat(), spec);
  const decoders = step.columns.map(aggregateDecoderFor);
  counters.pages++;
  yield rows.map((row) => keys.map((key, c) => decoders[c]!(row[key])));
  counters.onPage?.();
}

/**
 * Every group row of a FetchXML aggregate whose rows a local step finishes (HAVING, AVG, …): one
 * page (an aggregate has no next one), or, when the service refuses the aggregate whole, its parts
 * combined. Still refused: DYNASQL_ERR_AGGREGATE_LIMIT, and the caller runs the plan's last resort.
 */
export async function aggregateGroupRows(executor: Executor, step: RemoteScanStep, signal: AbortSignal | undefined, counters: ScanCounters): Promise<DecodedValue[][]> {
  // HAVING on a count: the first groups in the count's order may be all it keeps (having-cut.ts)
  const cut = step.fetchXml?.cut ? await groupsUntilCut(executor, step, signal, counters) : undefined;
  if (cut) return cut;
  const rows: DecodedValue[][] = [];
  try {
    for await (const page of remotePages(executor, step, signal, counters)) rows.push(...page);
    return rows;
  } catch (error) {
    if (!DynasqlError.is(error, 'DYNASQL_ERR_AGGREGATE_LIMIT') || !step.fetchXml?.split) throw error;
  }
  for await (const page of splitAggregatePages(executor, step, signal, counters)) rows.push(...page);
  return rows;
}
