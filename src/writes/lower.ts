/**
 * Rows of column values → write operations (types.ts), pure. Lookups become
 * `<navigation>@odata.bind` to the target table the value or the `…type` column names; choice labels
 * become their values; a create carries a fresh primary key so sending it twice cannot duplicate it.
 *
 *   createOperation(ctx, [parentcustomerid, lastname], ['account(5b4…)', 'Smith'], 0)
 *   // POST contacts {"contactid":"<new>","parentcustomerid_account@odata.bind":"/accounts(5b4…)","lastname":"Smith"}
 */
import type { Column, Table } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { recordUrl } from './key-url.js';
import type { InputValue, ResolvedColumn, WriteContext, WriteOperation } from './types.js';
import { jsonValue } from './values.js';

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
/** `account(5b4…)` or `accounts(5b4…)` */
const TYPED_GUID = /^\s*([A-Za-z_][\w]*)\s*\(\s*\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?\s*\)\s*$/i;

type Mode = 'create' | 'update';

/** The JSON body of one row: `{"name":"A","primarycontactid@odata.bind":"/contacts(…)"}`. */
export function rowBody(ctx: WriteContext, columns: readonly ResolvedColumn[], values: readonly InputValue[], mode: Mode, applied?: Record<string, unknown>): [string, string][] {
  const pairs: [string, string][] = [];
  const types = new Map<string, InputValue>();
  columns.forEach((c, i) => {
    if (c.column.kind === 'lookupType' && c.column.sourceColumn) types.set(c.column.sourceColumn.toLowerCase(), values[i] ?? null);
  });
  const lookupsGiven = new Set(columns.filter((c) => c.column.kind === 'lookup').map((c) => c.column.name.toLowerCase()));
  for (const source of types.keys()) {
    if (!lookupsGiven.has(source)) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `'${source}type' names the target of lookup '${source}'; set '${source}' in the same statement`);
  }
  columns.forEach((c, i) => {
    const value = values[i] ?? null;
    const column = c.column;
    switch (column.kind) {
      case 'lookupType':
        return;
      case 'lookup': {
        const bind = lookupBind(ctx, column, value, types.get(column.name.toLowerCase()) ?? null, mode);
        if (bind) {
          pairs.push(bind);
          if (applied) applied[column.odataName] = bind[1] === 'null' ? null : /\(([^()]*)\)"$/.exec(bind[1])![1];
        }
        return;
      }
      case 'choiceLabel': {
        const source = ctx.table.columns.find((s) => s.name.toLowerCase() === column.sourceColumn?.toLowerCase());
        if (!source) throw new DynasqlError('DYNASQL_ERR_READ_ONLY_COLUMN', `Column '${column.name}' cannot be set`);
        if (value !== null && typeof value !== 'string') throw new DynasqlError('DYNASQL_ERR_TYPE', `Column '${column.name}' takes a label (text)`);
        pairs.push([source.odataName, jsonValue(source, value, ctx.labels, ctx.table)]);
        if (applied) applied[source.odataName] = JSON.parse(pairs.at(-1)![1]);
        return;
      }
      default:
        pairs.push([column.odataName, jsonValue(column, value, ctx.labels, ctx.table)]);
        if (applied) applied[column.odataName] = JSON.parse(pairs.at(-1)![1]);
    }
  });
  return pairs;
}

