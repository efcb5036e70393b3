import type { EntityTypeDef } from '../metadata/model.js';
import type { PreparedExpand, PreparedQuery } from '../query/prepare.js';
import { encodeCookie, skiptokenParam } from '../query/paging.js';
import { collectionChildren, followLookup, type QueryScope } from '../query/scope.js';
import type { Row } from '../store/row.js';
import { type Formatter, isMoney, writeColumn } from './format.js';

export interface RenderContext {
  scope: QueryScope;
  formatter: Formatter;
  /** Absolute service root, e.g. `http://127.0.0.1:5555/api/data/v9.2/`. */
  serviceRoot: string;
  /**
   * With a nested $expand anywhere in the query, `odata.maxpagesize` pages every expanded
   * collection and its nextLink carries a $skiptoken (protocol §1.5); otherwise undefined.
   */
  expandPageSize?: number;
}

export const etagOf = (row: Row) => `W/"${row.version}"`;

/** each query's columns per entity written (a polymorphic lookup's expand writes several entities with one query) */
const columnsByQuery = new WeakMap<PreparedQuery | EntityTypeDef, Map<EntityTypeDef, string[]>>();

/** Columns to write, in the service's order: the selection (or all), money's currency, key last; worked out once per query. */
export function columnsOf(entity: EntityTypeDef, query: PreparedQuery | undefined): string[] {
  let known = columnsByQuery.get(query ?? entity);
  if (!known) columnsByQuery.set(query ?? entity, (known = new Map()));
  let names = known.get(entity);
  if (!names) known.set(entity, (names = orderedColumns(entity, query)));
  return names;
}

function orderedColumns(entity: EntityTypeDef, query: PreparedQuery | undefined): string[] {
  const key = entity.key[0]!;
  let names = query?.select ?? [...entity.properties.keys()];
  if (query?.select) {
    const needsCurrency = names.some((n) => {
      const p = entity.properties.get(n);
      return p && isMoney(entity, p);
    });
    if (needsCurrency && entity.properties.has('_transactioncurrencyid_value') && !names.includes('_transactioncurrencyid_value')) {
      names = [...names, '_transactioncurrencyid_value'];
    }
  }
  return [...names.filter((n) => n !== key), key];
}

/** One record as JSON: `@odata.etag`, annotated columns, key last, then expanded navigations. */
export function renderRecord(rc: RenderContext, entity: EntityTypeDef, row: Row, query: PreparedQuery | undefined, withEtag = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (withEtag) out['@odata.etag'] = etagOf(row);
  for (const name of columnsOf(entity, query)) {
    const property = entity.properties.get(name);
    if (property) writeColumn(rc.formatter, entity, row, property, out);
  }
  for (const expand of query?.expand ?? []) renderExpand(rc, entity, row, expand, out);
  return out;
}

function renderExpand(rc: RenderContext, entity: EntityTypeDef, row: Row, expand: PreparedExpand, out: Record<string, unknown>) {
  const name = expand.nav.name;
  if (!expand.nav.collection) {
    const target = followLookup(rc.scope, row, expand.nav);
    if (!target || (expand.query.filter && !expand.query.filter(target.row))) {
      out[name] = null;
      return;
    }
    if (expand.ref) {
      out[name] = { '@odata.id': `${rc.serviceRoot}${target.entity.entitySet}(${target.row.values[target.entity.key[0]!]})` };
      return;
    }
    out[name] = renderRecord(rc, target.entity, target.row, expand.query, false);
    return;
  }
  const { entity: childEntity, rows } = collectionChildren(rc.scope, entity, row, expand.nav);
  let children = expand.query.filter ? rows.filter(expand.query.filter) : [...rows];
  if (expand.query.order) children.sort(expand.query.order);
  const limit = Math.min(expand.query.top ?? Infinity, rc.expandPageSize ?? Infinity, rc.scope.profile.pageSize.max);
  const more = children.length > limit;
  children = children.slice(0, limit);
  out[name] = children.map((child) => renderRecord(rc, childEntity, child, expand.query, false));
  if (more) {
    const id = row.values[entity.key[0]!];
    const options = expand.query.select ? [`$select=${expand.query.select.join(',')}`] : [];
    if (rc.expandPageSize !== undefined) {
      const key = childEntity.key[0]!;
      const cookie = encodeCookie(key, { pageNumber: 2, last: String(children.at(-1)!.values[key]), first: String(children[0]!.values[key]) });
      options.push(`$skiptoken=${skiptokenParam(cookie)}`);
    }
    out[`${name}@odata.nextLink`] = `${rc.serviceRoot}${entity.entitySet}(${id})/${name}${options.length ? `?${options.join('&')}` : ''}`;
  }
}

/**
 * The `@odata.context` of a query: `$metadata#accounts(name,primarycontactid(fullname))`, with
 * `/$entity` for a single record.
 */
export function contextUrl(serviceRoot: string, entitySet: string, query: PreparedQuery | undefined, single: boolean): string {
  const shape = query ? selectionShape(query) : '';
  return `${serviceRoot}$metadata#${entitySet}${shape ? `(${shape})` : ''}${single ? '/$entity' : ''}`;
}

function selectionShape(query: PreparedQuery): string {
  const parts = [...(query.select ?? [])];
  for (const e of query.expand) {
    if (e.ref) parts.push(e.nav.name, `${e.nav.name}/$ref()`);
    else parts.push(`${e.nav.name}(${selectionShape(e.query)})`);
  }
  return parts.join(',');
}
