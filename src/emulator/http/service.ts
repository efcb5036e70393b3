import { ODataError, queryError, recordNotFound, segmentNotFound, versionMismatch, duplicateRecord, duplicateAssociation } from '../errors.js';
import type { EntityTypeDef, NavigationDef, OperationDef } from '../metadata/model.js';
import { OPERATIONS } from '../operations/operations.js';
import type { Expr } from '../query/ast.js';
import { compileFilter } from '../query/filter.js';
import { prepareQuery } from '../query/prepare.js';
import { parseOption } from '../query/parse.js';
import { splitQuery } from '../query/query-string.js';
import { aliasText, collectionChildren, followLookup, type QueryScope } from '../query/scope.js';
import { type ManyToMany, manyToManyOf } from '../store/associations.js';
import type { Row } from '../store/row.js';
import type { Table } from '../store/table.js';
import type { EmulatorState, ODataRequest, ODataResponse } from '../state.js';
import { handleBatch } from './batch.js';
import { readEntityDefinitions } from './entity-definitions.js';
import { rememberExactNumbers, responseValue } from './exact-decimals.js';
import type { Formatter } from './format.js';
import { resolveKey, resolveReference } from './keys.js';
import { parseArgs, type Segment, splitPath } from './path.js';
import { type Preferences, parsePrefer, wantsAnnotation } from './prefer.js';
import { type ReadContext, readCollection, readSingle, type RowSource } from './read.js';
import { readFetchXml } from '../fetchxml/read.js';
import { countTracked, isTrackedRead, readTracked, type TrackedSource } from './track-changes.js';
import { etagOf, renderRecord } from './render.js';
import { emptyResponse, jsonResponse } from './respond.js';
import { coerce, createRecord, setLookup, updateRecord, type WriteContext } from './write.js';

/** Answers one OData request; errors become the edition's error body, never a crash. */
export function handleOData(state: EmulatorState, req: ODataRequest): ODataResponse {
  const during = req.method === 'GET' ? 'read' : 'write';
  try {
    return route(state, req);
  } catch (caught) {
    const error = caught instanceof ODataError ? caught : new ODataError(500, '0x80040216', `An unexpected error occurred: ${(caught as Error).message}`);
    const { status, body } = state.profile.errorBody(error, during);
    return jsonResponse(status, withErrorDetails(body, error, parsePrefer(req.headers.prefer)), error.headers);
  }
}

/** The documented exception names behind codes the emulator raises (§5), for ErrorDetails annotations. */
const MESSAGE_NAMES: Record<string, string> = {
  '0x80040217': 'ObjectDoesNotExist', '0x80040237': 'DuplicateRecord', '0x80060882': 'ConcurrencyVersionMismatch',
  '0x8004E023': 'AggregateQueryRecordLimitExceeded',
};

/**
 * With `Prefer: odata.include-annotations="*"` the service adds `@Microsoft.PowerApps.CDS.*`
 * members inside `error` (§5), e.g. `@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode: "404"`.
 */
function withErrorDetails(body: unknown, error: ODataError, prefs: Preferences): unknown {
  const inner = (body as { error?: Record<string, unknown> }).error;
  if (!inner || !error.code) return body;
  const details: Record<string, string> = {
    'Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionCategory': error.status >= 500 ? 'ServerError' : 'ClientError',
    'Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode': String(error.status),
    'Microsoft.PowerApps.CDS.HelpLink': `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${error.code.replace(/^0x/, '')}&client=platform`,
  };
  const name = MESSAGE_NAMES[error.code];
  if (name) details['Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionMessageName'] = name;
  const extra = Object.fromEntries(Object.entries(details).filter(([term]) => wantsAnnotation(prefs, term)).map(([term, v]) => [`@${term}`, v]));
  return Object.keys(extra).length ? { ...body as object, error: { ...inner, ...extra } } : body;
}

