import { queryError } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import { decodeCookie, encodeCookie, skiptokenParam } from '../query/paging.js';
import { checkTopLevelOptions, type PreparedQuery, prepareQuery } from '../query/prepare.js';
import type { QueryScope } from '../query/scope.js';
import type { Row } from '../store/row.js';
import type { EmulatorState, ODataRequest, ODataResponse } from '../state.js';
import { runApply } from '../query/apply.js';
import type { Formatter } from './format.js';
import type { InstantRange } from '../query/instant-range.js';
import { type Preferences, wantsAnnotation } from './prefer.js';
import { contextUrl, renderRecord, type RenderContext } from './render.js';
import { jsonResponse, jsonTextResponse } from './respond.js';
import { plainRecordsJson } from './row-json.js';

/** Where the rows of a collection come from: an entity set, or a navigation's children. */
export interface RowSource {
  entity: EntityTypeDef;
  entitySet: string;
  /**
   * Rows in default order, starting after the row with key `afterId` when given; with `filter`, only
   * those it matches; `created` (PreparedQuery.created) is the range of `createdon` the filter confines
   * them to, which a source with an index on it may use (store/table.ts scan).
   */
  scan(afterId?: string, created?: InstantRange, filter?: (row: Row) => boolean): Iterable<Row>;
  /** Every row, those the source orders by `createdon` apart and in that order (store/table.ts scanByCreated). */
  byCreated?(descending: boolean): { unordered: Iterable<Row>; ordered: Iterable<{ row: Row; at: number }> } | undefined;
  /** The number of rows, when known without scanning (a whole table). */
  count?(): number;
}

export interface ReadContext {
  state: EmulatorState;
  req: ODataRequest;
  scope: QueryScope;
  prefs: Preferences;
  formatter: Formatter;
  serviceRoot: string;
  options: Map<string, string>;
}

const TOTAL = 'Microsoft.Dynamics.CRM.totalrecordcount';
/** one per range of a partitioned read, which pages its ranges at once (16 ranges and a few more) */
const ORDERED_RESULTS_KEPT = 24;
/** up to this `$top`, an ordered read without a page to follow picks its rows in one pass instead of sorting */
const SELECTED_TOP_MAX = 100;
const LIMIT_EXCEEDED = 'Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded';
const METADATA_VERSION = 'Microsoft.Dynamics.CRM.globalmetadataversion';

/**
 * GET on a collection: filter, order, page with `Prefer: odata.maxpagesize` (default and maximum
 * 5,000) and a `$skiptoken` paging cookie, `$count` capped at 5,000, annotations on request.
 */
