import type { EntityTypeDef, PropertyDef } from '../metadata/model.js';
import type { QueryScope } from '../query/scope.js';
import { collationKey, compareValues, equalValues } from '../query/values.js';
import type { Row } from '../store/row.js';
import { compileCondition } from './conditions.js';
import { invalidFetch, tooManyConditions, tooManyLinks, unknownAttribute, unknownEntity } from './errors.js';
import type { EntityNode, FetchQuery, FilterNode, LinkNode, LinkType } from './parse.js';

/** One joined result row: the row of each entity by alias (the root's alias is ''); null for an unmatched outer link. */
export type Tuple = Record<string, Row | null>;

/** A column of a bound entity: `primarycontactid` is stored as `_primarycontactid_value`. */
export interface Column {
  logicalName: string;
  property: PropertyDef;
  lookup: boolean;
}

/** An `<entity>` or `<link-entity>` with its names resolved against the metadata. */
export interface BoundEntity {
  node: EntityNode;
  entity: EntityTypeDef;
  alias: string;
  links: BoundLink[];
  /** The `<filter>`s of this element, already compiled; for a link they are its join condition. */
  filter?: (t: Tuple) => boolean;
}

export interface BoundLink extends BoundEntity {
  linkType: LinkType;
  from: Column;
  to: Column;
  parent: BoundEntity;
  /** The linked rows whose `from` column equals a parent's `to` value. */
  candidates: (value: unknown) => Row[];
}

export interface BoundFetch {
  query: FetchQuery;
  root: BoundEntity;
  /** Every inner/outer link in document order (their columns are returned). */
  joined: BoundLink[];
  byAlias: Map<string, BoundEntity>;
}

const MAX_LINKS = 15;
const MAX_CONDITIONS = 500;

/** Resolves every name in the query (unknown tables and columns fail before any row is read) and compiles filters. */
export function bindFetch(scope: QueryScope, query: FetchQuery): BoundFetch {
  const entity = entityOf(scope, query.entity.name);
  const root: BoundEntity = { node: query.entity, entity, alias: '', links: [] };
  const byAlias = new Map<string, BoundEntity>([['', root]]);
  const joined: BoundLink[] = [];
  const generated = new Map<string, number>();
  const counts = { links: 0, conditions: 0 };
  const pendingFilters: [BoundEntity, FilterNode[]][] = [];

  const bindLink = (link: LinkNode, parent: BoundEntity, inFilter = false): BoundLink => {
    if (++counts.links > MAX_LINKS) throw tooManyLinks();
    const linked = entityOf(scope, link.name);
    if (!link.from || !link.to) throw invalidFetch(`link-entity '${link.name}' needs 'from' and 'to': the emulator does not infer relationships.`);
    // Dataverse names an unaliased link `<name>1`, `<name>2`, … (FetchXML doc §1.1).
    let alias = link.alias;
    if (!alias) {
      const n = (generated.get(link.name) ?? 0) + 1;
      generated.set(link.name, n);
      alias = `${link.name}${n}`;
    }
    const from = columnOf(linked, link.from);
    const bound: BoundLink = {
      node: link, entity: linked, alias, links: [], linkType: link.linkType, from, to: columnOf(parent.entity, link.to), parent,
      candidates: candidatesOf(scope, linked, from),
    };
    byAlias.set(alias, bound);
    if (inFilter && (link.linkType === 'inner' || link.linkType === 'outer')) throw invalidFetch(`link-type '${link.linkType}' is not valid inside a <filter>.`);
    if (!inFilter && (link.linkType === 'inner' || link.linkType === 'outer')) joined.push(bound);
    bound.links = link.links.map((child) => bindLink(child, bound));
    pendingFilters.push([bound, link.filters]);
    return bound;
  };
  root.links = query.entity.links.map((link) => bindLink(link, root));
  pendingFilters.push([root, query.entity.filters]);
  // Conditions may name any alias (`entityname`), so filters compile once every link is bound.
  const compile = (owner: BoundEntity, filter: FilterNode): ((t: Tuple) => boolean) => {
    const tests: ((t: Tuple) => boolean)[] = [];
    for (const condition of filter.conditions) {
      if (++counts.conditions + counts.links > MAX_CONDITIONS) throw tooManyConditions();
      const target = condition.entityname !== undefined ? targetOf(byAlias, condition.entityname) : owner;
      const column = columnOf(target.entity, condition.attribute);
      const alias = target.alias;
      const name = column.property.name;
      if (condition.valueof !== undefined) {
        tests.push(columnComparison(byAlias, owner, condition.operator, condition.valueof, alias, name));
        continue;
      }
      const test = compileCondition(scope, target.entity, column.property, column.lookup, condition);
      tests.push((t) => test(t[alias]?.values[name] ?? null));
    }
    for (const child of filter.filters) tests.push(compile(owner, child));
    for (const link of filter.links) {
      const bound = bindLink(link, owner, true);
      tests.push(filterLinkTest(bound));
    }
    return filter.type === 'or' ? (t) => tests.some((test) => test(t)) : (t) => tests.every((test) => test(t));
  };
  for (let i = 0; i < pendingFilters.length; i++) {
    const [owner, filters] = pendingFilters[i]!;
    if (filters.length === 0) continue;
    const tests = filters.map((f) => compile(owner, f));
    owner.filter = (t) => tests.every((test) => test(t));
  }
  return { query, root, joined, byAlias };
}

/** `any`/`exists`/`in`/`not all` keep the parent when a linked row matches; `not any` when none does; `all` when some exist and none match. */
function filterLinkTest(link: BoundLink): (t: Tuple) => boolean {
  switch (link.linkType) {
    case 'not any': return (t) => matchesOf(t, link, true).length === 0;
    case 'all': return (t) => matchesOf(t, link, false).length > 0 && matchesOf(t, link, true).length === 0;
    default: return (t) => matchesOf(t, link, true).length > 0;
  }
}

