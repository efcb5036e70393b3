/**
 * A remote scan read as ranges of `createdon` at once (RemoteScanStep.partition, planned by
 * pushdown/partitioned-read.ts), so a long read waits for the service about once per range's page
 * instead of once per page. A scan whose first page is not full, or carries no nextLink, is read as
 * it always is, with no request added. Past a full first page:
 *
 * 1. the least and greatest `createdon` among the scan's rows, by two one-row reads at once, with
 *    the statement's filter (odata/range-query.ts boundUrl); the first page is dropped unread;
 * 2. the span cut into half-open ranges (`ge` a bound, `lt` the next; the first range open below
 *    and also holding the nulls, the last open above), spaced as the aggregate split spaces its
 *    ranges (fetchxml/split-scale.ts): `createdon` never changes, so every row is in one range;
 * 3. every range read with the statement's filter, `$orderby` and row limit, one page ahead each,
 *    through the connection's executor: its throttle keeps the requests within the budget (Max
 *    Concurrency, the service's limits);
 * 4. the ranges' rows merged: by the `$orderby`, a k-way merge comparing as the service sorts (text
 *    under its collation, nulls first), or, without one, each slice handed out as it arrives.
 *
 * Memory stays bounded: each range holds the slice being merged and the one page read ahead,
 * whatever its size. A row limit (TOP above the page size) ends the merge after that many rows. The
 * caller's signal, an error in any range, or the caller stopping aborts every range's request.
 * With no value of `createdon` to range (all null), or one instant only, the scan is read page after
 * page from the start.
 */
import type { Column } from '../catalog/types.js';
import type { Executor } from '../http/index.js';
import { boundUrl, parsePage, withCondition, type DecodedValue } from '../odata/index.js';
import { compareNumberTexts, scaleBounds, scaleEnd, scaleText, scaleValue } from '../fetchxml/index.js';
import type { RemoteScanStep } from '../plan/index.js';
import { collationKey } from '../util/index.js';
import { remotePages, type ExpandedRows, type ScanCounters } from './remote-rows.js';

type Partition = NonNullable<RemoteScanStep['partition']>;
type Rows = DecodedValue[][];

/** rows handed out per batch by the ordered merge (the slice size of remote-rows.ts) */
const BATCH_ROWS = 500;

/**
 * The rows of one remote scan: as ranges at once when the plan allows it and the first page shows
 * more to come, page after page otherwise (remote-rows.ts remotePages).
 */
export async function* scanPages(
  executor: Executor, step: RemoteScanStep, signal: AbortSignal | undefined, counters: ScanCounters, expanded?: ExpandedRows, readAhead = true,
): AsyncGenerator<Rows> {
  const partition = step.partition;
  // a cursor read on demand (readAhead off) asks for nothing ahead of its reader
  if (!partition || !readAhead) {
    yield* remotePages(executor, step, signal, counters, expanded, readAhead);
    return;
  }
  const probe = { more: false };
  yield* remotePages(executor, step, signal, counters, expanded, true, probe);
  if (!probe.more) return;
  const ranges = await rangeConditions(executor, step, partition, signal, counters);
  if (ranges.length < 2) {
    yield* remotePages(executor, step, signal, counters, expanded);
    return;
  }
  const stop = new AbortController();
  const rangeSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const sources = ranges.map((condition) => {
    const range: RemoteScanStep = { ...step, request: { ...step.request, url: withCondition(step.request.url, condition) } };
    delete range.partition;
    return remotePages(executor, range, rangeSignal, counters, expanded);
  });
  const merged = partition.orderBy.length > 0 ? mergeSorted(sources, stop, sortKeys(partition, step.columns)) : mergeArriving(sources, stop);
  try {
    let wanted = step.rowLimit ?? Infinity;
    for await (const rows of merged) {
      if (rows.length >= wanted) {
        rows.length = wanted;
        yield rows;
        return;
      }
      wanted -= rows.length;
      yield rows;
    }
  } finally {
    // whatever ended the read: no range asks for another page, and each one's request in flight is aborted
    stop.abort();
    await merged.return(undefined);
  }
}

/** the ranges' conditions, from the least and greatest value of the column; none when it has fewer than two instants */
async function rangeConditions(executor: Executor, step: RemoteScanStep, partition: Partition, signal: AbortSignal | undefined, counters: ScanCounters): Promise<string[]> {
  const column = partition.column;
  const bound = async (descending: boolean) => {
    const response = await executor.send({ method: 'GET', url: boundUrl(step.request.url, column, descending), headers: {}, ...(signal ? { signal } : {}) });
    counters.requests++;
    return scaleValue(parsePage(response.text()).rows[0]?.[column], 'instant');
  };
  const [first, last] = await Promise.all([bound(false), bound(true)]);
  if (!Number.isFinite(first) || !Number.isFinite(last)) return [];
  const low = Math.min(first, last);
  const high = scaleEnd(Math.max(first, last), 'instant');
  // bounds closer than a millisecond apart fall on one instant: each kept once, in order
  const edges = [...new Set(scaleBounds(low, high, partition.ranges, 'instant'))].filter((e) => e > low && e < high).sort((a, b) => a - b);
  if (edges.length === 0) return [];
  const at = (ms: number) => scaleText(ms, 'instant');
  return [
    `${column} eq null or ${column} lt ${at(edges[0]!)}`,
    ...edges.slice(1).map((edge, i) => `${column} ge ${at(edges[i]!)} and ${column} lt ${at(edge)}`),
    `${column} ge ${at(edges.at(-1)!)}`,
  ];
}