function lookupBind(ctx: WriteContext, column: Column, value: InputValue, typeName: InputValue, mode: Mode): [string, string] | undefined {
  const targets = column.lookupTargets ?? [];
  if (targets.length === 0) throw new DynasqlError('DYNASQL_ERR_READ_ONLY_COLUMN', `Lookup '${column.name}' has no navigation property to bind through`);
  if (value === null) {
    // clearing a lookup on update; a create simply leaves it out
    return mode === 'create' ? undefined : [`${targets[0]!.navigation}@odata.bind`, 'null'];
  }
  if (typeof value !== 'string') throw new DynasqlError('DYNASQL_ERR_TYPE', `Lookup '${column.name}' needs a GUID or 'table(GUID)'`);
  const typed = TYPED_GUID.exec(value);
  const plain = GUID.exec(value.trim());
  if (!typed && !plain) throw new DynasqlError('DYNASQL_ERR_TYPE', `Lookup '${column.name}' needs a GUID or 'table(GUID)'; got '${value.slice(0, 60)}'`);
  const id = (typed ? typed[2]! : plain![1]!).toLowerCase();
  const wanted = typed?.[1] ?? (typeof typeName === 'string' && typeName.trim() !== '' ? typeName.trim() : undefined);
  let target = targets[0]!;
  if (wanted !== undefined) {
    const lower = wanted.toLowerCase();
    const hit = targets.find((t) => t.table.toLowerCase() === lower || tableOf(ctx, t.table)?.entitySetName.toLowerCase() === lower);
    if (!hit) throw new DynasqlError('DYNASQL_ERR_TYPE', `Lookup '${column.name}' points to ${targets.map((t) => t.table).join(' or ')}, not '${wanted}'`);
    target = hit;
  } else if (targets.length > 1) {
    throw new DynasqlError('DYNASQL_ERR_TYPE',
      `Lookup '${column.name}' can point to ${targets.map((t) => t.table).join(' or ')}: set '${column.name}type' too, or write the value as '${targets[0]!.table}(${id})'`);
  }
  const table = tableOf(ctx, target.table);
  if (!table) throw new DynasqlError('DYNASQL_ERR_METADATA', `Lookup '${column.name}' points to ${target.table}, which has no entity set`);
  return [`${target.navigation}@odata.bind`, JSON.stringify(`/${table.entitySetName}(${id})`)];
}

function tableOf(ctx: WriteContext, name: string): Table | undefined {
  return ctx.tables.find((t) => t.name === name);
}

export function jsonObject(pairs: readonly [string, string][]): string {
  return `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

function primaryKeyColumns(table: Table): Column[] {
  return table.primaryKey.map((name) => table.columns.find((c) => c.name === name)!).filter(Boolean);
}

/** the key values of a row, from the columns given (F&O: `dataAreaId` may be left to the service's default company) */
function keyFromRow(table: Table, keyColumns: readonly Column[], columns: readonly ResolvedColumn[], values: readonly InputValue[]): Map<Column, InputValue> | undefined {
  const key = new Map<Column, InputValue>();
  for (const kc of keyColumns) {
    const i = columns.findIndex((c) => c.column === kc);
    if (i < 0) return undefined;
    key.set(kc, values[i] ?? null);
  }
  return key;
}

function displayKey(key: ReadonlyMap<Column, InputValue>): Record<string, unknown> {
  return Object.fromEntries([...key.entries()].map(([c, v]) => [c.name, v instanceof Date ? v.toISOString() : v]));
}

function withReturn(headers: Record<string, string>, returnRepresentation: boolean): Record<string, string> {
  // the annotations let the returned row carry lookup targets and labels (`parentcustomeridtype`)
  return returnRepresentation
    ? { ...headers, Prefer: 'return=representation,odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"' }
    : { ...headers };
}

/** POST a new record. Dataverse: with a client-generated primary key unless the statement gives one. */
export function createOperation(ctx: WriteContext, columns: readonly ResolvedColumn[], values: readonly InputValue[], row: number, returnRepresentation = false): WriteOperation & { idempotent: boolean } {
  const table = ctx.table;
  const applied: Record<string, unknown> = {};
  const pairs = rowBody(ctx, columns, values, 'create', applied);
  const keyColumns = primaryKeyColumns(table);
  let key = keyFromRow(table, keyColumns, columns, values);
  let idempotent = true;
  let ownKey = false;
  if (ctx.edition === 'dataverse' && keyColumns.length === 1 && keyColumns[0]!.edmType === 'Edm.Guid') {
    const pk = keyColumns[0]!;
    if (!key || key.get(pk) === null) {
      const id = ctx.newId();
      ownKey = true;
      key = new Map([[pk, id]]);
      const at = pairs.findIndex(([k]) => k === pk.odataName);
      if (at >= 0) pairs.splice(at, 1);
      pairs.unshift([pk.odataName, JSON.stringify(id)]);
      delete applied[pk.odataName];
    }
  } else {
    // F&O natural keys: a retried create that already ran answers "record already exists" (HTTP 500), which
    // cannot be told from a real duplicate, so such creates are not resent
    idempotent = false;
    const missing = keyColumns.filter((c) => c.name !== 'dataAreaId' && !columns.some((g) => g.column === c));
    if (missing.length > 0) throw new DynasqlError('DYNASQL_ERR_NOT_NULL', `${table.name} needs its key column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c.name}'`).join(', ')}`);
    key = new Map(keyColumns.filter((c) => columns.some((g) => g.column === c)).map((c) => [c, values[columns.findIndex((g) => g.column === c)] ?? null]));
  }
  const complete = keyColumns.every((c) => key!.get(c) !== undefined && key!.get(c) !== null);
  return {
    kind: 'create', method: 'POST', url: `${table.entitySetName}${ctx.edition === 'finops' && ctx.crossCompany ? '?cross-company=true' : ''}`, headers: withReturn(ctx.headers, returnRepresentation),
    body: jsonObject(pairs), key: displayKey(key), row, idempotent, applied, ...(ownKey ? { ownKey } : {}),
    ...(complete ? { rowUrl: recordUrl(table, key, { crossCompany: ctx.crossCompany }) } : {}),
  };
}

