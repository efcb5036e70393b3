/**
 * What the FetchXML plan (fetchxml-plan.ts) and its aggregate part (fetchxml-aggregate.ts) share:
 * the `<entity>` / `<link-entity>` being built for each scan, result columns read from renamed
 * properties, and the one way to say "FetchXML cannot answer this statement".
 *
 * `entityChildren(root)` → `<attribute name="name"/>…<filter type="and">…</filter><link-entity …>…</link-entity>`.
 */
import type { Column } from '../catalog/types.js';
import { element, type XmlElement } from '../fetchxml/index.js';
import type * as P from '../plan/index.js';
import { logicalName } from './fetchxml-filter.js';

export class CannotFetch {
  constructor(readonly reason: string) {}
}

export function cannot(reason: string): never {
  throw new CannotFetch(reason);
}

/** one `<entity>` or `<link-entity>` being built, for one scan */
export interface EntityParts {
  scan: P.Scan;
  /** '' for the root; the link's alias otherwise */
  alias: string;
  attributes: XmlElement[];
  conditions: XmlElement[];
  orders: XmlElement[];
  /** semi- and anti-join links (`exists`, `in`) */
  links: XmlElement[];
  /** the tables joined to this one, each a nested `<link-entity>` */
  joins: JoinedParts[];
  /** reached through an outer link: a row may stand for no row of this table (its columns null) */
  outer: boolean;
}

/** a table joined through a `<link-entity>`: `from` its column, `to` the parent's */
export interface JoinedParts {
  parts: EntityParts;
  type: 'inner' | 'outer';
  from: Column;
  to: Column;
}

export function parts(scan: P.Scan, alias: string, outer = false): EntityParts {
  return { scan, alias, attributes: [], conditions: [], orders: [], links: [], joins: [], outer };
}

export function entityChildren(e: EntityParts): XmlElement[] {
  const filter = e.conditions.length > 0 ? [element('filter', { type: 'and' }, e.conditions)] : [];
  const joins = e.joins.map((j) => element('link-entity', {
    name: j.parts.scan.table.name, from: logicalName(j.from), to: logicalName(j.to), alias: j.parts.alias, 'link-type': j.type,
  }, entityChildren(j.parts)));
  return [...e.attributes, ...e.orders, ...filter, ...e.links, ...joins];
}

/** a result column read from a renamed property (an aggregate alias, `l1_x002e_name`); frozen, as the rest of a cached plan */
export function renamed(column: Pick<Column, 'name' | 'kind' | 'edmType' | 'sqlType'> & Partial<Column>, odataName: string): Column {
  return Object.freeze({
    nullable: true, readOnly: true, insertable: false, updatable: false, isPrimaryKey: false, ...column, odataName,
  });
}

export function primaryKeyColumn(scan: P.Scan): Column {
  const key = scan.table.columns.find((c) => c.isPrimaryKey) ?? scan.table.columns.find((c) => c.name === scan.table.primaryKey[0]);
  return key ?? cannot(`${scan.table.name} has no primary key`);
}