/** each range's slices handed out as they arrive, a range asking for its next slice once its last one is taken */
async function* mergeArriving(sources: AsyncGenerator<Rows>[], stop: AbortController): AsyncGenerator<Rows> {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<Rows> }>>();
  const ask = (index: number) => {
    const next = sources[index]!.next().then((result) => ({ index, result }));
    // a range that fails after another one already ended the merge is not an unhandled rejection
    next.catch(() => undefined);
    pending.set(index, next);
  };
  sources.forEach((_, index) => ask(index));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      pending.delete(index);
      if (result.done) continue;
      yield result.value;
      ask(index);
    }
  } finally {
    await closeAll(sources, stop);
  }
}

/**
 * The ranges' rows in one order: each range is already in it (its own `$orderby`), so the least of
 * the ranges' next rows is the merge's next row (a binary heap of the ranges by their next row). Each
 * row's sort key is worked out once, when its slice arrives, not at every comparison.
 */
async function* mergeSorted(sources: AsyncGenerator<Rows>[], stop: AbortController, order: SortKeys): AsyncGenerator<Rows> {
  const heads: { rows: Rows; keys: SortKey[]; at: number; source: number }[] = [];
  /** the range's next non-empty slice, or undefined at its end */
  const refill = async (source: number): Promise<Rows | undefined> => {
    for (;;) {
      const next = await sources[source]!.next();
      if (next.done) return undefined;
      if (next.value.length > 0) return next.value;
    }
  };
  try {
    const first = await Promise.all(sources.map((_, source) => refill(source)));
    first.forEach((rows, source) => {
      if (rows) heads.push({ rows, keys: rows.map(order.key), at: 0, source });
    });
    const less = (i: number, j: number) => order.compare(heads[i]!.keys[heads[i]!.at]!, heads[j]!.keys[heads[j]!.at]!) < 0;
    const down = (from: number) => {
      for (let i = from; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let least = i;
        if (l < heads.length && less(l, least)) least = l;
        if (r < heads.length && less(r, least)) least = r;
        if (least === i) return;
        [heads[i], heads[least]] = [heads[least]!, heads[i]!];
        i = least;
      }
    };
    for (let i = Math.floor(heads.length / 2) - 1; i >= 0; i--) down(i);
    let batch: Rows = [];
    while (heads.length > 0) {
      const top = heads[0]!;
      batch.push(top.rows[top.at++]!);
      if (top.at === top.rows.length) {
        const rows = await refill(top.source);
        if (rows) {
          top.rows = rows;
          top.keys = rows.map(order.key);
          top.at = 0;
        } else {
          heads[0] = heads.at(-1)!;
          heads.pop();
        }
      }
      if (heads.length > 0) down(0);
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await closeAll(sources, stop);
  }
}

/**
 * every range ended, its requests in flight aborted first (a range waiting for its page would
 * otherwise end only once the page came)
 */
async function closeAll(sources: AsyncGenerator<Rows>[], stop: AbortController): Promise<void> {
  stop.abort();
  await Promise.allSettled(sources.map((source) => source.return(undefined)));
}

/** a row's values in the `$orderby`'s columns, each in the form it compares by */
type SortKey = (string | number | bigint | null)[];
interface SortKeys {
  key: (row: DecodedValue[]) => SortKey;
  compare: (a: SortKey, b: SortKey) => number;
}

/**
 * Rows compared as the service orders them by the `$orderby`'s columns: nulls first (last when
 * descending), text under the collation (case and trailing blanks ignored: util/collation.ts),
 * decimals by their exact digits, dates by instant.
 */
function sortKeys(partition: Partition, columns: readonly Column[]): SortKeys {
  const parts = partition.orderBy.map(({ index, descending }) => ({ index, sign: descending ? -1 : 1, ...valueOrder(columns[index]!) }));
  return {
    key: (row) => parts.map(({ index, key }) => {
      const value = row[index] ?? null;
      return value === null ? null : key(value);
    }),
    compare: (a, b) => {
      for (let i = 0; i < parts.length; i++) {
        const x = a[i]!;
        const y = b[i]!;
        const c = x === null || y === null ? (x === y ? 0 : x === null ? -1 : 1) : parts[i]!.compare(x, y);
        if (c !== 0) return parts[i]!.sign * c;
      }
      return 0;
    },
  };
}

type NonNull = Exclude<DecodedValue, null>;
type KeyPart = Exclude<SortKey[number], null>;

/** how one column's value becomes its sort key, and how two keys compare */
function valueOrder(column: Column): { key: (value: NonNull) => KeyPart; compare: (a: KeyPart, b: KeyPart) => number } {
  const plain = (a: KeyPart, b: KeyPart) => (a < b ? -1 : a > b ? 1 : 0);
  switch (column.edmType) {
    case 'Edm.String': return { key: (v) => collationKey(String(v)), compare: plain };
    case 'Edm.Decimal': return { key: (v) => String(v), compare: (a, b) => compareNumberTexts(a as string, b as string) };
    case 'Edm.DateTimeOffset': case 'Edm.Date': return { key: (v) => (v as Date).getTime(), compare: plain };
    case 'Edm.Boolean': return { key: (v) => Number(v), compare: plain };
    // numbers and bigints (Edm.Int64) compare as they are
    default: return { key: (v) => v as KeyPart, compare: plain };
  }
}