/** The tuples `t` extends to through `link` (and the links nested in it), honouring the link's filter. */
export function matchesOf(t: Tuple, link: BoundLink, withFilter: boolean): Tuple[] {
  const value = t[link.parent.alias]?.values[link.to.property.name];
  if (value === null || value === undefined) return [];
  const candidates = link.candidates(value);
  const out: Tuple[] = [];
  for (const row of candidates) {
    const extended: Tuple = { ...t, [link.alias]: row };
    if (withFilter && link.filter && !link.filter(extended)) continue;
    out.push(...joinLinks([extended], link.links));
  }
  return out;
}

/** Applies entity-level links: inner and outer add rows, `exists`/`in` keep or drop the parent. */
export function joinLinks(tuples: Tuple[], links: BoundLink[]): Tuple[] {
  let current = tuples;
  for (const link of links) {
    if (link.linkType !== 'inner' && link.linkType !== 'outer' && link.linkType !== 'exists' && link.linkType !== 'in') {
      throw invalidFetch(`link-type '${link.linkType}' is only valid inside a <filter>.`);
    }
    const next: Tuple[] = [];
    for (const t of current) {
      const matches = matchesOf(t, link, true);
      if (link.linkType === 'exists' || link.linkType === 'in') {
        if (matches.length > 0) next.push(t);
      } else if (matches.length > 0) next.push(...matches);
      else if (link.linkType === 'outer') next.push(withNulls(t, link));
    }
    current = next;
  }
  return current;
}

function withNulls(t: Tuple, link: BoundEntity): Tuple {
  let out: Tuple = { ...t, [link.alias]: null };
  for (const child of link.links) out = withNulls(out, child);
  return out;
}

/**
 * `valueof` (FetchXML doc §1.1): compares two columns with `eq`, `ne`, `gt`, `ge`, `lt` or `le`
 * only; `alias.column` names a link's column. A null on either side matches nothing but `ne`.
 */
function columnComparison(byAlias: Map<string, BoundEntity>, owner: BoundEntity, op: string, valueof: string, alias: string, name: string): (t: Tuple) => boolean {
  if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw invalidFetch(`valueof is only valid with eq, ne, gt, ge, lt and le, not '${op}'.`);
  const dot = valueof.indexOf('.');
  const other = dot < 0 ? owner : byAlias.get(valueof.slice(0, dot));
  if (!other) throw invalidFetch(`valueof '${valueof}' names no link-entity alias.`);
  const otherName = columnOf(other.entity, dot < 0 ? valueof : valueof.slice(dot + 1)).property.name;
  return (t) => {
    const a = t[alias]?.values[name] ?? null;
    const b = t[other.alias]?.values[otherName] ?? null;
    if (op === 'eq') return equalValues(a, b);
    if (op === 'ne') return !equalValues(a, b);
    const c = compareValues(a, b);
    if (c === undefined) return false;
    return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
  };
}

function targetOf(byAlias: Map<string, BoundEntity>, name: string): BoundEntity {
  const found = byAlias.get(name) ?? [...byAlias.values()].find((b) => b.alias !== '' && b.node.name === name);
  if (!found) throw invalidFetch(`no link-entity has the alias or name '${name}'.`);
  return found;
}

export function entityOf(scope: QueryScope, name: string): EntityTypeDef {
  const entity = scope.model.entityTypes.get(name);
  if (!entity || entity.abstract || !scope.store.table(name)) throw unknownEntity(name);
  return entity;
}

/** A FetchXML column name: the logical name, never the Web API's `_x_value` form (FetchXML doc §1.3). */
export function columnOf(entity: EntityTypeDef, name: string): Column {
  if (!/^_.+_value$/.test(name) || !entity.lookups.has(name)) {
    const plain = entity.properties.get(name);
    if (plain && !entity.lookups.has(name)) return { logicalName: name, property: plain, lookup: false };
    const lookupName = `_${name}_value`;
    const lookup = entity.properties.get(lookupName);
    if (lookup && entity.lookups.has(lookupName)) return { logicalName: name, property: lookup, lookup: true };
  }
  throw unknownAttribute(entity.name, name);
}

/** The logical name of a stored property: `_primarycontactid_value` → `primarycontactid`. */
export function logicalNameOf(entity: EntityTypeDef, property: string): string {
  return entity.lookups.has(property) ? property.slice(1, -'_value'.length) : property;
}

const joinKey = (value: unknown) => (typeof value === 'string' ? collationKey(value) : String(value));

/** A join on the linked table's key reads that row; any other column is indexed once per request. */
function candidatesOf(scope: QueryScope, entity: EntityTypeDef, from: Column): (value: unknown) => Row[] {
  const table = scope.store.table(entity.name)!;
  if (from.property.name === entity.key[0]) {
    return (value) => {
      const row = typeof value === 'string' ? table.get(value) : undefined;
      return row ? [row] : [];
    };
  }
  let index: Map<string, Row[]> | undefined;
  return (value) => {
    index ??= indexOf(table.scan(), from);
    return index.get(joinKey(value)) ?? [];
  };
}

function indexOf(rows: Iterable<Row>, from: Column): Map<string, Row[]> {
  const index = new Map<string, Row[]>();
  for (const row of rows) {
    const value = row.values[from.property.name];
    if (value === null || value === undefined) continue;
    const key = joinKey(value);
    const list = index.get(key);
    if (list) list.push(row);
    else index.set(key, [row]);
  }
  return index;
}