export function readCollection(rc: ReadContext, source: RowSource, tracking?: { token: string; deltaLink: string }): ODataResponse {
  const { state, options, prefs } = rc;
  checkTopLevelOptions(rc.scope, options);
  if (options.has('$apply')) return runApply(rc, source);
  const query = prepareQuery(rc.scope, source.entity, options);
  const profile = state.profile;
  const headers: Record<string, string> = {};
  const applied: string[] = [];
  let pageSize = profile.pageSize.default;
  let top = query.top;
  if (prefs.maxPageSize !== undefined) {
    pageSize = Math.min(prefs.maxPageSize, profile.pageSize.max);
    applied.push(`odata.maxpagesize=${pageSize}`);
    top = undefined; // "If you include both, $top is ignored." (protocol §1.1)
  }
  const cookie = options.has('$skiptoken') ? decodeCookie(options.get('$skiptoken')!) : undefined;
  const pageNumber = cookie?.pageNumber ?? 1;
  const key = source.entity.key[0]!;
  const keyOf = (row: Row) => String(row.values[key]).toLowerCase();
  // the query's order, the key breaking ties: one order for every page of the query
  const order = query.order ? (a: Row, b: Row) => query.order!(a, b) || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0) : undefined;

  let page: Row[];
  let more: boolean;
  let matched: Row[] | undefined;
  if (order && top !== undefined && !cookie && top <= SELECTED_TOP_MAX) {
    // `$top=1&$orderby=createdon` (the bounds of a partitioned read): the first rows without sorting the table
    const byCreated = query.orderedBy?.column === 'createdon' ? source.byCreated?.(query.orderedBy.descending) : undefined;
    page = byCreated ? selectFirstByCreated(byCreated, query, top, order) : selectFirst(source.scan(undefined, query.created, query.filter), top, order);
    more = false;
  } else if (order) {
    const store = rc.scope.store;
    const cacheKey = `${store.generation}|${rc.scope.userId}|${rc.req.rest}?${rc.req.rawQuery.split('&').filter((p) => !/^(\$|%24)skiptoken=/i.test(p)).join('&')}`;
    matched = store.orderedResults.get(cacheKey);
    if (!matched) {
      matched = [...source.scan(undefined, query.created, query.filter)];
      matched.sort(order);
      if (store.orderedResults.size >= ORDERED_RESULTS_KEPT) store.orderedResults.delete(store.orderedResults.keys().next().value!);
      store.orderedResults.set(cacheKey, matched);
    }
    let start = 0;
    if (cookie) {
      // the previous page ends where its number says when the page size did not change; else look for its last row
      const expected = (pageNumber - 1) * pageSize - 1;
      const at = !cookie.last ? -1 : matched[expected] && keyOf(matched[expected]) === cookie.last ? expected : matched.findIndex((r) => keyOf(r) === cookie.last);
      start = at >= 0 ? at + 1 : (pageNumber - 1) * pageSize;
    }
    const limit = top !== undefined ? Math.min(pageSize, top) : pageSize;
    page = matched.slice(start, start + limit);
    more = top === undefined && start + limit < matched.length;
  } else {
    const limit = top !== undefined ? Math.min(pageSize, top) : pageSize;
    page = [];
    more = false;
    let stopped = false;
    for (const row of source.scan(cookie?.last, query.created, query.filter)) {
      if (page.length === limit) {
        more = top === undefined;
        stopped = true;
        break;
      }
      page.push(row);
    }
    // A first page that read the whole source has already seen every match: no second pass to count.
    if (!stopped && !cookie) matched = page;
  }

  const body: Record<string, unknown> = { '@odata.context': contextUrl(rc.serviceRoot, source.entitySet, query.select || query.expand.length ? query : undefined, false) };
  const wantsCount = options.get('$count') === 'true';
  let count: number | undefined;
  if (wantsCount) {
    count = matched ? matched.length : countUpTo(source.scan(undefined, query.created, query.filter), (profile.countCap ?? Infinity) + 1);
  }
  const cap = profile.countCap ?? Infinity;
  if (wantsAnnotation(prefs, TOTAL)) body[`@${TOTAL}`] = count === undefined ? -1 : Math.min(count, cap);
  if (wantsAnnotation(prefs, LIMIT_EXCEEDED)) body[`@${LIMIT_EXCEEDED}`] = count !== undefined && count > cap;
  if (wantsAnnotation(prefs, METADATA_VERSION)) body[`@${METADATA_VERSION}`] = state.metadataVersion;
  if (count !== undefined) body['@odata.count'] = Math.min(count, cap);
  const tail: Record<string, unknown> = {};
  if (more && page.length > 0) {
    const next = encodeCookie(key, { pageNumber: pageNumber + 1, last: keyOf(page[page.length - 1]!), first: keyOf(page[0]!), ...(tracking ? { tracking: tracking.token } : {}) });
    tail['@odata.nextLink'] = nextLink(rc, next);
  } else if (tracking) {
    // a page carries a nextLink or a deltaLink, never both: the delta link comes with the last page
    tail['@odata.deltaLink'] = tracking.deltaLink;
  }
  if (tracking) applied.unshift('odata.track-changes');
  if (prefs.includeAnnotations) applied.push(`odata.include-annotations="${prefs.includeAnnotations.join(',')}"`);
  if (applied.length) headers['Preference-Applied'] = applied.join(',');
  if (!prefs.includeAnnotations && query.expand.length === 0) {
    // the common read, its records written as text straight from the rows (http/row-json.ts)
    const tailText = Object.entries(tail).map(([name, value]) => `,${JSON.stringify(name)}:${JSON.stringify(value)}`).join('');
    return jsonTextResponse(200, `${JSON.stringify(body).slice(0, -1)},"value":[${plainRecordsJson(source.entity, page, query)}]${tailText}}`, headers);
  }
  const nested = query.expand.some((e) => e.query.expand.length > 0);
  const expandPageSize = nested && prefs.maxPageSize !== undefined ? pageSize : undefined;
  const render: RenderContext = { scope: rc.scope, formatter: rc.formatter, serviceRoot: rc.serviceRoot, expandPageSize };
  body.value = page.map((row) => renderRecord(render, source.entity, row, query));
  return jsonResponse(200, { ...body, ...tail }, headers);
}

