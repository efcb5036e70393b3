import type { Middleware } from '../context.js';
import { ODataError, queryError, segmentNotFound } from '../errors.js';
import { handleBatch } from '../http/batch.js';
import { splitPath } from '../http/path.js';
import type { EmulatorState, ODataRequest, ODataResponse } from '../state.js';
import { parseEdmx, type EdmModel, type EntityTypeDef } from '../metadata/model.js';
import type { Expr } from '../query/ast.js';
import { compileFilterExpr } from '../query/filter.js';
import { parseOption } from '../query/parse.js';
import { checkTopLevelOptions, prepareQuery, type PreparedExpand, type PreparedQuery } from '../query/prepare.js';
import type { QueryScope } from '../query/scope.js';
import type { Row } from '../store/row.js';
import { Store } from '../store/store.js';
import { adaptFinopsFilter } from './finops-filter.js';
import { keySegment, parseKey } from './finops-keys.js';
import { FINOPS_APPLICATION_BUILD, FINOPS_ENTITIES, FINOPS_NAMESPACE, type FinopsEntity, type FinopsNavigation } from './finops-schema.js';
import { FinopsStore, keyString } from './finops-store.js';
import { coerceBody, defaultValue } from './finops-values.js';
import type { FinopsProfile } from './profile.js';

const JSON_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false';

type Reply = ODataResponse;

/** How records are written for one request: the service root for links, and `odata.metadata=full`. */
interface Output {
  root: string;
  full: boolean;
}

/** F&O's ETag: W/"<base64 of '0,<version>'>", e.g. W/"JzAsMjI1NjU0MjExNzYn" (protocol §8). */
const etagOf = (row: Row) => `W/"${Buffer.from(`'0,${row.version}'`).toString('base64')}"`;

/**
 * The Finance & Operations service under `/data/`: service document, `$metadata`, reads with
 * company scoping and `cross-company=true`, `$filter`/`$select`/`$orderby`/`$top`/`$skip`/`$count`,
 * one level of `$expand`, 10,000-row pages continued with `$skip`, composite-key URLs, writes
 * (POST 201, PATCH/PUT/DELETE 204) and the GetApplicationBuildVersion action. `$filter`,
 * `$select`, `$orderby` and `$expand` are parsed and evaluated by the emulator's shared query
 * engine; what differs from Dataverse (keys, companies, paging, enums, errors) is here.
 */
export class FinopsService {
  readonly model: EdmModel;
  readonly store: FinopsStore;
  private readonly emptyStore: Store;

  constructor(readonly profile: FinopsProfile) {
    this.model = parseEdmx(profile.metadataXml);
    this.store = new FinopsStore(FINOPS_ENTITIES, () => profile.seedRows);
    this.emptyStore = new Store(this.model, new Map());
  }

