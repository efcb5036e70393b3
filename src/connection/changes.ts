/**
 * `conn.changes(table, { since, columns })`: a table's rows, then only what changed, through the
 * service's change tracking (Dataverse: `Prefer: odata.track-changes` and the `@odata.deltaLink`
 * it answers; "Use change tracking to synchronize data with external systems").
 *
 *   initial:  GET accounts?$select=name,accountid            Prefer: odata.track-changes,odata.maxpagesize=5000
 *             → rows (nextLinks), the last page's @odata.deltaLink …&$deltatoken=919042!08/22/2017 08:10:44
 *   later:    GET accounts?$select=name,accountid&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44
 *             → rows created or updated since, {"@odata.context":"…$deletedEntity","id":"…","reason":"deleted"}, a new deltaLink
 *
 * The request is the plan of `SELECT <columns> FROM <table>` (always OData, never FetchXML), so the
 * columns, their `$select` and the values' types are exactly those of `conn.query()`; pages go
 * through the connection's executor (throttle, retries, the statement signal). The token is the
 * deltaLink's `$deltatoken`, opaque: the next call sends it back with the same columns.
 */
import type { Column, SqlType } from '../catalog/types.js';
import { indexCatalog } from '../catalog/index.js';
import { DynasqlError } from '../errors/index.js';
import { abortError, type HttpResponse } from '../http/index.js';
import { trimDecimal } from '../local/index.js';
import { decoderFor, parsePage, sourceKey, type DecodedValue, type JsonValue, type ValueDecoder } from '../odata/index.js';
import type { RemoteScanStep } from '../plan/index.js';
import { ProgressReporter } from './progress.js';
import { rowPresenter, type ValueOptions } from './result-values.js';
import { prepareReadingMetadata, type StatementContext } from './statement.js';
import type { ChangeRecord, ChangesOptions, Progress, ResultColumn, Row } from './types.js';

export interface ChangesContext {
  statement: StatementContext;
  values: ValueOptions;
}

/** The records of one `changes()` call: upserts and deletes as the service lists them, then `end` with the next token. */
export async function* readChanges(ctx: ChangesContext, tableName: string, options: ChangesOptions, signal: AbortSignal): AsyncGenerator<ChangeRecord> {
  const read = await planChangeRead(ctx.statement, tableName, options.columns, options.pageSize, signal);
  const present = rowPresenter(read.outputs.map((o) => columnType(o.column, o.name)), ctx.values);
  const trims = read.outputs.filter((o) => o.column.edmType === 'Edm.Decimal').map((o) => o.name);
  for await (const record of changeRecords(ctx.statement, read, options.since, signal, options.onProgress)) {
    if (record.kind !== 'upsert') {
      yield record;
      continue;
    }
    // decimals as query() hands them out: exact text without trailing zeros
    for (const name of trims) {
      const value = record.values[name];
      if (typeof value === 'string') record.values[name] = trimDecimal(value);
    }
    yield { kind: 'upsert', key: record.key, row: present(record.values as Row) };
  }
}

/** A record with the values as decoded from the page (the local engine's input; `readChanges` presents them as query() does). */
type RawChange = { kind: 'upsert'; key: string; values: Record<string, DecodedValue> } | { kind: 'delete'; key: string } | { kind: 'end'; token: string };

/**
 * The pages of one change read, one page ahead of the caller (as remote-rows.ts reads a scan): while
 * the caller applies page N, page N+1 is on its way. A caller that stops early aborts the read-ahead.
 */
