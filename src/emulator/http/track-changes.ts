import { ODataError, queryError } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import { decodeCookie, encodeCookie } from '../query/paging.js';
import { checkTopLevelOptions, prepareQuery } from '../query/prepare.js';
import { formatChangeToken, parseChangeToken, type Change, type ChangeToken } from '../store/change-log.js';
import type { Row } from '../store/row.js';
import type { ODataResponse } from '../state.js';
import { nextLink, readCollection, type ReadContext, type RowSource } from './read.js';
import { contextUrl, renderRecord, type RenderContext } from './render.js';
import { jsonResponse } from './respond.js';

/**
 * Change tracking over the Web API ("Use change tracking to synchronize data with external systems";
 * the fetchxml-delta-metadata notes §2):
 *
 *   GET accounts?$select=name            Prefer: odata.track-changes
 *   → the rows, paged as usual; the last page carries @odata.deltaLink …accounts?$select=name&$deltatoken=12%2112%2f07%2f2026%2023%3a10%3a44
 *   GET <the delta link>                 (no Prefer needed)
 *   → context …#accounts(name)/$delta: rows created or updated since (current values), then
 *     {"@odata.context":"…#accounts/$deletedEntity","id":"<guid>","reason":"deleted"}, and a new delta link
 *
 * A delta pages like any read (odata.maxpagesize, nextLink, the delta link on the last page only: not
 * documented for deltas, the SDK's RetrieveEntityChanges pages them). Each page of one delta reads the
 * same window of changes (after the token, up to the new token fixed by its first page), positioned by
 * the last change handed out, so writes between pages never skip a change: a change past the window
 * waits for the next delta.
 */
export interface TrackedSource extends RowSource {
  /** the tables whose changes the set shows (an abstract set's derived tables: activitypointers → task, email, …) */
  tables: string[];
  /** the record of `id`, when it exists */
  get(id: string): Row | undefined;
}

/** `Prefer: odata.track-changes` or `$deltatoken` on a collection GET */
export function isTrackedRead(rc: ReadContext): boolean {
  return rc.prefs.trackChanges || rc.options.has('$deltatoken');
}

export function readTracked(rc: ReadContext, source: TrackedSource): ODataResponse {
  refuseUntracked(rc, source.entity, source.entitySet);
  refuseOptions(rc);
  const deltaToken = rc.options.get('$deltatoken');
  if (deltaToken === undefined) {
    // the initial read: a normal read whose last page gives the token of "now", taken at its first page
    const cookie = rc.options.has('$skiptoken') ? decodeCookie(rc.options.get('$skiptoken')!) : undefined;
    const token = cookie?.tracking ?? formatChangeToken(rc.state.changes.token(rc.state.now()));
    return readCollection(withoutOption(rc, '$deltatoken'), source, { token, deltaLink: deltaLinkOf(rc, token) });
  }
  return readDelta(rc, source, honoured(rc, deltaToken));
}

/** `GET accounts/$count?$deltatoken=…`: the number of changes since the token ("Retrieve count of the changes") */
export function countTracked(rc: ReadContext, source: TrackedSource): number {
  refuseUntracked(rc, source.entity, source.entitySet);
  const since = honoured(rc, rc.options.get('$deltatoken')!);
  const { upserts, deletes } = rc.state.changes.between(source.tables, since.seq, rc.state.changes.token(rc.state.now()).seq);
  return upserts.length + deletes.length;
}

