import type { EditionProfile } from '../edition.js';
import { propertyNotFound, queryError } from '../errors.js';
import type { EdmModel, EntityTypeDef, NavigationDef } from '../metadata/model.js';
import { type ManyToMany, manyToManyOf } from '../store/associations.js';
import type { Row } from '../store/row.js';
import type { Store } from '../store/store.js';

/** What evaluating a query needs besides the rows: the data, the clock, the caller, the aliases. */
export interface QueryScope {
  store: Store;
  model: EdmModel;
  profile: EditionProfile;
  now: Date;
  userId: string;
  businessUnitId: string;
  /** Parameter aliases from the query string: `@p1=revenue` → `p1` → `revenue` (raw, decoded). */
  aliases: Map<string, string>;
  /** Children of a row per collection navigation, built once per request. */
  childIndex: Map<string, Map<string, Row[]>>;
}

const CHILD_INDEX_MAX_ROWS = 200_000;
const CHILD_INDEXES_KEPT = 8;

const idOf = (entity: EntityTypeDef, row: Row) => String(row.values[entity.key[0]!] ?? '').toLowerCase();

/** The record a single-valued navigation points to, or undefined (null lookup, other type, missing). */
export function followLookup(scope: QueryScope, row: Row, nav: NavigationDef): { entity: EntityTypeDef; row: Row } | undefined {
  const property = nav.lookupProperty;
  if (!property) return undefined;
  const id = row.values[property];
  if (typeof id !== 'string') return undefined;
  const storedType = row.lookupTypes[property];
  const targets = scope.store.tablesOfType(nav.target);
  for (const table of targets) {
    if (storedType && table.entity.name !== storedType) continue;
    const found = table.get(id);
    if (found) return { entity: table.entity, row: found };
  }
  return undefined;
}

/**
 * Rows on the many side of a one-to-many navigation: `contact_customer_accounts` on an account →
 * the contacts whose `_parentcustomerid_value` is that account; or the records paired with this
 * one through a many-to-many navigation (`accountleads_association` on an account → its leads).
 */
export function collectionChildren(scope: QueryScope, entity: EntityTypeDef, row: Row, nav: NavigationDef): { entity: EntityTypeDef; rows: Row[] } {
  const m2m = manyToManyOf(scope.model, nav);
  if (m2m) return associatedRecords(scope, entity, row, nav, m2m);
  const target = scope.model.entityTypes.get(nav.target);
  const partner = nav.partner && target ? target.navigations.get(nav.partner) : undefined;
  const table = target ? scope.store.tablesOfType(target.name)[0] : undefined;
  if (!target || !partner?.lookupProperty || !table) return { entity: target ?? entity, rows: [] };
  const key = `${entity.name}/${nav.name}`;
  const storeKey = `${scope.store.generation}|${key}`;
  let index = scope.childIndex.get(key) ?? scope.store.childIndexes.get(storeKey);
  if (!index) {
    index = new Map();
    const lookup = partner.lookupProperty;
    const parentType = partner.target;
    for (const child of table.scan()) {
      const parent = child.values[lookup];
      if (typeof parent !== 'string') continue;
      const storedType = child.lookupTypes[lookup];
      if (storedType && storedType !== parentType && !scope.store.tablesOfType(parentType).some((t) => t.entity.name === storedType)) continue;
      const list = index.get(parent.toLowerCase()) ?? [];
      list.push(child);
      index.set(parent.toLowerCase(), list);
    }
    scope.childIndex.set(key, index);
    // Kept across requests until the next write, unless the child table is large (the index holds its rows).
    if (table.count() <= CHILD_INDEX_MAX_ROWS) {
      if (scope.store.childIndexes.size >= CHILD_INDEXES_KEPT) scope.store.childIndexes.delete(scope.store.childIndexes.keys().next().value!);
      scope.store.childIndexes.set(storeKey, index);
    }
  }
  return { entity: table.entity, rows: index.get(idOf(entity, row)) ?? [] };
}

/** Records paired with `row` through a many-to-many navigation, in pairing order; missing ones skipped. */
function associatedRecords(scope: QueryScope, entity: EntityTypeDef, row: Row, nav: NavigationDef, m2m: ManyToMany): { entity: EntityTypeDef; rows: Row[] } {
  const tables = scope.store.tablesOfType(nav.target).filter((t) => !t.entity.abstract);
  const target = tables[0]?.entity ?? scope.model.entityTypes.get(nav.target) ?? entity;
  const rows: Row[] = [];
  for (const id of scope.store.associations.related(m2m, idOf(entity, row))) {
    for (const table of tables) {
      const found = table.get(id);
      if (found) {
        rows.push(found);
        break;
      }
    }
  }
  return { entity: target, rows };
}

export function requireProperty(entity: EntityTypeDef, name: string) {
  const property = entity.properties.get(name);
  if (!property) throw propertyNotFound(name, entity.qualifiedName);
  return property;
}

/** Resolves an alias to its raw text, or the text `null` when it was never assigned (documented). */
export function aliasText(scope: QueryScope, name: string): string {
  const value = scope.aliases.get(name);
  if (value === undefined) return 'null';
  if (value.length > 32_768) throw queryError(`The value of the parameter alias '@${name}' is too long.`);
  return value;
}