interface Call {
  state: EmulatorState;
  req: ODataRequest;
  rc: ReadContext;
  write: WriteContext;
  serviceRoot: string;
}

function route(state: EmulatorState, req: ODataRequest): ODataResponse {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.rest);
  } catch {
    throw queryError(`The request URI '${req.rest.slice(0, 200)}' is not valid.`);
  }
  const serviceRoot = `${req.origin}${req.root}`;
  let segments = splitPath(decoded);
  // Only slashes (`v9.2/`, `v9.2///`): empty segments are dropped, so this is the service root, as the
  // F&O router answers too. How the service treats repeated slashes is not documented.
  const first = segments[0];
  if (!first) return serviceDocument(state, req, serviceRoot);
  if (first.name === '$metadata' && segments.length === 1) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return { status: 200, headers: { 'Content-Type': 'application/xml', 'OData-Version': '4.0' }, body: state.model.xml };
  }
  if (first.name === '$batch' && segments.length === 1) {
    if (req.method !== 'POST') throw methodNotAllowed(req.method);
    if (req.contentIds) throw queryError('Nested $batch requests are not supported.');
    return handleBatch(state, req, handleOData);
  }
  const contentRef = /^\$(\d+)$/.exec(first.name);
  if (contentRef && req.contentIds) {
    const url = req.contentIds.get(contentRef[1]!);
    if (!url) throw queryError(`Content-ID Reference: '$${contentRef[1]}' does not exist in the batch context.`);
    segments = [...splitPath(decodeURIComponent(url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/^\/?api\/data\/v\d+\.\d+\//, ''))), ...segments.slice(1)];
  }
  if (/(^|&)(\$|%24)fetchXml=/i.test(req.rawQuery)) throw queryError('The query parameter $fetchXml is not supported');
  const fetchXml = /(^|&)fetchXml=/i.test(req.rawQuery);
  const call = makeCall(state, req, serviceRoot);
  if (fetchXml) return readFetchXml(call.rc, segments);
  const head = segments[0]!;
  if (head.name === 'EntityDefinitions' && head.args !== undefined && state.profile.name === 'dataverse') {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return readEntityDefinitions(state, segments, call.rc.options, serviceRoot);
  }
  const entity = state.model.entitySets.get(head.name);
  if (entity) return routeEntitySet(call, entity, head, segments.slice(1));
  const operations = state.model.operations.get(head.name)?.filter((op) => !op.bound);
  if (operations?.length && segments.length === 1) return invoke(call, operations[0]!, head, undefined);
  throw segmentNotFound(head.name);
}

function makeCall(state: EmulatorState, req: ODataRequest, serviceRoot: string): Call {
  const { options, aliases } = splitQuery(req.rawQuery);
  const userId = req.user ?? state.whoAmI.UserId;
  const scope: QueryScope = {
    store: state.store, model: state.model, profile: state.profile, now: state.now(), userId,
    businessUnitId: state.whoAmI.BusinessUnitId, aliases, childIndex: new Map(),
  };
  const prefs = parsePrefer(req.headers.prefer);
  const formatter: Formatter = { store: state.store, choices: state.choices, multiSelect: state.multiSelect, prefs };
  const rc: ReadContext = { state, req, scope, prefs, formatter, serviceRoot, options };
  return { state, req, rc, write: { userId, contentIds: req.contentIds }, serviceRoot };
}

function serviceDocument(state: EmulatorState, req: ODataRequest, serviceRoot: string): ODataResponse {
  if (req.method !== 'GET') throw methodNotAllowed(req.method);
  const value = [...state.model.entitySets.keys()].map((name) => ({ name, kind: 'EntitySet', url: name }));
  for (const name of state.model.imports) {
    const op = state.model.operations.get(name)?.[0];
    value.push({ name, kind: op?.kind === 'Action' ? 'ActionImport' : 'FunctionImport', url: name });
  }
  return jsonResponse(200, { '@odata.context': `${serviceRoot}$metadata`, value });
}

const methodNotAllowed = (method: string) => new ODataError(405, '0x80060888', `The HTTP method '${method}' is not allowed for this resource.`);

function tableOf(call: Call, entity: EntityTypeDef): Table {
  const table = call.state.store.table(entity.name);
  if (!table) throw segmentNotFound(entity.entitySet ?? entity.name);
  return table;
}

function routeEntitySet(call: Call, entity: EntityTypeDef, head: Segment, rest: Segment[]): ODataResponse {
  const table = tableOf(call, entity);
  const { req } = call;
  const setName = head.name;
  if (head.args === undefined) {
    if (rest.length === 0) {
      if (req.method === 'GET' && isTrackedRead(call.rc)) return readTracked(call.rc, trackedSource(call, table, setName));
      if (req.method === 'GET') {
        return readCollection(call.rc, {
          entity, entitySet: setName, scan: (after, created, filter) => table.scan(after, created, filter), byCreated: (descending) => table.scanByCreated(descending), count: () => table.count(),
        });
      }
      if (req.method === 'POST') return create(call, table, setName);
      throw methodNotAllowed(req.method);
    }
    const next = rest[0]!;
    if (next.name === '$count' && rest.length === 1 && req.method === 'GET' && call.rc.options.has('$deltatoken')) {
      return textResponse(String(countTracked(call.rc, trackedSource(call, table, setName))));
    }
    if (next.name === '$count' && rest.length === 1) {
      // Without a filter the table knows its size: no need to make a million seed rows.
      if (!call.rc.options.has('$filter') && req.method === 'GET') return textResponse(String(table.count()));
      return countResponse(call, entity, table.scan());
    }
    const op = boundOperation(call, next, entity, true);
    if (op) return invoke(call, op, next, undefined);
    throw segmentNotFound(next.name);
  }
  const { id, row } = resolveKey(call.state, table, head.args);
  if (rest.length === 0) return routeRecord(call, table, setName, id, row);
  if (!row) throw recordNotFound(entity.name, id ?? head.args);
  const record = { table, id: id!, row };
  const next = rest[0]!;
  const op = boundOperation(call, next, entity, false);
  if (op) return invoke(call, op, next, record);
  const property = entity.properties.get(next.name);
  if (property && rest.length === 1) return routeProperty(call, table, setName, record, next.name);
  const nav = entity.navigations.get(next.name);
  if (nav) return routeNavigation(call, table, record, next, rest.slice(1));
  if (unboundNameOfBoundOperation(call, next.name)) throw queryError('Request message has unresolved parameters');
  throw segmentNotFound(next.name);
}

/** an entity set as change tracking reads it: its rows, and the tables whose changes it shows (an abstract set's derived ones) */
function trackedSource(call: Call, table: Table, setName: string): TrackedSource {
  const store = call.state.store;
  return {
    entity: table.entity, entitySet: setName, scan: (after, created, filter) => table.scan(after, created, filter), count: () => table.count(),
    tables: store.tablesOfType(table.entity.name).filter((t) => !t.entity.abstract).map((t) => t.entity.name),
    get: (id) => table.get(id),
  };
}

/** `Microsoft.Dynamics.CRM.QualifyLead` bound to `entity` (or its collection). */
function boundOperation(call: Call, segment: Segment, entity: EntityTypeDef, collection: boolean): OperationDef | undefined {
  const prefix = `${call.state.model.namespace}.`;
  const alias = call.state.model.alias ? `${call.state.model.alias}.` : undefined;
  const name = segment.name.startsWith(prefix) ? segment.name.slice(prefix.length) : alias && segment.name.startsWith(alias) ? segment.name.slice(alias.length) : undefined;
  if (!name) {
    if (unboundNameOfBoundOperation(call, segment.name)) throw queryError('Request message has unresolved parameters');
    return undefined;
  }
  const candidates = call.state.model.operations.get(name)?.filter((op) => op.bound && Boolean(op.bindingCollection) === collection) ?? [];
  const types = new Set<string>();
  for (let t: EntityTypeDef | undefined = entity; t; t = t.baseType ? call.state.model.entityTypes.get(t.baseType) : undefined) types.add(t.name);
  const op = candidates.find((c) => types.has(c.bindingType!));
  if (!op) throw segmentNotFound(segment.name);
  return op;
}

const unboundNameOfBoundOperation = (call: Call, name: string) =>
  call.state.model.operations.get(name)?.some((op) => op.bound) === true;

function invoke(call: Call, op: OperationDef, segment: Segment, bound: { table: Table; id: string; row: Row } | undefined): ODataResponse {
  const { req } = call;
  if (op.kind === 'Function' && req.method !== 'GET') throw methodNotAllowed(req.method);
  if (op.kind === 'Action' && req.method !== 'POST') throw methodNotAllowed(req.method);
  const handler = OPERATIONS[op.name];
  if (!handler) throw new ODataError(501, '0x80060888', `The operation '${op.name}' is not implemented by the emulator.`);
  let params: Record<string, unknown> = {};
  if (op.kind === 'Function') {
    const named = segment.args ? parseArgs(segment.args).named : new Map<string, string>();
    for (const [name, text] of named) params[name] = functionArgument(call.rc.scope, text);
  } else if (req.body.trim()) {
    try {
      params = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      throw queryError('The request body is not valid JSON.');
    }
  }
  return handler({ state: call.state, scope: call.rc.scope, def: op, params, bound, serviceRoot: call.serviceRoot, write: call.write });
}

/** `['account']`, `'text'`, `5` or `@p1` (an alias holding one of those). */
function functionArgument(scope: QueryScope, text: string): unknown {
  const raw = text.startsWith('@') ? aliasText(scope, text.slice(1)) : text;
  const node = parseOption<Expr>('aliasValue', raw);
  if (node.type === 'array') return node.items;
  if (node.type === 'literal') return node.value;
  if (node.type === 'path') return node.segments.join('/');
  throw queryError(`The function parameter value '${text}' is not valid.`);
}

function countResponse(call: Call, entity: EntityTypeDef, rows: Iterable<Row>): ODataResponse {
  if (call.req.method !== 'GET') throw methodNotAllowed(call.req.method);
  const filterText = call.rc.options.get('$filter');
  const filter = filterText !== undefined ? compileFilter(call.rc.scope, entity, filterText) : undefined;
  let n = 0;
  for (const row of rows) if (!filter || filter(row)) n++;
  return textResponse(String(n));
}

const textResponse = (body: string): ODataResponse => ({ status: 200, headers: { 'Content-Type': 'text/plain', 'OData-Version': '4.0' }, body });

function routeRecord(call: Call, table: Table, setName: string, id: string | undefined, row: Row | undefined): ODataResponse {
  const { req, state } = call;
  const entity = table.entity;
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  switch (req.method) {
    case 'GET': {
      if (!row) throw recordNotFound(entity.name, id ?? '');
      const conditional = ifNoneMatch && ifNoneMatch !== 'null' && !call.rc.options.has('$expand') && !call.rc.prefs.includeAnnotations;
      if (conditional && ifNoneMatch === etagOf(row)) return emptyResponse(304, { ETag: etagOf(row) });
      return readSingle(call.rc, entity, setName, row);
    }
    case 'PATCH': {
      if (ifMatch === '*' && !row) throw recordNotFound(entity.name, id ?? '');
      if (ifMatch && ifMatch !== '*') {
        if (!row) throw recordNotFound(entity.name, id ?? '');
        if (ifMatch !== etagOf(row)) throw versionMismatch();
      }
      if (ifNoneMatch === '*' && row) throw duplicateRecord();
      const body = parseBody(req.body);
      const written = row ? updateRecord(state, table, row, body, call.write) : createRecord(state, table, withAlternateKey(call, table, body), call.write, id);
      const writtenId = String(written.values[table.primaryKey]);
      if (call.rc.prefs.returnRepresentation) return representation(call, table, setName, written, row ? 200 : 201);
      return emptyResponse(204, { 'OData-EntityId': `${call.serviceRoot}${setName}(${writtenId})` });
    }
    case 'DELETE': {
      if (!row) throw recordNotFound(entity.name, id ?? '');
      if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(row)) throw versionMismatch();
      state.store.deleteRecord(table, id!);
      return emptyResponse(204);
    }
    case 'PUT':
      throw queryError('PUT is only supported on a single property; use PATCH to update a record.');
    default:
      throw methodNotAllowed(req.method);
  }
}

/** An upsert by alternate key that creates: the key's values become columns of the new record. */
function withAlternateKey(call: Call, table: Table, body: Record<string, unknown>): Record<string, unknown> {
  const head = splitPath(decodeURIComponent(call.req.rest))[0]!;
  const named = head.args ? parseArgs(head.args).named : new Map<string, string>();
  const extra: Record<string, unknown> = {};
  for (const [name, text] of named) {
    if (name === table.primaryKey || !table.entity.properties.has(name) || table.entity.lookups.has(name)) continue;
    extra[name] = /^'.*'$/s.test(text) ? text.slice(1, -1).replace(/''/g, "'") : Number(text);
  }
  return { ...extra, ...body };
}

function parseBody(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = text.trim() ? JSON.parse(text) : undefined;
  } catch (error) {
    throw queryError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw queryError('The request body must be a JSON object.');
  rememberExactNumbers(body as Record<string, unknown>, text);
  return body as Record<string, unknown>;
}

function create(call: Call, table: Table, setName: string): ODataResponse {
  const body = parseBody(call.req.body);
  const row = call.state.store.atomically(() => createRecord(call.state, table, body, call.write));
  const id = String(row.values[table.primaryKey]);
  if (call.rc.prefs.returnRepresentation) return representation(call, table, setName, row, 201);
  return emptyResponse(204, { 'OData-EntityId': `${call.serviceRoot}${setName}(${id})` });
}

/** `Prefer: return=representation`: the written record with `$select` honoured ($expand ignored on update). */
function representation(call: Call, table: Table, setName: string, row: Row, status: number): ODataResponse {
  const options = new Map([...call.rc.options].filter(([k]) => k === '$select' || (status === 201 && k === '$expand')));
  const query = prepareQuery(call.rc.scope, table.entity, options);
  const render = { scope: call.rc.scope, formatter: call.rc.formatter, serviceRoot: call.serviceRoot };
  const select = query.select ? `(${query.select.join(',')})` : '';
  return jsonResponse(status, { '@odata.context': `${call.serviceRoot}$metadata#${setName}${select}/$entity`, ...renderRecord(render, table.entity, row, query) },
    { 'Preference-Applied': 'return=representation', ETag: etagOf(row) });
}

function routeProperty(call: Call, table: Table, setName: string, record: { id: string; row: Row }, name: string): ODataResponse {
  const { req, state } = call;
  const entity = table.entity;
  const property = entity.properties.get(name)!;
  switch (req.method) {
    case 'GET': {
      const value = record.row.values[name] ?? null;
      if (value === null) return emptyResponse(204);
      return jsonResponse(200, { '@odata.context': `${call.serviceRoot}$metadata#${setName}(${record.id})/${name}`, value: responseValue(record.row, name, value) });
    }
    case 'PUT': {
      const body = parseBody(req.body);
      if (!('value' in body)) throw queryError("The request body must contain the property 'value'.");
      if (entity.lookups.has(name) || name === table.primaryKey) throw queryError(`The property '${name}' cannot be updated.`);
      updateRecord(state, table, record.row, { [name]: coerce(state, entity, property, body.value) }, call.write);
      return emptyResponse(204);
    }
    case 'DELETE':
      if (entity.lookups.has(name) || name === table.primaryKey) throw queryError(`The property '${name}' cannot be deleted.`);
      updateRecord(state, table, record.row, { [name]: null }, call.write);
      return emptyResponse(204);
    default:
      throw methodNotAllowed(req.method);
  }
}

function routeNavigation(call: Call, table: Table, record: { id: string; row: Row }, navSegment: Segment, rest: Segment[]): ODataResponse {
  const { req, state } = call;
  const entity = table.entity;
  const nav = entity.navigations.get(navSegment.name)!;
  const isRef = rest.length === 1 && rest[0]!.name === '$ref';
  if (rest.length > 0 && !isRef) {
    if (rest.length === 1 && rest[0]!.name === '$count' && nav.collection) {
      return countResponse(call, state.model.entityTypes.get(nav.target)!, collectionChildren(call.rc.scope, entity, record.row, nav).rows);
    }
    throw segmentNotFound(rest[0]!.name);
  }
  if (!nav.collection) {
    if (navSegment.args !== undefined) throw segmentNotFound(navSegment.name);
    if (isRef) {
      if (req.method === 'PUT') {
        const body = parseBody(req.body);
        const target = resolveReference(state, String(body['@odata.id'] ?? ''), req.contentIds);
        if (!state.store.tablesOfType(nav.target).includes(target.table)) throw queryError(`The reference is not of type '${state.model.namespace}.${nav.target}'.`);
        setLookup(state, table, record.id, nav.lookupProperty!, { id: target.id, type: target.table.entity.name });
        return emptyResponse(204);
      }
      if (req.method === 'DELETE') {
        setLookup(state, table, record.id, nav.lookupProperty!, null);
        return emptyResponse(204);
      }
      if (req.method === 'GET') {
        const target = followLookup(call.rc.scope, record.row, nav);
        if (!target) return emptyResponse(204);
        return jsonResponse(200, { '@odata.context': `${call.serviceRoot}$metadata#$ref`, '@odata.id': `${call.serviceRoot}${target.entity.entitySet}(${target.row.values[target.entity.key[0]!]})` });
      }
      throw methodNotAllowed(req.method);
    }
    if (req.method !== 'GET') throw queryError('Delete or update of a navigation property is not supported; use $ref or @odata.bind.');
    const target = followLookup(call.rc.scope, record.row, nav);
    if (!target) return emptyResponse(204);
    return readSingle(call.rc, target.entity, target.entity.entitySet!, target.row);
  }
  const target = state.model.entityTypes.get(nav.target)!;
  const partner = nav.partner ? target.navigations.get(nav.partner)?.lookupProperty : undefined;
  const m2m = manyToManyOf(state.model, nav);
  if (isRef && m2m) return routeAssociation(call, record, nav, navSegment, m2m);
  if (isRef) {
    if (req.method === 'POST') {
      const body = parseBody(req.body);
      const child = resolveReference(state, String(body['@odata.id'] ?? ''), req.contentIds);
      if (!partner) throw queryError(`Associating through '${nav.name}' is not supported by the emulator.`);
      setLookup(state, child.table, child.id, partner, { id: record.id, type: entity.name });
      return emptyResponse(204);
    }
    if (req.method === 'DELETE') {
      const childId = navSegment.args ?? splitQuery(req.rawQuery).custom.get('$id') ?? splitQuery(req.rawQuery).options.get('$id');
      if (!childId || !partner) throw queryError('Disassociate needs the related record: use <nav>(<id>)/$ref or $id=.');
      const childTable = state.store.tablesOfType(nav.target)[0]!;
      const key = /\(([^)]*)\)\s*$/.exec(childId)?.[1] ?? childId;
      setLookup(state, childTable, key, partner, null);
      return emptyResponse(204);
    }
    throw methodNotAllowed(req.method);
  }
  if (req.method !== 'GET') throw methodNotAllowed(req.method);
  const childTable = state.store.tablesOfType(nav.target)[0];
  if (!childTable) throw segmentNotFound(nav.name);
  if (navSegment.args !== undefined) {
    const { id, row } = resolveKey(state, childTable, navSegment.args);
    const children = collectionChildren(call.rc.scope, entity, record.row, nav).rows;
    // Seed rows are made on demand, so two reads of one record are equal, not identical.
    const related = row !== undefined && children.some((child) => String(child.values[childTable.primaryKey]).toLowerCase() === id);
    if (!related) throw recordNotFound(target.name, id ?? navSegment.args);
    return readSingle(call.rc, childTable.entity, childTable.entitySet, row);
  }
  const source: RowSource = {
    entity: childTable.entity,
    entitySet: childTable.entitySet,
    scan: (after, _created, filter) => {
      let rows = collectionChildren(call.rc.scope, entity, record.row, nav).rows;
      if (after) {
        const at = rows.findIndex((r) => String(r.values[childTable.primaryKey]).toLowerCase() === after);
        rows = rows.slice(at + 1);
      }
      return filter ? rows.filter(filter) : rows;
    },
  };
  return readCollection(call.rc, source);
}