async function* changeRecords(
  ctx: StatementContext, read: ChangeRead, since: string | undefined, signal: AbortSignal | undefined, onProgress?: (progress: Progress) => void,
): AsyncGenerator<RawChange> {
  const headers = trackingHeaders(read.step.request.headers, read.pageSize, since === undefined);
  const stop = new AbortController();
  const requestSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const seen = new Set<string>();
  const fetchPage = (url: string, page: number) => {
    if (seen.has(url)) throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service returned the same @odata.nextLink twice (page ${page + 1})`);
    seen.add(url);
    const pending = ctx.executor.send({ method: 'GET', url, headers, signal: requestSignal });
    // a read-ahead's failure is reported when the caller reaches that page, not as an unhandled rejection now
    pending.catch(() => undefined);
    return pending;
  };
  let token: string | undefined;
  const progress = new ProgressReporter(ctx.executor, onProgress);
  const counts = { rows: 0, pages: 0 };
  try {
    let pending: Promise<HttpResponse> | undefined = fetchPage(since === undefined ? read.step.request.url : withDeltaToken(read.step.request.url, since), 0);
    for (let page = 0; pending !== undefined; page++) {
      const parsed = parsePage((await pending).text(), read.step.columns);
      pending = parsed.nextLink === undefined ? undefined : fetchPage(parsed.nextLink, page + 1);
      if (parsed.nextLink === undefined && parsed.deltaLink !== undefined) token = deltaTokenOf(parsed.deltaLink, ctx.serviceRoot);
      counts.pages++;
      counts.rows += parsed.rows.length;
      progress.tick(counts);
      for (const raw of parsed.rows) {
        if (signal?.aborted) throw abortError(signal);
        const deleted = deletedKey(raw);
        if (deleted !== undefined) {
          yield { kind: 'delete', key: deleted };
          continue;
        }
        const key = raw[read.keyProperty];
        if (typeof key !== 'string') throw new DynasqlError('DYNASQL_ERR_SERVICE', `A changed ${read.tableName} row came without its key '${read.keyProperty}'`);
        const values: Record<string, DecodedValue> = {};
        for (const o of read.outputs) values[o.name] = o.decode(raw[o.key]);
        yield { kind: 'upsert', key: key.toLowerCase(), values };
      }
    }
  } finally {
    stop.abort(new DynasqlError('DYNASQL_ERR_CANCELLED', 'The change read was closed.'));
  }
  if (token === undefined) {
    // the service ignored the preference: the table is not tracked (the service may also refuse with 0x80072491)
    throw new DynasqlError('DYNASQL_ERR_CHANGE_TRACKING_OFF', `The service answered ${read.tableName} without a delta link: change tracking is not enabled for it`);
  }
  progress.done(counts);
  yield { kind: 'end', token };
}

/** the change-kind and token columns of `changes()` in SQL, before the table's own */
const KIND_COLUMN = 'change_kind';
const TOKEN_COLUMN = 'change_token';
const NVARCHAR: SqlType = { name: 'nvarchar', length: 4000 };

export interface ChangesTable {
  columns: { name: string; edmType: string; sqlType: SqlType }[];
  rows: Record<string, DecodedValue>[];
  /** the EXPLAIN line */
  request: string;
}

/**
 * `SELECT … FROM changes('account', @token)`: the records as rows of a local table, `change_kind`
 * ('upsert', 'delete', and one last 'end' row), `change_token` (the next call's token, on every row),
 * then the table's columns (those of `SELECT *`; a deleted row has its key only, the rest NULL).
 * A NULL or omitted token is the initial read.
 */
export async function changesTable(ctx: StatementContext, args: readonly unknown[], signal: AbortSignal | undefined, dryRun: boolean): Promise<ChangesTable> {
  const [tableName, since] = args;
  if (typeof tableName !== 'string' || tableName === '') throw new DynasqlError('DYNASQL_ERR_TYPE', "changes() takes the table's name as its first argument, a string: changes('account', @token)");
  if (since !== null && since !== undefined && (typeof since !== 'string' || since === '')) {
    throw new DynasqlError('DYNASQL_ERR_TYPE', "changes() takes the token of an earlier read's end row as its second argument, a string (or NULL for the initial read)");
  }
  const read = await planChangeRead(ctx, tableName, undefined, undefined, signal);
  const keyName = read.outputs.find((o) => o.key === read.keyProperty)?.name;
  for (const name of [KIND_COLUMN, TOKEN_COLUMN]) {
    if (read.outputs.some((o) => o.name.toLowerCase() === name)) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `changes(): ${read.tableName} has a column named ${name}, which changes() adds; use conn.changes() instead`);
  }
  const table: ChangesTable = {
    columns: [
      { name: KIND_COLUMN, edmType: 'Edm.String', sqlType: NVARCHAR }, { name: TOKEN_COLUMN, edmType: 'Edm.String', sqlType: NVARCHAR },
      ...read.outputs.map((o) => ({ name: o.name, edmType: o.column.edmType, sqlType: o.column.sqlType })),
    ],
    rows: [],
    request: `GET ${ctx.serviceRoot}${typeof since === 'string' ? withDeltaToken(read.step.request.url, since) : read.step.request.url}${typeof since === 'string' ? '' : ' (Prefer: odata.track-changes)'}`,
  };
  if (dryRun) return table;
  const empty = Object.fromEntries(read.outputs.map((o) => [o.name, null])) as Record<string, DecodedValue>;
  for await (const record of changeRecords(ctx, read, typeof since === 'string' ? since : undefined, signal)) {
    if (record.kind === 'end') {
      for (const row of table.rows) row[TOKEN_COLUMN] = record.token;
      table.rows.push({ [KIND_COLUMN]: 'end', [TOKEN_COLUMN]: record.token, ...empty });
    } else if (record.kind === 'delete') {
      table.rows.push({ [KIND_COLUMN]: 'delete', [TOKEN_COLUMN]: null, ...empty, ...(keyName ? { [keyName]: record.key } : {}) });
    } else {
      table.rows.push({ [KIND_COLUMN]: 'upsert', [TOKEN_COLUMN]: null, ...record.values });
    }
  }
  return table;
}

interface ChangeRead {
  tableName: string;
  step: RemoteScanStep;
  pageSize: number;
  /** the property holding the primary key in each row (`accountid`) */
  keyProperty: string;
  /** the caller's columns: each one's name, the property it is read from and its decoder (query()'s) */
  outputs: { name: string; column: Column; key: string; decode: ValueDecoder }[];
}

/** The one OData request of `SELECT <columns> FROM <table>`, refused when the table or a column cannot be read by change tracking. */
async function planChangeRead(
  ctx: StatementContext, tableName: string, requested: readonly string[] | undefined, pageSize: number | undefined, signal: AbortSignal | undefined,
): Promise<ChangeRead> {
  const table = indexCatalog(ctx.catalog).requireTable(tableName);
  if (ctx.facts.edition !== 'dataverse') {
    throw new DynasqlError('DYNASQL_ERR_CHANGE_TRACKING_OFF', `Finance & Operations has no change tracking over OData; read ${table.name} whole instead`);
  }
  if (table.capabilities.changeTracking === false) {
    throw new DynasqlError('DYNASQL_ERR_CHANGE_TRACKING_OFF', `Change tracking is not enabled for ${table.name} (its $metadata says Org.OData.Capabilities.V1.ChangeTracking Supported=false): turn on Track changes in the table's settings`);
  }
  const keyName = table.primaryKey.length === 1 ? table.primaryKey[0]! : undefined;
  if (keyName === undefined) throw new DynasqlError('DYNASQL_ERR_CHANGE_TRACKING_OFF', `${table.name} has a key of ${table.primaryKey.length} columns; change tracking needs a one-column key`);
  const wanted = requested ?? ['*'];
  const withKey = wanted.some((c) => c === '*' || c.toLowerCase() === keyName.toLowerCase()) ? wanted : [...wanted, keyName];
  const sql = `SELECT ${withKey.map((c) => (c === '*' ? '*' : quote(c))).join(', ')} FROM ${quote(table.name)}`;
  // OData only: FetchXML has no change tracking; no push-down choices differ for a plain column list
  const statement: StatementContext = { ...ctx, remoteLanguage: 'odata', pushdown: true };
  const { plan } = await prepareReadingMetadata(statement, sql, undefined, 'tsql', signal);
  const step = plan.scans[0];
  if (plan.output.kind !== 'direct' || plan.scans.length !== 1 || step?.kind !== 'remoteScan' || step.fetchXml || step.expand?.length || step.rowLimit !== undefined || step.countOnly) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `These columns of ${table.name} cannot be read through change tracking (they need more than one plain request)`);
  }
  const { names, columns } = plan.output;
  // the key added for the records' `key` is not one of the caller's columns
  const count = withKey.length > wanted.length ? names.length - 1 : names.length;
  const outputs = columns.slice(0, count).map((column, i) => ({ name: names[i]!, column, key: sourceKey(column), decode: decoderFor(column) }));
  const keyColumn = table.columns.find((c) => c.name.toLowerCase() === keyName.toLowerCase())!;
  return { tableName: table.name, step, keyProperty: keyColumn.odataName, pageSize: pageSize ?? ctx.pageSize, outputs };
}

