/**
 * Semi-joins answered by the service through a navigation property, so the subquery's table is not
 * read at all: an EXISTS / IN whose subquery reads one remote table, correlated with the outer row by
 * a relationship of the catalog, and whose other conditions all translate exactly.
 *
 * Collection-valued (the subquery's lookup names the outer row's key):
 * `SELECT name FROM account a WHERE EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid
 *  AND c.firstname = 'Mark')` → `accounts?$select=name&$filter=contact_customer_accounts/any(x:x/firstname eq 'Mark')`
 * (`a.accountid IN (SELECT parentcustomerid FROM contact WHERE …)` likewise).
 *
 * Single-valued (the outer row's lookup names the subquery's key):
 * `WHERE primarycontactid IN (SELECT contactid FROM contact WHERE firstname = 'Mark')` →
 * `$filter=primarycontactid/contactid ne null and primarycontactid/firstname eq 'Mark'` (the first
 * condition: a missing contact is no match even where the others would hold, `lastname IS NULL`).
 *
 * NOT EXISTS is `not (…)` of the same: `any()` and a comparison are never unknown in OData, so the
 * negation holds exactly where SQL's NOT EXISTS does. NOT IN does not apply: with a NULL among the
 * subquery's values (or an outer NULL and an empty subquery) SQL's answer depends on the whole
 * list, not on the row's own related rows. Nor does anything that makes the subquery's rows differ
 * from its table's filtered rows: TOP / OFFSET, GROUP BY / HAVING, an aggregate without GROUP BY
 * (always one row), a join, a CTE, a set operation.
 */
import type { Column, Relationship } from '../catalog/types.js';
import type { Capabilities } from '../capabilities/index.js';
import { andAll, type ODataFilter } from '../odata/index.js';
import type * as P from '../plan/index.js';
import { containsAggregate } from '../plan/index.js';
import { translateConjunct } from './filter.js';
import type { ParamValues } from './values.js';
import { mapTree } from './rules/map-tree.js';
import { conjuncts } from './walk.js';
import type { MetadataReader } from './service-metadata.js';
import { multiSelectRefusal } from './column-kinds.js';

/** the lambda variable: the body names only it, so it cannot be mistaken for an outer property */
const VARIABLE = 'x';

export interface NavigationSemiJoin {
  /** what the conjunct becomes in the outer scan's `$filter` */
  filter: ODataFilter;
  /** the subquery's scan, which no longer sends a request */
  innerScanId: number;
}

/**
 * `conjunct` of a block reading `outer` alone, as a filter through a navigation property of `outer`,
 * or why it cannot be one.
 */
export function navigationSemiJoin(
  conjunct: P.Expr, outer: P.Scan, scans: readonly P.Scan[], facts: Capabilities, params: ParamValues, metadata?: MetadataReader,
): NavigationSemiJoin | string {
  if (!facts.supportsLambda) return `${facts.edition} filters through no navigation property`;
  let negated = false;
  let expr = conjunct;
  if (expr.kind === 'unary' && expr.op === 'NOT') {
    negated = true;
    expr = expr.operand;
  }
  let query: P.Query;
  let outerValue: P.Expr | undefined;
  if (expr.kind === 'exists') {
    negated = negated !== expr.negated;
    query = expr.query;
  } else if (expr.kind === 'inQuery') {
    if (negated || expr.negated) return 'NOT IN depends on NULLs anywhere in the subquery';
    query = expr.query;
    outerValue = expr.expr;
  } else {
    return 'not a semi-join';
  }
  if (query.kind !== 'select' || query.with.length > 0 || query.from?.kind !== 'scan') return 'the subquery reads more than one table';
  if (query.groupBy.length > 0 || query.having || query.limit || query.offset) return 'the subquery groups or limits its rows';
  if (query.columns.some((c) => containsAggregate(c.expr) || (c.expr.kind === 'function' && c.expr.over))) return 'the subquery aggregates';
  const innerScanId = query.from.scanId;
  const inner = scans.find((s) => s.id === innerScanId);
  if (!inner || inner.source !== 'remote' || inner.id === outer.id) return 'the subquery reads no remote table';

  const rest = conjuncts(query.where);
  let pair: { outer: Column; inner: Column } | undefined;
  if (outerValue) {
    if (query.columns.length !== 1) return 'the subquery has more than one column';
    pair = columnPair(outerValue, query.columns[0]!.expr, outer.id, innerScanId);
  } else {
    const index = rest.findIndex((c) => c.kind === 'binary' && c.op === '=' && columnPair(c.left, c.right, outer.id, innerScanId) !== undefined);
    if (index >= 0) {
      const eq = rest.splice(index, 1)[0] as P.Binary;
      pair = columnPair(eq.left, eq.right, outer.id, innerScanId);
    }
  }
  if (!pair) return 'the subquery is not correlated by a lookup and a key';

  const conditions: ODataFilter[] = [];
  for (const condition of rest) {
    const translation = translateConjunct(condition, innerScanId, facts, params, undefined, (column) => multiSelectRefusal(inner.table, column, metadata));
    if (!translation.ok) return translation.reason;
    conditions.push(translation.filter);
  }
  const link = linkOf(outer, inner, pair);
  if (!link) return `no navigation property of ${outer.table.name} joins ${pair.outer.name} to ${inner.table.name}.${pair.inner.name}`;
  const prefix = link.kind === 'one-to-many' ? VARIABLE : link.navigation;
  const body: ODataFilter[] = [];
  for (const condition of conditions) {
    const under = underPrefix(condition, prefix);
    if (!under) return 'a condition of the subquery has no form under a navigation property';
    body.push(under);
  }
  let filter: ODataFilter;
  if (link.kind === 'one-to-many') {
    const item = andAll(body);
    filter = { kind: 'any', navigation: link.navigation, variable: VARIABLE, ...(item ? { item } : {}) };
  } else {
    const exists: ODataFilter = { kind: 'compare', op: 'ne', property: `${link.navigation}/${pair.inner.odataName}`, value: null, target: { edmType: pair.inner.edmType } };
    filter = andAll([exists, ...body])!;
  }
  return { filter: negated ? { kind: 'not', item: filter } : filter, innerScanId };
}