/** PATCH an existing record: `If-Match: *` (never creates) or the row's etag (optimistic concurrency). */
export function updateOperation(ctx: WriteContext, key: ReadonlyMap<Column, InputValue>, columns: readonly ResolvedColumn[], values: readonly InputValue[], row: number,
  options: { etag?: string; returnRepresentation?: boolean; existed?: boolean } = {}): WriteOperation {
  const applied: Record<string, unknown> = {};
  const pairs = rowBody(ctx, columns, values, 'update', applied);
  const url = recordUrl(ctx.table, key, { crossCompany: ctx.crossCompany });
  return {
    kind: 'update', method: 'PATCH', url,
    headers: { ...withReturn(ctx.headers, options.returnRepresentation ?? false), 'If-Match': options.etag ?? '*' },
    body: jsonObject(pairs), key: displayKey(key), row, rowUrl: url, applied, ...(options.existed ? { existed: true } : {}),
  };
}

/** UPSERT: PATCH to the key URL; creates when absent unless `updateOnly`, updates when present unless `insertOnly`. */
export function upsertOperation(ctx: WriteContext, keyColumns: readonly Column[], columns: readonly ResolvedColumn[], values: readonly InputValue[], row: number,
  options: { mode?: 'insertOnly' | 'updateOnly'; returnRepresentation?: boolean } = {}): WriteOperation {
  const key = keyFromRow(ctx.table, keyColumns, columns, values);
  if (!key) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `UPSERT INTO ${ctx.table.name} needs the key columns ${keyColumns.map((c) => c.name).join(', ')}`);
  if (ctx.edition === 'finops') return finopsUpsert(ctx, key, columns, values, row, options);
  const rest = columns.map((c, i) => [c, values[i] ?? null] as const).filter(([c]) => !keyColumns.includes(c.column));
  const applied: Record<string, unknown> = {};
  const pairs = rowBody(ctx, rest.map(([c]) => c), rest.map(([, v]) => v), 'update', applied);
  const headers = withReturn(ctx.headers, options.returnRepresentation ?? false);
  if (options.mode === 'insertOnly') headers['If-None-Match'] = '*';
  if (options.mode === 'updateOnly') headers['If-Match'] = '*';
  const url = recordUrl(ctx.table, key, { crossCompany: ctx.crossCompany });
  return { kind: 'upsert', method: 'PATCH', url, headers, body: jsonObject(pairs), key: displayKey(key), row, rowUrl: url, applied };
}