function quote(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

function columnType(column: Column, name: string): ResultColumn {
  return { name, type: column.sqlType.name };
}

/** the scan's headers with `odata.track-changes` (initial reads only: a delta link carries its own) and the page size */
function trackingHeaders(headers: Record<string, string>, pageSize: number, initial: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  let prefer: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'prefer') prefer = value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((p) => p.trim()).filter((p) => p && !/^odata\.maxpagesize=/i.test(p));
    else out[name] = value;
  }
  out.Prefer = [...(initial ? ['odata.track-changes'] : []), `odata.maxpagesize=${pageSize}`, ...prefer].join(',');
  return out;
}

/** `accounts?$select=name` + token → `accounts?$select=name&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44` */
function withDeltaToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}$deltatoken=${encodeURIComponent(token)}`;
}

function deltaTokenOf(deltaLink: string, serviceRoot: string): string {
  let token: string | null;
  try {
    token = new URL(deltaLink, serviceRoot).searchParams.get('$deltatoken');
  } catch {
    token = null;
  }
  if (!token) throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service's delta link has no $deltatoken: ${deltaLink.slice(0, 200)}`);
  return token;
}

/**
 * The key of a deleted-row entry, or undefined for a row. Dataverse writes OData 4.0's form,
 * `{"@odata.context":"…/$metadata#accounts/$deletedEntity","id":"2e451703-…","reason":"deleted"}`;
 * OData 4.01's `{"@removed":{"reason":"deleted"},"@id":"accounts(2e451703-…)"}` is read too.
 */
function deletedKey(raw: Record<string, JsonValue>): string | undefined {
  const context = raw['@odata.context'];
  if (typeof context === 'string' && context.endsWith('/$deletedEntity')) {
    const id = raw.id;
    if (typeof id !== 'string') throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service listed a deleted row without its id');
    return keyText(id);
  }
  if (raw['@removed'] !== undefined) {
    const id = raw['@id'] ?? raw['@odata.id'];
    if (typeof id !== 'string') throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service listed a removed row without its @id');
    return keyText(id);
  }
  return undefined;
}

/** a bare GUID, or the key inside an entity URL's parentheses (`accounts(2e45…)`) */
function keyText(id: string): string {
  const inside = /\(([^()]*)\)\s*$/.exec(id)?.[1] ?? id;
  return inside.replace(/^'|'$/g, '').toLowerCase();
}