/**
 * `$ref` on a many-to-many navigation (§4), which writes the intersect table:
 *   POST   accounts(<a>)/accountleads_association/$ref   {"@odata.id":"<root>leads(<l>)"}  → pair
 *   DELETE accounts(<a>)/accountleads_association(<l>)/$ref                               → unpair
 *   DELETE accounts(<a>)/accountleads_association/$ref?$id=<root>leads(<l>)               → unpair
 */
function routeAssociation(call: Call, record: { id: string; row: Row }, nav: NavigationDef, navSegment: Segment, m2m: ManyToMany): ODataResponse {
  const { req, state } = call;
  const associations = state.store.associations;
  if (req.method === 'POST') {
    if (navSegment.args !== undefined) throw segmentNotFound(`${navSegment.name}(${navSegment.args})`);
    const body = parseBody(req.body);
    const other = referencedRecord(call, nav, String(body['@odata.id'] ?? ''));
    if (!associations.add(m2m, record.id, other.id)) throw duplicateAssociation();
    return emptyResponse(204);
  }
  if (req.method === 'DELETE') {
    const { custom, options } = splitQuery(req.rawQuery);
    const reference = custom.get('$id') ?? options.get('$id');
    let otherId: string;
    if (navSegment.args !== undefined) {
      const table = state.store.tablesOfType(nav.target).find((t) => !t.entity.abstract);
      if (!table) throw segmentNotFound(nav.name);
      const { id, row } = resolveKey(state, table, navSegment.args);
      if (!id || !row) throw recordNotFound(nav.target, id ?? navSegment.args);
      otherId = id;
    } else if (reference !== undefined) {
      otherId = referencedRecord(call, nav, reference).id;
    } else {
      throw queryError('Disassociate needs the related record: use <nav>(<id>)/$ref or $id=.');
    }
    // A pair that was never made unpairs silently (see README: unverified).
    associations.remove(m2m, record.id, otherId);
    return emptyResponse(204);
  }
  throw methodNotAllowed(req.method);
}

/** The record an `@odata.id` / `$id` names, which must be of the navigation's type. */
function referencedRecord(call: Call, nav: NavigationDef, reference: string): { table: Table; id: string; row: Row } {
  const { state } = call;
  const found = resolveReference(state, reference, call.req.contentIds);
  if (!state.store.tablesOfType(nav.target).includes(found.table)) throw queryError(`The reference is not of type '${state.model.namespace}.${nav.target}'.`);
  return found;
}
