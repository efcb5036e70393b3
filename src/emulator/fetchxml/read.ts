import { queryError } from '../errors.js';
import type { Segment } from '../http/path.js';
import { wantsAnnotation } from '../http/prefer.js';
import type { ReadContext } from '../http/read.js';
import { jsonResponse } from '../http/respond.js';
import type { ODataResponse } from '../state.js';
import { splitQuery } from '../query/query-string.js';
import { aggregateRows } from './aggregate.js';
import { fiscalCalendar } from './fiscal-calendar.js';
import { bindFetch, joinLinks, type Tuple } from './bind.js';
import { invalidFetch } from './errors.js';
import { pagingCookieOf, startAfterCookie } from './cookie.js';
import { sortKeys, sortTuples } from './order.js';
import { parseFetch } from './parse.js';
import { outputColumns, renderTuple } from './render.js';

const PAGING_COOKIE = 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
const MORE_RECORDS = 'Microsoft.Dynamics.CRM.morerecords';
const TOTAL = 'Microsoft.Dynamics.CRM.totalrecordcount';
const LIMIT_EXCEEDED = 'Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded';
const MAX_PAGE = 5_000;
/** Without a paging cookie the service reads every row up to the page: it stops at 50,000 (FetchXML doc §1.7). */
const SIMPLE_PAGING_ROWS = 50_000;

/**
 * `GET <entityset>?fetchXml=<fetch>` (FetchXML doc §1.5): only `$count` may accompany it (the docs
 * are silent on the others; the emulator refuses them), and the entity set must be the one of
 * `<entity name>` (silent too; 0x80060888 as the doc's checklist suggests).
 */
export function readFetchXml(rc: ReadContext, segments: Segment[]): ODataResponse {
  if (rc.req.method !== 'GET') throw queryError('fetchXml is only valid on GET.');
  const head = segments[0]!;
  const setEntity = rc.state.model.entitySets.get(head.name);
  if (!setEntity || segments.length !== 1 || head.args !== undefined) throw queryError('fetchXml is only valid on an entity set.');
  for (const name of rc.options.keys()) {
    if (name !== '$count') throw queryError(`The query parameter '${name}' cannot be combined with fetchXml.`);
  }
  const text = splitQuery(rc.req.rawQuery).custom.get('fetchXml') ?? splitQuery(rc.req.rawQuery).custom.get('fetchxml') ?? '';
  const query = parseFetch(text);
  const bound = bindFetch(rc.scope, query);
  if (bound.root.entity !== setEntity) {
    throw queryError(`The entity set '${head.name}' does not match the FetchXML entity '${query.entity.name}'.`);
  }
  if (query.top !== undefined && (query.count !== undefined || query.page !== undefined)) {
    throw invalidFetch(`The Top.Count = ${query.top} can't be specified with pagingInfo.`);
  }
  if (query.top !== undefined && query.top > MAX_PAGE) throw invalidFetch(`top must be at most ${MAX_PAGE}.`);

  const table = rc.scope.store.table(bound.root.entity.name)!;
  let tuples: Tuple[] = [];
  for (const row of table.scan()) tuples.push({ '': row });
  tuples = joinLinks(tuples, bound.root.links);
  const rootFilter = bound.root.filter;
  if (rootFilter) tuples = tuples.filter(rootFilter);

  const context = `${rc.serviceRoot}$metadata#${head.name}`;
  const headers: Record<string, string> = {};
  if (rc.prefs.includeAnnotations) headers['Preference-Applied'] = `odata.include-annotations="${rc.prefs.includeAnnotations.join(',')}"`;
  if (query.aggregate) {
    // `top` counts the group rows, after their order (as T-SQL's TOP after GROUP BY / ORDER BY)
    const groups = aggregateRows(bound, tuples, rc.state.aggregateLimit, rc.formatter, () => fiscalCalendar(rc.scope.store));
    const value = query.top === undefined ? groups : groups.slice(0, query.top);
    return jsonResponse(200, { '@odata.context': context, value }, headers);
  }

  const rootKey = bound.root.entity.key[0]!;
  const keys = sortKeys(bound);
  tuples = sortTuples(rc.formatter, keys, rootKey, query.useRawOrderBy, tuples);
  const columns = outputColumns(bound);
  // Rows are written only for the page, except under distinct, where duplicates are judged on the written rows.
  let rendered: { t: Tuple; json?: Record<string, unknown> }[] = tuples.map((t) => ({ t }));
  if (query.distinct) {
    const seen = new Set<string>();
    rendered = tuples.map((t) => ({ t, json: renderTuple(rc.formatter, columns, t, false) })).filter((r) => {
      const id = JSON.stringify(r.json);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  // A cookie tracks root rows only, so a sort on a link column (or distinct rows without a key) pages the simple way.
  const cookieable = !query.distinct && keys.every((k) => k.from === bound.root);
  const pageSize = Math.min(query.top ?? query.count ?? MAX_PAGE, MAX_PAGE);
  const page = query.page ?? 1;
  let start = (page - 1) * pageSize;
  if (cookieable && query.pagingCookie && page > 1) start = startAfterCookie(query.pagingCookie, rootKey, rendered.map((r) => r.t)) ?? start;
  const available = cookieable ? rendered.length : Math.min(rendered.length, SIMPLE_PAGING_ROWS);
  const slice = rendered.slice(start, Math.min(start + pageSize, available));
  const more = query.top === undefined && start + pageSize < available;

  const body: Record<string, unknown> = { '@odata.context': contextOf(context, columns.map((c) => c.outputName), bound.root.node.allAttributes || bound.root.node.attributes.length === 0) };
  if (query.returnTotalRecordCount || rc.options.get('$count') === 'true') {
    const cap = rc.state.profile.countCap ?? MAX_PAGE;
    body['@odata.count'] = Math.min(rendered.length, cap);
    if (wantsAnnotation(rc.prefs, TOTAL)) body[`@${TOTAL}`] = Math.min(rendered.length, cap);
    if (wantsAnnotation(rc.prefs, LIMIT_EXCEEDED)) body[`@${LIMIT_EXCEEDED}`] = rendered.length > cap;
  }
  if (more && slice.length > 0) {
    if (cookieable && wantsAnnotation(rc.prefs, PAGING_COOKIE)) {
      body[`@${PAGING_COOKIE}`] = pagingCookieOf(page, keys, rootKey, slice[0]!.t, slice.at(-1)!.t);
    }
    if (wantsAnnotation(rc.prefs, PAGING_COOKIE) || wantsAnnotation(rc.prefs, MORE_RECORDS)) body[`@${MORE_RECORDS}`] = true;
  }
  body.value = slice.map((r) => r.json ?? renderTuple(rc.formatter, columns, r.t, true));
  return jsonResponse(200, body, headers);
}

/** `$metadata#accounts(name,accountid)`: the selected root columns; every column → no list. */
function contextOf(base: string, names: string[], everyColumn: boolean): string {
  const own = names.filter((n) => !n.includes('_x002e_'));
  return everyColumn || own.length === 0 ? base : `${base}(${own.join(',')})`;
}