  middleware(): Middleware {
    return async (ctx, next) => {
      const [path = '/', rawQuery = ''] = splitOnce(ctx.rawUrl, '?');
      if (path === '/_emulator/reset' && ctx.method === 'POST') this.store.reset();
      const match = this.profile.matchRoot(path);
      if (!match || match instanceof ODataError) return next();
      const request: ODataRequest = {
        method: ctx.method, root: match.root, rest: match.rest, rawQuery, body: ctx.body ?? '', origin: `http://${ctx.req.headers.host ?? '127.0.0.1'}`,
        headers: Object.fromEntries(Object.entries(ctx.req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
      };
      const reply = this.handle(request);
      ctx.res.writeHead(reply.status, { 'OData-Version': '4.0', ...(reply.body !== undefined ? { 'content-length': String(Buffer.byteLength(reply.body)) } : {}), ...reply.headers });
      ctx.res.end(reply.body);
    };
  }

  /** One request (top level or a $batch part) → its response, errors in F&O's shape. */
  handle(req: ODataRequest): Reply {
    try {
      return this.route(req);
    } catch (error) {
      const odata = error instanceof ODataError ? error : new ODataError(500, '', (error as Error).message);
      // Failed writes are thrown as 500s (writeFailed); request and body errors keep their 4xx.
      const { status, body } = this.profile.errorBody(odata, odata.status >= 500 ? 'write' : 'read');
      return { status, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(body) };
    }
  }

  private route(req: ODataRequest): Reply {
    const root = `${req.origin}/data/`;
    const out: Output = { root, full: /odata\.metadata=full/i.test(req.headers.accept ?? '') };
    const query = req.rawQuery;
    const rest = this.resolveContentId(req);
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      throw queryError(`The request URI '${rest}' is not valid.`);
    }
    const segments = splitPath(decoded);
    if (segments.length === 0) {
      if (req.method !== 'GET') throw methodNotAllowed(req.method);
      return json(200, { '@odata.context': `${root}$metadata`, value: FINOPS_ENTITIES.map((e) => ({ name: e.set, kind: 'EntitySet', url: e.set })) });
    }
    const [first, ...more] = segments;
    if (first!.name === '$metadata' && !first!.args && more.length === 0) {
      return { status: 200, headers: { 'Content-Type': 'application/xml' }, body: this.profile.metadataXml };
    }
    if (first!.name === '$batch' && more.length === 0) {
      if (req.method !== 'POST' || req.contentIds) throw methodNotAllowed(req.method);
      // The shared $batch engine needs only the profile and an atomic store from the state it is given.
      const batchState = { profile: this.profile, store: this.store } as unknown as EmulatorState;
      return handleBatch(batchState, req, (_state, part) => this.handle(part));
    }
    const entity = FINOPS_ENTITIES.find((e) => e.set === first!.name);
    if (!entity) throw segmentNotFound(first!.name);
    const table = this.store.table(entity.set)!;
    const params = new URLSearchParams(query);
    const crossCompany = (params.get('cross-company') ?? '').toLowerCase() === 'true';

    if (first!.args === undefined) {
      if (more.length === 0) {
        if (req.method === 'GET') return this.readCollection(entity, this.companyRows(entity, crossCompany), out, query);
        if (req.method === 'POST') return this.create(req, entity, out, crossCompany);
        throw methodNotAllowed(req.method);
      }
      if (more.length === 1 && more[0]!.name === '$count' && req.method === 'GET') {
        const rows = this.filtered(entity, this.companyRows(entity, crossCompany), options(query));
        return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: String(rows.length) };
      }
      if (more.length === 1 && more[0]!.name === `${FINOPS_NAMESPACE}.GetApplicationBuildVersion` && entity.set === 'DataManagementDefinitionGroups') {
        if (req.method !== 'POST') throw methodNotAllowed(req.method);
        return json(200, { '@odata.context': `${root}$metadata#Edm.String`, value: FINOPS_APPLICATION_BUILD });
      }
      throw segmentNotFound(more[0]!.name);
    }

    const keyValues = parseKey(entity, first!.args);
    const key = keyString(entity, keyValues);
    // a key URL reaches what the collection shows: another company's row only with cross-company=true
    const found = table.get(key);
    const row = found && this.inScope(entity, found.values.dataAreaId, crossCompany) ? found : undefined;
    if (more.length === 0) {
      switch (req.method) {
        case 'GET':
          if (!row) throw notFound(entity, keyValues);
          return this.readSingle(entity, row, out, query);
        case 'PATCH':
        case 'PUT':
          return this.update(req, entity, key, keyValues, row, req.method === 'PUT');
        case 'DELETE':
          if (!row) throw notFound(entity, keyValues);
          checkIfMatch(req, row);
          table.delete(key);
          return { status: 204, headers: {} };
        default:
          throw methodNotAllowed(req.method);
      }
    }
    const nav = (entity.navigations ?? []).find((n) => n.name === more[0]!.name);
    if (!nav || more.length > 1 || more[0]!.args !== undefined) throw segmentNotFound(more[0]!.name);
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    if (!row) throw notFound(entity, keyValues);
    const target = FINOPS_ENTITIES.find((e) => e.type === nav.target)!;
    const related = this.related(entity, nav, [row]).get(row) ?? [];
    if (nav.collection) return this.readCollection(target, related, out, query);
    if (!related[0]) return { status: 204, headers: {} };
    return this.readSingle(target, related[0], out, query);
  }

  /**
   * Company scoping, one rule for every request (protocol §8, F&O "Cross-company": "By default only the
   * user's default company is returned. `?cross-company=true` returns all companies"): without
   * cross-company=true a request acts in the default company, so reads, key URLs and creates alike
   * reach no other company's rows. The documentation speaks of reads; that writes are scoped the same
   * way is this emulator's reading of it (README, known differences).
   */
  private inScope(entity: FinopsEntity, dataAreaId: unknown, crossCompany: boolean): boolean {
    return !entity.companySpecific || crossCompany || String(dataAreaId ?? '').toLowerCase() === this.profile.defaultCompany;
  }

