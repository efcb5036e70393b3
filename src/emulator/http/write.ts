import { randomUUID } from 'node:crypto';
import { baseValue } from '../currency.js';
import { duplicateRecord, ODataError, queryError, VALIDATION_ERROR } from '../errors.js';
import type { EntityTypeDef, PropertyDef } from '../metadata/model.js';
import { manyToManyOf } from '../store/associations.js';
import type { Row } from '../store/row.js';
import { cloneRow } from '../store/row.js';
import type { Table } from '../store/table.js';
import type { EmulatorState } from '../state.js';
import { recordExactText } from './exact-decimals.js';
import { isGuid, resolveReference } from './keys.js';

/** Who writes and where references resolve: the caller, and $batch Content-IDs. */
export interface WriteContext {
  userId: string;
  contentIds?: Map<string, string>;
}

const invalidPayload = (message: string) => queryError(message);

/**
 * Creates a record from a JSON body, with `@odata.bind` references and deep insert of related
 * records (protocol §4). A body key equal to an existing record's key → 412 0x80040237.
 */
export function createRecord(state: EmulatorState, table: Table, body: unknown, ctx: WriteContext, forcedId?: string): Row {
  const entity = table.entity;
  if (!isObject(body)) throw invalidPayload('The request body must be a JSON object.');
  const pk = entity.key[0]!;
  const supplied = forcedId ?? (typeof body[pk] === 'string' ? String(body[pk]) : undefined);
  if (supplied !== undefined && !isGuid(supplied)) throw invalidPayload(`Cannot convert the literal '${supplied}' to the expected type 'Edm.Guid'.`);
  const id = (supplied ?? randomUUID()).toLowerCase();
  if (table.has(id)) throw duplicateRecord();
  const now = state.now();
  const nowIso = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const row: Row = { values: { [pk]: id }, lookupTypes: {}, version: state.store.bumpVersion() };
  const defaults: Record<string, unknown> = {
    createdon: nowIso, modifiedon: nowIso, statecode: 0, statuscode: 1, _createdby_value: ctx.userId, _modifiedby_value: ctx.userId,
    _ownerid_value: ctx.userId, _owninguser_value: ctx.userId,
  };
  for (const [name, value] of Object.entries(defaults)) {
    if (!entity.properties.has(name)) continue;
    row.values[name] = value;
    if (name.endsWith('_value')) row.lookupTypes[name] = 'systemuser';
  }
  if (entity.name === 'systemuser' || entity.name === 'team') row.values[`${entity.name}id`] = id;
  if (entity.properties.has('ownerid') && entity.key[0] === 'ownerid') row.values.ownerid = id;
  const after = applyBody(state, table, row, body, ctx, 'create');
  derive(state, entity, row);
  table.insert(row);
  for (const step of after) step(id);
  return row;
}

/** Applies a PATCH body to a copy of `existing` and stores it; bumps the version. */
export function updateRecord(state: EmulatorState, table: Table, existing: Row, body: unknown, ctx: WriteContext): Row {
  if (!isObject(body)) throw invalidPayload('The request body must be a JSON object.');
  const row = cloneRow(existing);
  const pk = table.entity.key[0]!;
  if (body[pk] !== undefined && String(body[pk]).toLowerCase() !== String(row.values[pk]).toLowerCase()) {
    throw invalidPayload(`The primary key '${pk}' cannot be changed.`);
  }
  const id = String(row.values[pk]);
  const after = applyBody(state, table, row, body, ctx, 'update');
  row.version = state.store.bumpVersion();
  const now = state.now();
  if (table.entity.properties.has('modifiedon')) row.values.modifiedon = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  derive(state, table.entity, row);
  table.update(row);
  for (const step of after) step(id);
  return row;
}

/** Sets one lookup of a stored record (used by $ref and collection binds). */
export function setLookup(state: EmulatorState, table: Table, id: string, lookupProperty: string, target: { id: string; type: string } | null) {
  const existing = table.get(id);
  if (!existing) return;
  const row = cloneRow(existing);
  row.values[lookupProperty] = target?.id ?? null;
  if (target) row.lookupTypes[lookupProperty] = target.type;
  else delete row.lookupTypes[lookupProperty];
  row.version = state.store.bumpVersion();
  table.update(row);
}

