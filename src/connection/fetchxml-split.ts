/**
 * Runs a FetchXML aggregate the service refused whole (over 50,000 input rows) by parts: the first
 * and last value of the split column (a date, or the distinct counts' column: two one-row reads),
 * then the aggregate over seven ranges between them (the first and last open at their outer end,
 * the first also holding the rows where the column is null), a range refused again halved (at
 * most six times), and the parts combined (src/fetchxml/split.ts). The first range refused, its
 * nulls are read apart, and, refused too, split by `createdon` in the same way (a distinct count
 * of a column over its nulls is 0 in every part). A 200,000-row table spread over its dates takes
 * 1 + 2 + 7 requests including the refused one. A part of 5,000 groups, the most the service
 * answers (fetchxml/request.ts), is halved as a refused one is; but a distinct count of text or of a
 * key, which each part groups by its column (fetchxml/distinct-groups.ts), with that many values is
 * not split further (tooManyValues). What cannot be split throws
 * DYNASQL_ERR_AGGREGATE_LIMIT, and the plan's last resort (every row read, aggregated locally) runs.
 */
import { DynasqlError } from '../errors/index.js';
import { boundFetch, combineParts, distinctGroupFetch, fetchXmlUrl, nullsFetch, parseFetchPage, rangeFetch, scaleBounds, scaleEnd, scaleMiddle, scaleText, scaleValue, type SplitScale, type XmlElement } from '../fetchxml/index.js';
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

/**
 * The first and last values of split columns a statement has read, by request URL: the parts of one
 * statement (pushdown/parts-past-limit.ts) range the same rows by the same column, so the second
 * part reuses the first's bounds instead of asking again.
 */
export type SplitBounds = Map<string, Record<string, JsonValue>[]>;