type RowOrder = (a: Row, b: Row) => number;

/** the first `top` rows of `rows` (already filtered) in the query's order (the key breaking ties), kept sorted as they are found */
function selectFirst(rows: Iterable<Row>, top: number, order: RowOrder): Row[] {
  const first: Row[] = [];
  for (const row of rows) keepIfFirst(row, top, order, first);
  return first;
}

/**
 * `selectFirst` for an order by `createdon` alone, from a source that gives most rows in that order
 * (unfiltered): the others first, then the ordered ones until one comes past the last kept (a
 * millisecond of slack: the order compares the stored texts, the index their instants).
 */
function selectFirstByCreated(
  rows: { unordered: Iterable<Row>; ordered: Iterable<{ row: Row; at: number }> }, query: PreparedQuery, top: number, order: RowOrder,
): Row[] {
  const matches = (row: Row) => !query.filter || query.filter(row);
  const first: Row[] = [];
  for (const row of rows.unordered) if (matches(row)) keepIfFirst(row, top, order, first);
  const descending = query.orderedBy!.descending;
  for (const { row, at } of rows.ordered) {
    if (first.length === top && top > 0) {
      const last = Date.parse(String(first[top - 1]!.values.createdon ?? ''));
      if (descending ? at < last - 1 : at > last + 1) break;
    }
    if (matches(row)) keepIfFirst(row, top, order, first);
  }
  return first;
}

/** `row` put in its place among `first` (sorted, at most `top` long) when it belongs there */
function keepIfFirst(row: Row, top: number, order: RowOrder, first: Row[]): void {
  if (top === 0) return;
  if (first.length === top && order(row, first[top - 1]!) >= 0) return;
  let at = first.length;
  while (at > 0 && order(row, first[at - 1]!) < 0) at--;
  first.splice(at, 0, row);
  if (first.length > top) first.pop();
}

function countUpTo(rows: Iterable<Row>, stopAt: number): number {
  let n = 0;
  for (const _row of rows) if (++n >= stopAt) break;
  return n;
}

/** The request URL as sent, with `$skiptoken` replaced: clients must follow it unchanged. */
export function nextLink(rc: ReadContext, cookieXml: string): string {
  const kept = rc.req.rawQuery.split('&').filter((p) => p && !/^(\$|%24)skiptoken=/i.test(p));
  kept.push(`$skiptoken=${skiptokenParam(cookieXml)}`);
  return `${rc.serviceRoot}${rc.req.rest}?${kept.join('&')}`;
}

/** GET on one record: `accounts(id)?$select=…&$expand=…`. */
export function readSingle(rc: ReadContext, entity: EntityTypeDef, entitySet: string, row: Row): ODataResponse {
  for (const name of rc.options.keys()) {
    if (!['$select', '$expand'].includes(name)) {
      if (name === '$skip' && !rc.state.profile.skipAllowed) throw queryError('Skip Clause is not supported in CRM');
      throw queryError(`The query parameter '${name}' is not supported for a single record.`);
    }
  }
  const query = prepareQuery(rc.scope, entity, rc.options);
  const render: RenderContext = { scope: rc.scope, formatter: rc.formatter, serviceRoot: rc.serviceRoot };
  const body = {
    '@odata.context': contextUrl(rc.serviceRoot, entitySet, query.select || query.expand.length ? query : undefined, true),
    ...renderRecord(render, entity, row, query),
  };
  const headers: Record<string, string> = { ETag: `W/"${row.version}"` };
  if (rc.prefs.includeAnnotations) headers['Preference-Applied'] = `odata.include-annotations="${rc.prefs.includeAnnotations.join(',')}"`;
  return jsonResponse(200, body, headers);
}