type AfterCreate = (id: string) => void;

function applyBody(state: EmulatorState, table: Table, row: Row, body: Record<string, unknown>, ctx: WriteContext, mode: 'create' | 'update'): AfterCreate[] {
  const entity = table.entity;
  const after: AfterCreate[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === '@odata.type' || key === '@odata.context' || key === '@odata.etag' || key === '@odata.id') continue;
    const bind = /^(.+)@odata\.bind$/.exec(key);
    if (bind) {
      after.push(...applyBind(state, entity, row, bind[1]!, value, ctx));
      continue;
    }
    if (key.includes('@')) continue; // instance annotations in payloads are ignored by the service
    const nav = entity.navigations.get(key);
    if (nav) {
      after.push(...deepInsert(state, entity, row, nav.name, value, ctx, mode));
      continue;
    }
    const property = entity.properties.get(key);
    if (!property) {
      throw invalidPayload(`The property '${key}' does not exist on type '${entity.qualifiedName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
    if (entity.lookups.has(key)) throw invalidPayload('CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.');
    if (key === entity.key[0]) continue;
    row.values[key] = coerce(state, entity, property, value);
    recordExactText(row, body, property);
  }
  return after;
}

function applyBind(state: EmulatorState, entity: EntityTypeDef, row: Row, navName: string, value: unknown, ctx: WriteContext): AfterCreate[] {
  const nav = entity.navigations.get(navName);
  if (!nav) {
    throw invalidPayload(`An undeclared property '${navName}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`);
  }
  if (!nav.collection) {
    if (!nav.lookupProperty) throw invalidPayload(`Navigation property '${navName}' cannot be bound.`);
    if (value === null) {
      row.values[nav.lookupProperty] = null;
      delete row.lookupTypes[nav.lookupProperty];
      return [];
    }
    if (typeof value !== 'string') throw invalidPayload(`The value of '${navName}@odata.bind' must be a URL string.`);
    const target = resolveReference(state, value, ctx.contentIds);
    const allowed = state.store.tablesOfType(nav.target).some((t) => t === target.table);
    if (!allowed) throw invalidPayload(`The entity reference '${value}' is not of type '${state.model.namespace}.${nav.target}' expected by '${navName}'.`);
    row.values[nav.lookupProperty] = target.id;
    row.lookupTypes[nav.lookupProperty] = target.table.entity.name;
    return [];
  }
  if (!Array.isArray(value)) throw invalidPayload(`The value of '${navName}@odata.bind' must be an array of URLs.`);
  const partner = partnerLookup(state, nav.target, nav.partner);
  const targets = value.map((ref) => resolveReference(state, String(ref), ctx.contentIds));
  const m2m = manyToManyOf(state.model, nav);
  if (m2m) {
    for (const [i, t] of targets.entries()) {
      if (!state.store.tablesOfType(nav.target).includes(t.table)) throw invalidPayload(`The entity reference '${String(value[i])}' is not of type '${state.model.namespace}.${nav.target}' expected by '${navName}'.`);
    }
    // `"accountleads_association@odata.bind": ["/leads(…)"]` pairs the new record with each one.
    return [(id) => {
      for (const t of targets) state.store.associations.add(m2m, id, t.id);
    }];
  }
  return [(id) => {
    for (const t of targets) if (partner) setLookup(state, t.table, t.id, partner, { id, type: entity.name });
  }];
}

function deepInsert(state: EmulatorState, entity: EntityTypeDef, row: Row, navName: string, value: unknown, ctx: WriteContext, mode: 'create' | 'update'): AfterCreate[] {
  const nav = entity.navigations.get(navName)!;
  if (mode === 'update') throw invalidPayload(`Deep update of navigation property '${navName}' is not supported.`);
  const targetTable = state.store.tablesOfType(nav.target).find((t) => !t.entity.abstract);
  if (!targetTable) throw invalidPayload(`Navigation property '${navName}' targets a table without an entity set.`);
  if (!nav.collection) {
    if (!isObject(value) || !nav.lookupProperty) throw invalidPayload(`The value of '${navName}' must be an object.`);
    const child = createRecord(state, targetTable, value, ctx);
    row.values[nav.lookupProperty] = child.values[targetTable.primaryKey];
    row.lookupTypes[nav.lookupProperty] = targetTable.entity.name;
    return [];
  }
  if (!Array.isArray(value)) throw invalidPayload(`The value of '${navName}' must be an array.`);
  const partner = partnerLookup(state, nav.target, nav.partner);
  const m2m = manyToManyOf(state.model, nav);
  return [(id) => {
    for (const item of value) {
      const child = createRecord(state, targetTable, item, ctx);
      if (m2m) state.store.associations.add(m2m, id, String(child.values[targetTable.primaryKey]));
      else if (partner) setLookup(state, targetTable, String(child.values[targetTable.primaryKey]), partner, { id, type: entity.name });
    }
  }];
}

function partnerLookup(state: EmulatorState, targetType: string, partner: string | undefined): string | undefined {
  const target = state.model.entityTypes.get(targetType);
  return partner ? target?.navigations.get(partner)?.lookupProperty : undefined;
}

/** Checks a JSON value against the column type and the known maximum length (0x80044331). */
export function coerce(state: EmulatorState, entity: EntityTypeDef, property: PropertyDef, value: unknown): unknown {
  if (value === null) return null;
  const bad = () => invalidPayload(`Cannot convert the literal '${typeof value === 'string' ? value : JSON.stringify(value)}' to the expected type '${property.type}'.`);
  switch (property.type) {
    case 'Edm.String': {
      if (typeof value !== 'string') throw bad();
      const max = property.maxLength ?? state.maxLengths[entity.name]?.[property.name];
      if (max !== undefined && value.length > max) {
        throw new ODataError(400, VALIDATION_ERROR,
          `A validation error occurred.  The length of the '${property.name}' attribute of the '${entity.name}' entity exceeded the maximum allowed length of '${max}'.`);
      }
      return value;
    }
    case 'Edm.Int16': case 'Edm.Int32': case 'Edm.Int64':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad();
      return value;
    case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Single':
      if (typeof value !== 'number') throw bad();
      return value;
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') throw bad();
      return value;
    case 'Edm.Guid':
      if (typeof value !== 'string' || !isGuid(value)) throw bad();
      return value.toLowerCase();
    case 'Edm.DateTimeOffset': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw bad();
      return new Date(Date.parse(value)).toISOString().replace(/\.000Z$/, 'Z');
    }
    case 'Edm.Date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw bad();
      return value;
    default:
      return value;
  }
}

