import { propertyNotFound, queryError } from '../errors.js';
import type { EntityTypeDef, NavigationDef } from '../metadata/model.js';
import type { Row } from '../store/row.js';
import type { ExpandItem, ExpandOption, Expr, OrderItem, SelectItem } from './ast.js';
import { compileFilterExpr, compileValue } from './filter.js';
import { type InstantRange, instantRangeOf } from './instant-range.js';
import { parseOption } from './parse.js';
import { aliasText, type QueryScope } from './scope.js';
import { sortCompare } from './values.js';

/** A read query checked against the metadata and compiled into functions over rows. */
export interface PreparedQuery {
  entity: EntityTypeDef;
  filter?: (row: Row) => boolean;
  /** the range of `createdon` the filter confines its rows to, for a store's index (query/instant-range.ts) */
  created?: InstantRange;
  /** Selected column names (validated), or undefined for all. */
  select?: string[];
  order?: (a: Row, b: Row) => number;
  orderText?: string;
  /** the one column the order is by, when it is by one plain column (a store's index may serve it) */
  orderedBy?: { column: string; descending: boolean };
  top?: number;
  expand: PreparedExpand[];
}

export interface PreparedExpand {
  nav: NavigationDef;
  ref: boolean;
  query: PreparedQuery;
  target: EntityTypeDef;
}

const ALLOWED_TOP_LEVEL = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$expand', '$apply', '$skiptoken', '$skip', '$search', '$format']);
export const MAX_EXPANDS = 15;

/** Refuses what the service refuses (checklist §11.1) before any work is done. */
export function checkTopLevelOptions(scope: QueryScope, options: Map<string, string>) {
  for (const name of options.keys()) {
    if (!ALLOWED_TOP_LEVEL.has(name) && name !== '$levels') throw queryError(`The query parameter '${name}' is not supported.`);
  }
  if (options.has('$skip') && !scope.profile.skipAllowed) throw queryError('Skip Clause is not supported in CRM');
  if (options.has('$search')) throw queryError('The query parameter $search is not supported.');
  if (options.has('$format')) throw queryError('The query parameter $format is not supported.');
  if (options.has('$levels')) throw queryError('The query parameter $levels is not supported.');
  const top = options.get('$top');
  if (top !== undefined && !/^\d+$/.test(top)) throw queryError(`Invalid value '${top}' for $top query option found. The $top query option requires a non-negative integer value.`);
  const count = options.get('$count');
  if (count !== undefined && count !== 'true' && count !== 'false') throw queryError(`'${count}' is not a valid count option.`);
}