  /** Rows the request may see: the default company's, or every company's with `cross-company=true`. */
  private *companyRows(entity: FinopsEntity, crossCompany: boolean): Iterable<Row> {
    for (const row of this.store.table(entity.set)!.scan()) {
      if (this.inScope(entity, row.values.dataAreaId, crossCompany)) yield row;
    }
  }

  private prepare(entity: FinopsEntity, opts: Map<string, string>): PreparedQuery {
    const type = this.typeOf(entity);
    const scope = this.scope(opts);
    checkTopLevelOptions(scope, opts);
    if (opts.has('$apply')) throw queryError("The query parameter '$apply' is not supported.");
    if (opts.has('$skiptoken')) throw queryError("The query parameter '$skiptoken' is not supported.");
    const skip = opts.get('$skip');
    if (skip !== undefined && !/^\d+$/.test(skip)) throw queryError(`Invalid value '${skip}' for $skip query option found. The $skip query option requires a non-negative integer value.`);
    const withoutFilter = new Map(opts);
    withoutFilter.delete('$filter');
    const prepared = prepareQuery(scope, type, withoutFilter);
    const filterText = opts.get('$filter');
    if (filterText !== undefined) {
      const expr = adaptFinopsFilter(parseOption<Expr>('filter', filterText), type, this.model);
      prepared.filter = compileFilterExpr(scope, type, expr, filterText);
    }
    return prepared;
  }

  private filtered(entity: FinopsEntity, rows: Iterable<Row>, opts: Map<string, string>): Row[] {
    const prepared = this.prepare(entity, opts);
    return collect(rows, prepared.filter, Infinity);
  }

  private readCollection(entity: FinopsEntity, rows: Iterable<Row>, out: Output, query: string): Reply {
    const root = out.root;
    const opts = options(query);
    const prepared = this.prepare(entity, opts);
    const skip = Number(opts.get('$skip') ?? 0);
    const top = prepared.top;
    const pageSize = this.profile.pageSize.max;
    // Without ordering or a count, rows past this page (plus one, to know there is more) are not needed.
    const enough = prepared.order || opts.get('$count') === 'true' ? Infinity : skip + Math.min(pageSize, top ?? Infinity) + 1;
    let matched = collect(rows, prepared.filter, enough);
    if (prepared.order) matched = matched.sort(prepared.order);
    const wanted = top === undefined ? matched.length - skip : Math.min(top, Math.max(0, matched.length - skip));
    const page = matched.slice(skip, skip + Math.min(pageSize, Math.max(0, wanted)));
    const body: Record<string, unknown> = { '@odata.context': `${root}$metadata#${entity.set}${selectSuffix(prepared)}` };
    if (opts.get('$count') === 'true') body['@odata.count'] = matched.length;
    body.value = this.render(entity, page, prepared, out);
    if (page.length === pageSize && skip + pageSize < matched.length && (top === undefined || top > pageSize)) {
      body['@odata.nextLink'] = `${root}${entity.set}?${nextLinkQuery(query, skip + pageSize, top === undefined ? undefined : top - pageSize)}`;
    }
    return json(200, body);
  }

  private readSingle(entity: FinopsEntity, row: Row, out: Output, query: string): Reply {
    const root = out.root;
    const opts = options(query);
    for (const name of opts.keys()) {
      if (!['$select', '$expand'].includes(name)) throw queryError(`The query option '${name}' is not allowed on a single entity.`);
    }
    const prepared = this.prepare(entity, opts);
    const record = this.render(entity, [row], prepared, out)[0]!;
    return json(200, { '@odata.context': `${root}$metadata#${entity.set}${selectSuffix(prepared)}/$entity`, ...record }, { ETag: etagOf(row) });
  }