export async function* splitAggregatePages(executor: Executor, step: RemoteScanStep, signal: AbortSignal | undefined, counters: ScanCounters, bounds: SplitBounds = new Map()): AsyncGenerator<DecodedValue[][]> {
  const fx = step.fetchXml!;
  const spec = fx.split!;
  const keys = step.columns.map(sourceKey);
  /**
   * a part of a distinct count's groups answered with 5,000 of them (the most the service answers):
   * the column has a value for every tenth of the part's rows or more, and each halving reads the
   * refused 5,000 groups again: for a column with about as many values as rows (names, e-mail
   * addresses) that is more than reading the rows, which the last resort then does (a bounded
   * waste: the bounds and the first ranges, at most 35,000 groups)
   */
  let tooManyValues = false;
  const read = async (fetch: XmlElement, valuesOf?: string): Promise<Record<string, JsonValue>[]> => {
    const request = { method: 'GET' as const, url: fetchXmlUrl(fx.entitySet, fetch), headers: step.request.headers, signal };
    const response = fx.viaBatch ? await sendInBatch(executor, request) : await executor.send(request);
    counters.requests++;
    try {
      const rows = parseFetchPage(response.text(), valuesOf ? [valuesOf] : keys, { entitySet: fx.entitySet, fetch, aggregate: !valuesOf }, 0).rows;
      counters.rows += rows.length;
      return rows;
    } catch (error) {
      // answered, but with as many groups as the service gives
      if (spec.distinctGroup && !valuesOf && refused(error)) tooManyValues = true;
      throw error;
    }
  };
  const refused = (error: unknown) => DynasqlError.is(error, 'DYNASQL_ERR_AGGREGATE_LIMIT');
  /** the rows of `fetch` where `attribute` is null: one part, or, refused, split by `nullsBy` */
  const nullParts = async (fetch: XmlElement, attribute: string): Promise<Record<string, JsonValue>[][]> => {
    const nulls = nullsFetch(fetch, attribute);
    try {
      return [await read(nulls)];
    } catch (error) {
      if (!refused(error) || tooManyValues || !spec.nullsBy || spec.nullsBy === attribute) throw error;
      return rangeParts(nulls, spec.nullsBy, 'instant');
    }
  };
  /** `fetch` over ranges of `attribute`, the nulls with the first range (apart when that is refused) */
  const rangeParts = async (fetch: XmlElement, attribute: string, scale: SplitScale): Promise<Record<string, JsonValue>[][]> => {
    const bound = async (descending: boolean) => {
      const request = boundFetch(fetch, attribute, descending);
      const key = fetchXmlUrl(fx.entitySet, request);
      const known = bounds.get(key);
      if (known) return known;
      const rows = await read(request, attribute);
      bounds.set(key, rows);
      return rows;
    };
    const [first, last] = await Promise.all([bound(false), bound(true)]);
    // the least and the greatest, whichever order the service read them in: ranges between bounds out of order would overlap
    const [a, b] = [scaleValue(first[0]?.[attribute], scale), scaleValue(last[0]?.[attribute], scale)];
    const low = Math.min(a, b);
    const high = scaleEnd(Math.max(a, b), scale);
    // no value: every row (if any) is a null of the column
    if (!Number.isFinite(low) || !Number.isFinite(high)) return nullParts(fetch, attribute);
    const text = (n: number | undefined) => (n === undefined ? undefined : scaleText(n, scale));
    const part = async (from: number | undefined, to: number | undefined, withNulls: boolean, halvings: number): Promise<Record<string, JsonValue>[][]> => {
      try {
        return [await read(rangeFetch(fetch, attribute, text(from), text(to), withNulls))];
      } catch (error) {
        if (!refused(error) || tooManyValues) throw error;
        // the nulls may be most of it, and halving the range never moves them: read apart
        if (withNulls) return [...await nullParts(fetch, attribute), ...await part(from, to, false, halvings)];
        const middle = halvings < MAX_HALVINGS ? scaleMiddle(from ?? low, to ?? high, scale) : undefined;
        if (middle === undefined) throw error;
        return [...await part(from, middle, false, halvings + 1), ...await part(middle, to, false, halvings + 1)];
      }
    };
    const edges = scaleBounds(low, high, PARTS, scale);
    const ranges = Array.from({ length: PARTS }, (_, i) => part(i === 0 ? undefined : edges[i - 1], i === PARTS - 1 ? undefined : edges[i], i === 0, 0));
    return (await Promise.all(ranges)).flat();
  };
  // a distinct count of text or of a key: each part groups by its column (fetchxml/distinct-groups.ts)
  const fetch = spec.distinctGroup ? distinctGroupFetch(fx.fetch, spec.distinctGroup) : fx.fetch;
  const rows = combineParts(await rangeParts(fetch, spec.attribute, spec.scale), spec);
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
export async function aggregateGroupRows(executor: Executor, step: RemoteScanStep, signal: AbortSignal | undefined, counters: ScanCounters, bounds?: SplitBounds): Promise<DecodedValue[][]> {
  try {
    if (step.fetchXml?.byPartsOnly) throw new DynasqlError('DYNASQL_ERR_AGGREGATE_LIMIT', 'The service refused the same aggregate as OData');
    // HAVING on a count: the first groups in the count's order may be all it keeps (having-cut.ts);
    // the service counts the input rows all the same, so past the limit that read is refused too
    const cut = step.fetchXml?.cut ? await groupsUntilCut(executor, step, signal, counters) : undefined;
    if (cut) return cut;
    const rows: DecodedValue[][] = [];
    for await (const page of remotePages(executor, step, signal, counters)) rows.push(...page);
    return rows;
  } catch (error) {
    if (!DynasqlError.is(error, 'DYNASQL_ERR_AGGREGATE_LIMIT') || !step.fetchXml?.split) throw error;
  }
  // the parts are read whole, each group complete: the cut applies to the whole aggregate only
  const rows: DecodedValue[][] = [];
  for await (const page of splitAggregatePages(executor, step, signal, counters, bounds)) rows.push(...page);
  return rows;
}