/** Values the service computes: fullname from first and last name, money `_base` columns. */
function derive(state: EmulatorState, entity: EntityTypeDef, row: Row) {
  if (entity.properties.has('fullname') && ('firstname' in row.values || 'lastname' in row.values)) {
    row.values.fullname = [row.values.firstname, row.values.lastname].filter((v) => typeof v === 'string' && v).join(' ') || null;
  }
  if (entity.properties.has('_transactioncurrencyid_value') && row.values._transactioncurrencyid_value === undefined) {
    const moneySet = [...entity.properties.keys()].some((n) => entity.properties.has(`${n}_base`) && typeof row.values[n] === 'number');
    if (moneySet) {
      row.values._transactioncurrencyid_value = state.store.table('transactioncurrency')?.scan().next().value?.values.transactioncurrencyid ?? null;
      if (row.values._transactioncurrencyid_value) row.lookupTypes._transactioncurrencyid_value = 'transactioncurrency';
      if (entity.properties.has('exchangerate')) row.values.exchangerate = 1;
    }
  }
  const rate = typeof row.values.exchangerate === 'number' && row.values.exchangerate > 0 ? row.values.exchangerate : 1;
  for (const name of entity.properties.keys()) {
    if (entity.properties.has(`${name}_base`) && typeof row.values[name] === 'number') {
      row.values[`${name}_base`] = baseValue(row.values[name] as number, rate);
    }
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