function readDelta(rc: ReadContext, source: TrackedSource, since: ChangeToken): ODataResponse {
  const { state, prefs } = rc;
  const cookie = rc.options.has('$skiptoken') ? decodeCookie(rc.options.get('$skiptoken')!) : undefined;
  const untilText = cookie?.tracking ?? formatChangeToken(state.changes.token(state.now()));
  const until = parseChangeToken(untilText);
  if (!until) throw queryError('The $skiptoken of this delta is not valid.');
  const { upserts, deletes } = state.changes.between(source.tables, since.seq, until.seq);
  const after = cookie?.after;
  const afterSeq = after === undefined ? 0 : Number(after.slice(1));
  const pending: ['u' | 'd', [string, Change]][] = [
    ...(after?.startsWith('d') ? [] : upserts.filter(([, c]) => c.seq > afterSeq).map((e) => ['u', e] as ['u', [string, Change]])),
    ...deletes.filter(([, c]) => !after?.startsWith('d') || c.seq > afterSeq).map((e) => ['d', e] as ['d', [string, Change]]),
  ];
  const pageSize = Math.min(prefs.maxPageSize ?? state.profile.pageSize.default, state.profile.pageSize.max);
  const page = pending.slice(0, pageSize);
  const query = prepareQuery(rc.scope, source.entity, new Map([...rc.options].filter(([name]) => name === '$select')));
  const render: RenderContext = { scope: rc.scope, formatter: rc.formatter, serviceRoot: rc.serviceRoot };
  const value: unknown[] = [];
  for (const [kind, [id]] of page) {
    const row = kind === 'u' ? source.get(id) : undefined;
    // a live entry's record exists (a delete would have replaced the entry); a deleted one is listed by id
    if (row) value.push(renderRecord(render, source.entity, row, query));
    else value.push({ '@odata.context': `${rc.serviceRoot}$metadata#${source.entitySet}/$deletedEntity`, id, reason: 'deleted' });
  }
  const body: Record<string, unknown> = { '@odata.context': `${contextUrl(rc.serviceRoot, source.entitySet, query.select ? query : undefined, false)}/$delta` };
  body.value = value;
  if (pending.length > page.length) {
    const [kind, [, change]] = page[page.length - 1]!;
    body['@odata.nextLink'] = nextLink(rc, encodeCookie(source.entity.key[0]!, { pageNumber: (cookie?.pageNumber ?? 1) + 1, tracking: untilText, after: `${kind}${change.seq}` }));
  } else {
    body['@odata.deltaLink'] = deltaLinkOf(rc, untilText);
  }
  const applied = prefs.maxPageSize !== undefined ? { 'Preference-Applied': `odata.maxpagesize=${pageSize}` } : undefined;
  return jsonResponse(200, body, applied);
}

/**
 * A table without change tracking: the documented ChangeTrackingNotEnabledForEntity (web service error
 * codes: 0x80072491 "Entity {0} isn't enabled for change tracking."). Its HTTP status for a Web API
 * read is not documented: 400 here.
 */
function refuseUntracked(rc: ReadContext, entity: EntityTypeDef, entitySet: string): void {
  if (!rc.state.model.changeTracked.has(entitySet)) throw new ODataError(400, '0x80072491', `Entity ${entity.name} isn't enabled for change tracking.`);
}

/**
 * "System query options $filter, $orderby, $expand, and $top aren't supported when you use the Prefer:
 * odata.track-changes header" with the message below (its status and code are not documented: 400
 * 0x80060888, the service's code for refused query options). `$apply` is refused the same way (docs
 * silent: an aggregate has no rows to track); `$select` and `$count` work.
 */
function refuseOptions(rc: ReadContext): void {
  for (const name of ['$filter', '$orderby', '$expand', '$top', '$apply']) {
    if (rc.options.has(name)) throw queryError(`The "${name}" query parameter isn't supported when Change Tracking is enabled.`);
  }
  checkTopLevelOptions(rc.scope, withoutOption(rc, '$deltatoken').options);
}

/**
 * The token's changes, when the log still has them. An expired token is the documented
 * ExpiredVersionStamp (0x80044352, "Version stamp associated with the client has expired. Please
 * perform a full sync."; its Web API status is not documented: 400 here). A token the log never issued
 * (malformed, or from the future) gets the same answer: the docs do not say what the service answers.
 */
function honoured(rc: ReadContext, text: string): ChangeToken {
  const token = parseChangeToken(text);
  if (!token || rc.state.changes.refusal(token, rc.state.now()) !== undefined) {
    throw new ODataError(400, '0x80044352', 'Version stamp associated with the client has expired. Please perform a full sync.');
  }
  return token;
}

/**
 * The request's URL with `$deltatoken=<token>` in place of its paging and token options, the token
 * encoded as the documented example (`919042%2108%2f22%2f2017%2008%3a10%3a44`: lower-case hex, `!` too).
 */
function deltaLinkOf(rc: ReadContext, token: string): string {
  const kept = rc.req.rawQuery.split('&').filter((p) => p && !/^(\$|%24)(skiptoken|deltatoken)=/i.test(p));
  const encoded = encodeURIComponent(token).replace(/!/g, '%21').replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  kept.push(`$deltatoken=${encoded}`);
  return `${rc.serviceRoot}${rc.req.rest}?${kept.join('&')}`;
}

function withoutOption(rc: ReadContext, name: string): ReadContext {
  if (!rc.options.has(name)) return rc;
  const options = new Map(rc.options);
  options.delete(name);
  return { ...rc, options };
}