/** `a = b` as (outer column, subquery column), either way round; plain stored columns only */
function columnPair(a: P.Expr, b: P.Expr, outerId: number, innerId: number): { outer: Column; inner: Column } | undefined {
  const plain = (e: P.Expr, scanId: number) => (e.kind === 'column' && e.scanId === scanId && e.column && (e.column.kind === 'data' || e.column.kind === 'lookup') ? e.column : undefined);
  const outer = plain(a, outerId) ?? plain(b, outerId);
  const inner = plain(a, innerId) ?? plain(b, innerId);
  return outer && inner && a !== b ? { outer, inner } : undefined;
}

/**
 * The relationship of `outer` that is exactly the correlation: its key named by the subquery's
 * lookup (one-to-many), or its lookup naming the subquery table's key (many-to-one).
 */
function linkOf(outer: P.Scan, inner: P.Scan, pair: { outer: Column; inner: Column }): Relationship | undefined {
  const single = (keys: readonly string[], column: Column) => keys.length === 1 && keys[0] === column.name;
  return outer.table.relationships.find((r) => r.toTable === inner.table.name && r.fromColumns.length === 1 && r.toColumns.length === 1
    && r.fromColumns[0] === pair.outer.name && r.toColumns[0] === pair.inner.name
    && ((r.kind === 'one-to-many' && single(outer.table.primaryKey, pair.outer))
      || (r.kind === 'many-to-one' && single(inner.table.primaryKey, pair.inner))));
}

/** the filter with each property read through `prefix` (`firstname` → `x/firstname`); undefined for a query function */
function underPrefix(filter: ODataFilter, prefix: string): ODataFilter | undefined {
  switch (filter.kind) {
    case 'compare': case 'stringFunction': return { ...filter, property: `${prefix}/${filter.property}` };
    case 'compareProperties': return { ...filter, property: `${prefix}/${filter.property}`, other: `${prefix}/${filter.other}` };
    case 'and': case 'or': {
      const items = filter.items.map((item) => underPrefix(item, prefix));
      return items.every((i): i is ODataFilter => i !== undefined) ? { kind: filter.kind, items } : undefined;
    }
    case 'not': {
      const item = underPrefix(filter.item, prefix);
      return item ? { kind: 'not', item } : undefined;
    }
    case 'constant': return filter;
    // the function's PropertyName is documented for the entity's own properties only
    case 'crmIn': case 'any': return undefined;
  }
}

export interface SemiJoinsPushed {
  /** the statement without the conjuncts that became filters, and without the scans only they read */
  bound: P.BoundQuery;
  /** per outer scan, the filters those conjuncts became */
  filters: Map<number, ODataFilter[]>;
}

/**
 * Every WHERE conjunct of a block reading one remote scan that navigationSemiJoin turns into a
 * filter of that scan. The block's WHERE applies to the scan's rows before anything else the block
 * does (grouping, TOP), so filtering the scan's request instead gives the block the same rows.
 */
export function semiJoinsThroughNavigation(bound: P.BoundQuery, facts: Capabilities, params: ParamValues, metadata?: MetadataReader): SemiJoinsPushed {
  const filters = new Map<number, ODataFilter[]>();
  const dropped = new Set<number>();
  if (!facts.supportsLambda) return { bound, filters };
  const query = mapTree(bound.query, (node) => {
    if (node.kind !== 'select') return node;
    const block = node as unknown as P.Select;
    const outer = block.from?.kind === 'scan' ? bound.scans.find((s) => s.id === (block.from as P.ScanRef).scanId) : undefined;
    if (!outer || outer.source !== 'remote' || !block.where) return node;
    const kept: P.Expr[] = [];
    for (const conjunct of conjuncts(block.where)) {
      const semi = navigationSemiJoin(conjunct, outer, bound.scans, facts, params, metadata);
      // a subquery whose own EXISTS already became a filter of its scan keeps that scan's request
      if (typeof semi === 'string' || filters.has(semi.innerScanId)) {
        kept.push(conjunct);
        continue;
      }
      filters.set(outer.id, [...(filters.get(outer.id) ?? []), semi.filter]);
      dropped.add(semi.innerScanId);
    }
    if (kept.length === conjuncts(block.where).length) return node;
    return { ...node, where: andOf(kept) } as unknown as Record<string, unknown>;
  });
  if (dropped.size === 0) return { bound, filters };
  return { bound: { ...bound, query, scans: bound.scans.filter((s) => !dropped.has(s.id)) }, filters };
}

function andOf(items: P.Expr[]): P.Expr | undefined {
  return items.reduce<P.Expr | undefined>((left, right) => (left ? { kind: 'binary', op: 'AND', left, right, sqlType: right.sqlType } : right), undefined);
}