  /**
   * Records as JSON. With `odata.metadata=full` each also gets the annotations of the documented
   * capture (protocol §8): `@odata.type`, `@odata.id`, `@odata.editLink`, `<Enum>@odata.type`, and
   * `<Nav>@odata.associationLink` / `<Nav>@odata.navigationLink`.
   */
  private render(entity: FinopsEntity, rows: Row[], prepared: PreparedQuery, out: Output): Record<string, unknown>[] {
    const names = prepared.select ?? entity.properties.map((p) => p.name);
    const navigations = entity.navigations ?? [];
    const expansions = prepared.expand.map((ex) => {
      const nav = navigations.find((n) => n.name === ex.nav.name)!;
      return { ex, nav, children: this.related(entity, nav, rows) };
    });
    return rows.map((row) => {
      const record: Record<string, unknown> = {};
      const id = keySegment(entity, row.values);
      if (out.full) {
        record['@odata.type'] = `#${FINOPS_NAMESPACE}.${entity.type}`;
        record['@odata.id'] = `${out.root}${id}`;
      }
      record['@odata.etag'] = etagOf(row);
      if (out.full) record['@odata.editLink'] = id;
      for (const name of names) {
        const type = entity.properties.find((p) => p.name === name)?.type ?? 'Edm.String';
        if (out.full && !type.startsWith('Edm.')) record[`${name}@odata.type`] = `#${FINOPS_NAMESPACE}.${type}`;
        record[name] = row.values[name] ?? null;
      }
      if (out.full) {
        for (const nav of navigations) {
          record[`${nav.name}@odata.associationLink`] = `${out.root}${id}/${nav.name}/$ref`;
          record[`${nav.name}@odata.navigationLink`] = `${out.root}${id}/${nav.name}`;
        }
      }
      for (const { ex, nav, children } of expansions) {
        const target = FINOPS_ENTITIES.find((e) => e.type === nav.target)!;
        const related = this.applyExpandQuery(ex, children.get(row) ?? []);
        const rendered = this.render(target, related, ex.query, out);
        record[nav.name] = nav.collection ? rendered : rendered[0] ?? null;
      }
      return record;
    });
  }

  private applyExpandQuery(ex: PreparedExpand, rows: Row[]): Row[] {
    let result = ex.query.filter ? rows.filter(ex.query.filter) : rows;
    if (ex.query.order) result = [...result].sort(ex.query.order);
    if (ex.query.top !== undefined) result = result.slice(0, ex.query.top);
    return result;
  }

  /**
   * The rows each parent reaches through `nav`, matched on the composite referential constraint
   * (a line's dataAreaId + SalesOrderNumber → its header), indexed once per call.
   */
  private related(entity: FinopsEntity, nav: FinopsNavigation, parents: Row[]): Map<Row, Row[]> {
    const target = FINOPS_ENTITIES.find((e) => e.type === nav.target)!;
    const pairs = nav.constraints ?? (target.navigations ?? []).find((n) => n.name === nav.partner)?.constraints?.map(([a, b]) => [b, a] as [string, string]) ?? [];
    const index = new Map<string, Row[]>();
    const probe = (values: Record<string, unknown>, side: 0 | 1) => pairs.map((p) => String(values[p[side]] ?? '').toLowerCase()).join('\u0000');
    for (const child of this.store.table(target.set)!.scan()) {
      const k = probe(child.values, 1);
      const list = index.get(k);
      if (list) list.push(child);
      else index.set(k, [child]);
    }
    return new Map(parents.map((parent) => [parent, index.get(probe(parent.values, 0)) ?? []]));
  }

  private create(req: ODataRequest, entity: FinopsEntity, out: Output, crossCompany: boolean): Reply {
    const root = out.root;
    const values = coerceBody(entity, readJson(req));
    if (entity.companySpecific && (values.dataAreaId === undefined || values.dataAreaId === '')) values.dataAreaId = this.profile.defaultCompany;
    if (typeof values.dataAreaId === 'string') values.dataAreaId = values.dataAreaId.toLowerCase();
    if (!this.inScope(entity, values.dataAreaId, crossCompany)) {
      throw writeFailed(entity, `The company '${String(values.dataAreaId)}' is not the current company '${this.profile.defaultCompany}'. Add cross-company=true to write in another company`, 'Warning');
    }
    const missing = entity.key.find((k) => values[k] === undefined || values[k] === '');
    if (missing) throw writeFailed(entity, `Field '${missing}' must be filled in.`, 'Warning');
    const table = this.store.table(entity.set)!;
    const key = keyString(entity, values);
    if (table.get(key)) {
      const names = entity.writeNames;
      const own = entity.key.filter((k) => k !== 'dataAreaId').map((k) => String(values[k])).join(', ');
      const description = names.descriptionField && values[names.descriptionField] ? `, ${String(values[names.descriptionField])}` : '';
      throw writeFailed(entity, `Cannot create a record in ${names.table}. ${names.keyLabel}: ${own}${description}.\nThe record already exists.`);
    }
    for (const p of entity.properties) if (values[p.name] === undefined) values[p.name] = defaultValue(p);
    const row = table.insert(values);
    const location = `${root}${keySegment(entity, values)}`;
    const record = this.render(entity, [row], { entity: this.typeOf(entity), expand: [] }, out)[0]!;
    return json(201, { '@odata.context': `${root}$metadata#${entity.set}/$entity`, ...record }, { Location: location, 'OData-EntityId': location, ETag: etagOf(row) });
  }