export function prepareQuery(scope: QueryScope, entity: EntityTypeDef, options: Map<string, string>): PreparedQuery {
  const query: PreparedQuery = { entity, expand: [] };
  const filterText = options.get('$filter');
  if (filterText !== undefined) {
    const filter = parseOption<Expr>('filter', filterText);
    query.filter = compileFilterExpr(scope, entity, filter, filterText);
    if (entity.properties.has('createdon')) query.created = instantRangeOf(filter, 'createdon');
  }
  const selectText = options.get('$select');
  if (selectText !== undefined) query.select = checkSelect(entity, parseOption<SelectItem[]>('select', selectText));
  const orderText = options.get('$orderby');
  if (orderText !== undefined) {
    const items = parseOption<OrderItem[]>('orderby', orderText);
    query.order = compileOrder(scope, entity, items, orderText);
    query.orderText = orderText;
    const only = items.length === 1 ? items[0]! : undefined;
    if (only?.expr.type === 'path' && only.expr.segments.length === 1) query.orderedBy = { column: only.expr.segments[0]!, descending: only.descending };
  }
  const top = options.get('$top');
  if (top !== undefined) query.top = Number(top);
  const expandText = options.get('$expand');
  if (expandText !== undefined) {
    if (/(^|[=(,;\s])@/.test(expandText)) throw queryError('Parameter aliases are not supported in $expand.');
    const items = parseOption<ExpandItem[]>('expand', expandText);
    if (countExpands(items) > MAX_EXPANDS) throw queryError(`The number of $expand options (${countExpands(items)}) exceeds the limit of ${MAX_EXPANDS}.`);
    const nested = items.some((i) => i.options.some((o) => o.name === '$expand'));
    query.expand = items.map((item) => prepareExpand(scope, entity, item, expandText, nested, 1));
  }
  return query;
}

const countExpands = (items: ExpandItem[]): number =>
  items.reduce((n, i) => n + 1 + countExpands(i.options.filter((o) => o.name === '$expand').flatMap((o) => o.value as ExpandItem[])), 0);

function checkSelect(entity: EntityTypeDef, items: SelectItem[]): string[] | undefined {
  if (items.some((i) => i.name === '*')) return undefined;
  for (const item of items) {
    if (!entity.properties.has(item.name)) {
      if (entity.navigations.has(item.name)) throw queryError(`Navigation property '${item.name}' cannot be selected; use $expand.`);
      throw propertyNotFound(item.name, entity.qualifiedName);
    }
  }
  return [...new Set(items.map((i) => i.name))];
}

function compileOrder(scope: QueryScope, entity: EntityTypeDef, items: OrderItem[], text: string) {
  const keys = items.map((item) => {
    let expr: Expr = item.expr;
    if (expr.type === 'alias') expr = parseOption<Expr>('aliasValue', aliasText(scope, expr.name));
    if (expr.type !== 'path') throw queryError(`Syntax error at position ${item.pos} in '${text}'.`);
    const value = compileValue(scope, entity, expr, new Map(), text);
    const members = enumMembers(scope, entity, expr);
    // an enum sorts by its members' numbers, as F&O stores them (CustVendorBlocked: No=0 < All=2 < Payment=3)
    const sortValue: typeof value = members ? (row, vars) => enumNumber(members, value(row, vars)) : value;
    return { value: sortValue, descending: item.descending };
  });
  const vars = new Map();
  return (a: Row, b: Row) => {
    for (const key of keys) {
      const c = sortCompare(key.value(a, vars), key.value(b, vars));
      if (c !== 0) return key.descending ? -c : c;
    }
    return 0;
  };
}

/** the members (name → number) of the enum a one-segment path names, if it names an enum property */
function enumMembers(scope: QueryScope, entity: EntityTypeDef, path: Extract<Expr, { type: 'path' }>): Map<string, number> | undefined {
  if (path.segments.length !== 1) return undefined;
  const type = entity.properties.get(path.segments[0]!)?.type;
  if (!type || type.startsWith('Edm.')) return undefined;
  return scope.model.enumTypes.get(type.slice(type.lastIndexOf('.') + 1));
}

function enumNumber(members: Map<string, number>, value: unknown): unknown {
  return typeof value === 'string' ? members.get(value) ?? value : value;
}

const SINGLE_OPTIONS_ERROR = 'Only $select and $filter clause can be provided while doing $expand on many-to-one relationship or nested one-to-many relationship.';

function prepareExpand(scope: QueryScope, entity: EntityTypeDef, item: ExpandItem, text: string, nestedAnywhere: boolean, depth: number): PreparedExpand {
  const nav = entity.navigations.get(item.nav);
  if (!nav) throw propertyNotFound(item.nav, entity.qualifiedName);
  if (depth > scope.profile.maxExpandDepth) throw queryError(`The $expand depth exceeds the maximum of ${scope.profile.maxExpandDepth}.`);
  if (item.ref && nav.collection) throw queryError('Expand with $ref is only supported on lookup type navigation property.');
  const target = scope.model.entityTypes.get(nav.target);
  if (!target) throw queryError(`Navigation property '${nav.name}' targets an unknown type.`);
  const options = new Map<string, string>();
  const query: PreparedQuery = { entity: target, expand: [] };
  for (const option of item.options as ExpandOption[]) {
    switch (option.name) {
      case '$select':
        query.select = checkSelect(target, option.value as SelectItem[]);
        break;
      case '$filter':
        query.filter = compileFilterExpr(scope, target, option.value as Expr, text);
        break;
      case '$orderby':
      case '$top':
        if (!nav.collection || nestedAnywhere) throw queryError(SINGLE_OPTIONS_ERROR);
        if (option.name === '$top') query.top = option.value as number;
        else query.order = compileOrder(scope, target, option.value as OrderItem[], text);
        break;
      case '$expand': {
        const items = option.value as ExpandItem[];
        query.expand = items.map((i) => prepareExpand(scope, target, i, text, nestedAnywhere, depth + 1));
        break;
      }
      case '$skip': case '$count': case '$search': case '$levels':
        throw queryError(`The query option '${option.name}' is not supported inside $expand.`);
      default:
        throw queryError(`The query option '${option.name}' is not supported inside $expand.`);
    }
    options.set(option.name, String(option.value));
  }
  return { nav, ref: item.ref, query, target };
}