/**
 * F&O has no create-by-PATCH (its PATCH to a missing key answers 404), so an UPSERT is a PATCH that
 * falls back to a POST of the whole row: `INSERT_ONLY` is the POST alone, `UPDATE_ONLY` the PATCH alone.
 */
function finopsUpsert(ctx: WriteContext, key: ReadonlyMap<Column, InputValue>, columns: readonly ResolvedColumn[], values: readonly InputValue[], row: number,
  options: { mode?: 'insertOnly' | 'updateOnly'; returnRepresentation?: boolean }): WriteOperation {
  const create = { ...createOperation(ctx, columns, values, row, options.returnRepresentation ?? false), kind: 'upsert' as const };
  if (options.mode === 'insertOnly') return create;
  const rest = columns.map((c, i) => [c, values[i] ?? null] as const).filter(([c]) => !key.has(c.column));
  const update = updateOperation(ctx, key, rest.map(([c]) => c), rest.map(([, v]) => v), row, { ...(options.returnRepresentation ? { returnRepresentation: true } : {}) });
  const patch: WriteOperation = { ...update, kind: 'upsert', headers: { ...update.headers } };
  // If-Match: * makes "no such row" a 404 whatever the service's default, which is the signal to create
  patch.headers['If-Match'] = '*';
  return options.mode === 'updateOnly' ? patch : { ...patch, orCreate: create };
}

export function deleteOperation(ctx: WriteContext, key: ReadonlyMap<Column, InputValue>, row: number, options: { etag?: string; existed?: boolean } = {}): WriteOperation {
  const url = recordUrl(ctx.table, key, { crossCompany: ctx.crossCompany });
  return {
    kind: 'delete', method: 'DELETE', url,
    headers: { ...ctx.headers, ...(options.etag ? { 'If-Match': options.etag } : {}) }, key: displayKey(key), row, rowUrl: url,
    ...(options.existed ? { existed: true } : {}),
  };
}

/**
 * The key an UPSERT identifies rows by: the primary key when its columns are given, else the named
 * alternate key (`OPTION (KEY name)`), else the one alternate key whose columns are all given.
 */
export function upsertKey(table: Table, columns: readonly ResolvedColumn[], keyName?: string): Column[] {
  const given = new Set(columns.map((c) => c.column.name.toLowerCase()));
  const col = (name: string) => table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())!;
  if (keyName) {
    const named = table.alternateKeys.find((k) => k.name.toLowerCase() === keyName.toLowerCase());
    if (!named) throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', `${table.name} has no alternate key '${keyName}'${table.alternateKeys.length ? ` (keys: ${table.alternateKeys.map((k) => k.name).join(', ')})` : ''}`);
    return named.columns.map(col);
  }
  if (table.primaryKey.every((n) => given.has(n.toLowerCase()))) return table.primaryKey.map(col);
  const covered = table.alternateKeys.filter((k) => k.columns.every((n) => given.has(n.toLowerCase())));
  if (covered.length === 1) return covered[0]!.columns.map(col);
  if (covered.length > 1) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `UPSERT INTO ${table.name} matches several alternate keys (${covered.map((k) => k.name).join(', ')}); name one with OPTION (KEY <name>)`);
  throw new DynasqlError('DYNASQL_ERR_SYNTAX',
    `UPSERT INTO ${table.name} needs the primary key (${table.primaryKey.join(', ')})${table.alternateKeys.length ? ` or an alternate key (${table.alternateKeys.map((k) => `${k.name}: ${k.columns.join(', ')}`).join('; ')})` : ''} among its columns`);
}