  private update(req: ODataRequest, entity: FinopsEntity, key: string, keyValues: Record<string, unknown>, row: Row | undefined, replace: boolean): Reply {
    const changes = coerceBody(entity, readJson(req));
    if (!row) throw notFound(entity, keyValues);
    checkIfMatch(req, row);
    for (const k of entity.key) {
      if (changes[k] !== undefined && String(changes[k]).toLowerCase() !== String(row.values[k]).toLowerCase()) {
        throw writeFailed(entity, `The key field '${k}' cannot be changed.`, 'Warning');
      }
    }
    const values: Record<string, unknown> = replace
      ? Object.fromEntries(entity.properties.map((p) => [p.name, entity.key.includes(p.name) ? row.values[p.name] : changes[p.name] ?? defaultValue(p)]))
      : { ...row.values, ...changes };
    for (const k of entity.key) values[k] = row.values[k];
    this.store.table(entity.set)!.update(key, values);
    return { status: 204, headers: {} };
  }

  /** A $batch part may start with a Content-ID reference: `$1/SalesOrderLines` → the URL `$1` created. */
  private resolveContentId(req: ODataRequest): string {
    const m = /^\$(\d+)(.*)$/s.exec(req.rest);
    if (!m) return req.rest;
    const url = req.contentIds?.get(m[1]!);
    if (!url) throw new ODataError(400, '', `Content-ID Reference: '$${m[1]}' does not exist in the batch context.`);
    return url.slice(url.indexOf('/data/') + '/data/'.length) + m[2];
  }

  private typeOf(entity: FinopsEntity): EntityTypeDef {
    return this.model.entityTypes.get(entity.type)!;
  }

  private scope(opts: Map<string, string>): QueryScope {
    const aliases = new Map<string, string>();
    for (const [name, value] of opts) if (name.startsWith('@')) aliases.set(name.slice(1), value);
    return {
      store: this.emptyStore, model: this.model, profile: this.profile, now: new Date(), userId: '', businessUnitId: '',
      aliases, childIndex: new Map(),
    };
  }
}

/** The `$` options (and `@` aliases) of a query string, decoded; other parameters such as cross-company are not query options. */
function options(query: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(query.replace(/\+/g, '%2B'))) {
    if (!name.startsWith('$') && !name.startsWith('@')) continue;
    if (map.has(name)) throw queryError(`Query option '${name}' was specified more than once, but it must be specified at most once.`);
    map.set(name, value);
  }
  return map;
}

/** The next page keeps the request's options and moves `$skip` on: `…?cross-company=true&$skip=10000&$top=10000`. */
function nextLinkQuery(query: string, skip: number, top: number | undefined): string {
  const kept = query.split('&').filter((p) => p && !/^(\$|%24)(skip|top)=/i.test(p));
  kept.push(`$skip=${skip}`);
  if (top !== undefined) kept.push(`$top=${top}`);
  return kept.join('&');
}

function collect(rows: Iterable<Row>, filter: ((row: Row) => boolean) | undefined, limit: number): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    if (out.length >= limit) break;
    if (!filter || filter(row)) out.push(row);
  }
  return out;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

const selectSuffix = (prepared: PreparedQuery) => (prepared.select ? `(${prepared.select.join(',')})` : '');

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

const methodNotAllowed = (method: string) => new ODataError(405, '', `The requested resource does not support http method '${method}'.`);

function notFound(entity: FinopsEntity, keyValues: Record<string, unknown>): ODataError {
  return new ODataError(404, '', `No resources were found for ${keySegment(entity, keyValues)} (${FINOPS_NAMESPACE}.${entity.type}).`);
}

/** A failed write as F&O reports it: 500, AxODataWriteException, the Infolog text in innererror.message. */
function writeFailed(entity: FinopsEntity, infolog: string, level: 'Info' | 'Warning' = 'Info'): ODataError {
  return new ODataError(500, '', `Write failed for table row of type '${entity.writeNames.entityClass}'. Infolog: ${level}: ${infolog}.`);
}

function checkIfMatch(req: ODataRequest, row: Row): void {
  const ifMatch = req.headers['if-match'];
  if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(row)) {
    throw new ODataError(412, '', 'The ETag value in the If-Match header does not match the current ETag value of the entity.');
  }
}

/** The body the server has already read (the request stream is consumed before the middleware runs). */
function readJson(req: ODataRequest): unknown {
  try {
    return JSON.parse(req.body);
  } catch {
    throw new ODataError(400, '', 'The request body is not valid JSON.');
  }
}
