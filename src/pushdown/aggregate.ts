/**
 * GROUP BY and aggregates as one `$apply` request, when the whole statement is expressible: one
 * table, every WHERE condition exact, grouping by plain non-date columns, and only COUNT(*) and
 * SUM / MIN / MAX of numbers (MIN / MAX of dates and strings too), not of a choice or a yes/no
 * column (value-aggregates.ts). AVG stays local: T-SQL's AVG of an integer
 * column is an integer and the service's average of decimals is rounded its own way, so the rows
 * would depend on where it ran. ORDER BY of grouping columns and TOP go with the request; HAVING,
 * ORDER BY of aggregated values (the service cannot sort by them) and OFFSET run locally over the
 * groups the request returns (localFinish). `SELECT DISTINCT a, b` goes out as `groupby((a,b))`.
 *
 * `SELECT statecode, COUNT(*) AS n FROM account WHERE revenue > 0 GROUP BY statecode` →
 * `GET accounts?$apply=filter(revenue gt 0)/groupby((statecode),aggregate($count as a1))`.
 */
import type { Column, SqlType } from '../catalog/types.js';
import { andAll, queryHeaders, serializeApply, serializeFilter, type ApplyAggregate, type ODataFilter } from '../odata/index.js';
import { encodeQueryOptionValue } from '../odata/index.js';
import type * as P from '../plan/index.js';
import { functionKind } from '../plan/index.js';
import type { Capabilities } from '../capabilities/index.js';
import { rowCountValue, type ParamValues } from './values.js';
import { valueAggregateRefusal } from './value-aggregates.js';
import { multiSelectRefusal } from './column-kinds.js';
import type { MetadataReader } from './service-metadata.js';

const NUMERIC = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Byte']);
const DATES = new Set(['Edm.DateTimeOffset', 'Edm.Date']);
/**
 * What MIN / MAX may be asked of: numbers, dates, and strings. The service computes them in SQL
 * Server under the org's case-insensitive collation, the one the local engine follows (of values
 * the collation calls equal, 'Mark' and 'MARK', either may come back, in T-SQL as here); the docs
 * show `min`/`max` on a date only (protocol doc §1.4), so strings rest on that.
 */
const ORDERED = new Set([...NUMERIC, ...DATES, 'Edm.String']);

export interface AggregateRequest {
  step: P.RemoteScanStep;
  /** the request's rows are the result, or a local step finishes them (HAVING, ORDER BY of aggregated values) */
  output: P.OutputShape;
}

/** a result column of the aggregate request; frozen, as the rest of a cached plan (plan/plan-cache.ts) */
function output(name: string, alias: string, edmType: string, sqlType: SqlType): Column {
  return Object.freeze({
    name, odataName: alias, kind: 'data', edmType, sqlType, nullable: true, readOnly: true, insertable: false, updatable: false, isPrimaryKey: false,
  });
}


function plainColumn(expr: P.Expr, scanId: number): Column | undefined {
  return expr.kind === 'column' && expr.scanId === scanId && expr.column && (expr.column.kind === 'data' || expr.column.kind === 'lookup') ? expr.column : undefined;
}

/** the aggregate a select item computes, or undefined (or why, when the column is the reason) when the service cannot */
function aggregateOf(expr: P.Expr, scan: P.Scan, metadata: MetadataReader | undefined): { method: ApplyAggregate['method']; column?: Column } | string | undefined {
  if (expr.kind !== 'function' || expr.over || expr.distinct || functionKind(expr.name) !== 'aggregate') return undefined;
  if (expr.name === 'COUNT' && expr.star) return { method: 'count' };
  const column = expr.args.length === 1 ? plainColumn(expr.args[0]!, scan.id) : undefined;
  if (!column) return undefined;
  // the service refuses these of a choice or a yes/no column (value-aggregates.ts)
  if (expr.name === 'SUM' || expr.name === 'MIN' || expr.name === 'MAX') {
    const refused = valueAggregateRefusal(scan.table, column, metadata);
    if (refused) return refused;
  }
  switch (expr.name) {
    case 'SUM': return NUMERIC.has(column.edmType) ? { method: 'sum', column } : undefined;
    case 'MIN': return ORDERED.has(column.edmType) ? { method: 'min', column } : undefined;
    case 'MAX': return ORDERED.has(column.edmType) ? { method: 'max', column } : undefined;
    default: return undefined;
  }
}

/**
 * The precondition of the aggregate push-down: the aggregate's input *is* the scan. The statement is
 * one SELECT block, without CTEs, whose FROM is the scan itself; a derived table, a CTE or a join
 * between them is a boundary whose rows differ from the table's.
 *
 * `SELECT COUNT(*) FROM account` → yes (`$apply=aggregate($count as a1)`);
 * `SELECT COUNT(*) FROM (SELECT industrycode FROM account GROUP BY industrycode) g` → no: the count
 * is of the groups, so it runs locally over the inner block's rows.
 */
function aggregatesTheScan(query: P.Query, scan: P.Scan): boolean {
  return query.kind === 'select' && query.with.length === 0 && query.from?.kind === 'scan' && query.from.scanId === scan.id;
}

export function aggregateRequest(
  bound: P.BoundQuery, scan: P.Scan, filters: ODataFilter[], facts: Capabilities, params: ParamValues, pageHeaders: { maxPageSize: number }, crossCompany = false,
  metadata?: MetadataReader,
): AggregateRequest | string {
  const block = bound.query;
  if (block.kind !== 'select' || !aggregatesTheScan(block, scan)) return 'the aggregate reads a derived table, a CTE or a join, not the table itself';
  if (!facts.supportsApply) return countRequest(bound, scan, filters, facts, crossCompany) ?? `${facts.edition} has no $apply`;
  // SELECT DISTINCT a, b is GROUP BY a, b (the service's own spelling of distinct, protocol doc §1.4)
  const distinctList = block.distinct && block.groupBy.length === 0 ? block.columns.map((c) => c.expr) : undefined;
  if (block.distinct && !distinctList) return 'DISTINCT with GROUP BY runs locally';
  const groupColumns: Column[] = [];
  for (const g of distinctList ?? block.groupBy) {
    const column = plainColumn(g, scan.id);
    if (!column) return 'it groups by a computed value';
    if (!facts.applyGroupByDatetime && DATES.has(column.edmType)) return `the service cannot group by the date ${column.name}`;
    const multiSelect = multiSelectRefusal(scan.table, column, metadata);
    if (multiSelect) return multiSelect;
    if (!groupColumns.includes(column)) groupColumns.push(column);
  }
  const outputs = new AggregateOutputs(scan, groupColumns, metadata);
  const names: string[] = [];
  const columns: Column[] = [];
  for (const [index, item] of block.columns.entries()) {
    const column = outputs.of(item.expr, bound.outputNames[index]!);
    if (typeof column === 'string') return column;
    names.push(bound.outputNames[index]!);
    columns.push(column);
  }
  if (outputs.aggregates.length === 0 && groupColumns.length === 0) return 'nothing to aggregate';
  const ordered = serviceOrder(block, scan, groupColumns);
  const top = block.limit ? rowCountValue(block.limit, params, 'TOP / LIMIT') : undefined;
  // one response holds at most a page of groups and an aggregate has no next page (see limitRows in plan-query.ts)
  const finishLocally = block.having !== undefined || block.offset !== undefined || typeof ordered === 'string' || (top !== undefined && top > facts.maxPageSize);
  const orderBy = finishLocally || typeof ordered === 'string' ? [] : ordered;
  const sentTop = finishLocally ? undefined : top;
  let local: P.LocalStep | undefined;
  if (finishLocally) {
    const finish = localFinish(bound, block, scan, outputs, names, columns);
    if (typeof finish === 'string') return finish;
    local = finish;
  }
  const apply = serializeApply({ filter: andAll(filters), groupBy: groupColumns.map((c) => c.odataName), aggregates: outputs.aggregates });
  const options = [`$apply=${encodeQueryOptionValue(apply)}`];
  if (orderBy.length > 0) options.push(`$orderby=${encodeQueryOptionValue(orderBy.map((o) => `${o.property}${o.descending ? ' desc' : ''}`).join(','))}`);
  if (sentTop !== undefined) options.push(`$top=${sentTop}`);
  const orderByPushed = orderBy.length > 0 ? [`$orderby ${orderBy.map((o) => o.property).join(',')}`] : [];
  const topPushed = sentTop !== undefined ? [`$top ${sentTop}`] : [];
  const read = local ? [...columns, ...outputs.hidden] : columns;
  const step: P.RemoteScanStep = {
    kind: 'remoteScan', scanId: scan.id, table: scan.table, alias: scan.alias,
    request: {
      method: 'GET', url: `${scan.table.entitySetName}?${options.join('&')}`,
      headers: queryHeaders({ entitySet: scan.table.entitySetName, top: sentTop, maxPageSize: pageHeaders.maxPageSize }),
    },
    columns: read,
    aggregateOutputs: read.map((c) => ({ name: c.name, alias: c.odataName, ...(outputs.guards.has(c.name) ? { nullWhenNull: outputs.guards.get(c.name) } : {}) })),
    pushed: [`$apply ${apply}`, ...orderByPushed, ...topPushed],
    notPushed: local ? ['HAVING, ORDER BY, TOP and OFFSET run locally over the groups'] : [],
  };
  return { step, output: local ? { kind: 'local', step: local } : { kind: 'direct', names, columns } };
}

/**
 * The result columns of one aggregate request: each group column and each aggregate the service
 * computes, named by the output that reads it. `hidden` are those only HAVING or ORDER BY read.
 */
class AggregateOutputs {
  readonly aggregates: ApplyAggregate[] = [];
  /** per output name, the alias whose null makes it null */
  readonly guards = new Map<string, string>();
  readonly hidden: Column[] = [];
  /** the output already made for an expression (by its shape), so HAVING reuses a select item's */
  private readonly made = new Map<string, Column>();

  constructor(private readonly scan: P.Scan, private readonly groupColumns: Column[], private readonly metadata: MetadataReader | undefined) {}

  /** the output for a group column or an aggregate, named `name`; or why the service cannot give it */
  of(expr: P.Expr, name: string): Column | string {
    const group = plainColumn(expr, this.scan.id);
    let column: Column;
    if (group) {
      if (!this.groupColumns.includes(group)) return `${group.name} is neither grouped nor aggregated`;
      column = output(name, group.odataName, group.edmType, group.sqlType);
    } else {
      const aggregate = aggregateOf(expr, this.scan, this.metadata);
      if (typeof aggregate === 'string') return aggregate;
      if (!aggregate) return 'an aggregate the service cannot compute exactly';
      const alias = aliasFor(this.aggregates, aggregate.method, aggregate.column?.odataName);
      // T-SQL: SUM over no non-null values is NULL, and so is MAX; a service may answer such a sum
      // with 0 (the emulator did), but a MAX has nothing to answer with but null
      if (aggregate.method === 'sum') this.guards.set(name, aliasFor(this.aggregates, 'max', aggregate.column!.odataName));
      // the result type is the bound one (T-SQL: COUNT an int, SUM of a tinyint an int; PostgreSQL: COUNT a bigint)
      column = aggregate.method === 'count'
        ? output(name, alias, 'Edm.Int32', expr.sqlType)
        : output(name, alias, aggregate.column!.edmType, expr.sqlType);
    }
    if (!this.made.has(shapeKey(expr))) this.made.set(shapeKey(expr), column);
    return column;
  }

  /** the output an expression of HAVING / ORDER BY reads: a select item's, or a hidden one made for it */
  existing(expr: P.Expr): Column | undefined {
    return this.made.get(shapeKey(expr));
  }

  hide(expr: P.Expr): Column | string {
    const column = this.of(expr, `__finish_${this.hidden.length + 1}`);
    if (typeof column !== 'string') this.hidden.push(column);
    return column;
  }
}

/** an expression's shape, without catalog objects and types: equal for `COUNT(*)` in the select list and in HAVING */
function shapeKey(expr: P.Expr): string {
  return JSON.stringify(expr, (key, value: unknown) => (key === 'column' || key === 'sqlType' ? undefined : value));
}

/** ORDER BY as service properties (grouping columns only), or why the service cannot sort so */
function serviceOrder(block: P.Select, scan: P.Scan, groupColumns: Column[]): { property: string; descending: boolean }[] | string {
  const orderBy: { property: string; descending: boolean }[] = [];
  for (const item of block.orderBy) {
    const target = orderTarget(block, item.expr);
    const column = target ? plainColumn(target, scan.id) : undefined;
    if (!column || !groupColumns.includes(column)) return 'ORDER BY names an aggregated value, which the service cannot sort by';
    if (item.nulls && (item.nulls === 'first') === item.descending) return 'the NULLS FIRST/LAST order differs from the service';
    orderBy.push({ property: column.odataName, descending: item.descending });
  }
  return orderBy;
}

/** what an ORDER BY item names: a select item by position or alias, or an expression */
function orderTarget(block: P.Select, expr: P.Expr): P.Expr | undefined {
  if (expr.kind === 'literal') return expr.type === 'number' ? block.columns[Number(expr.value) - 1]?.expr : undefined;
  if (expr.kind === 'column' && expr.scanId === undefined) return aliasTarget(block, expr.name);
  return expr;
}

/**
 * HAVING, ORDER BY, TOP and OFFSET over the groups the service returns, as a local step reading
 * the request's rows: `SELECT name, count(*) FROM account GROUP BY name HAVING count(*) > 1` →
 * `$apply=groupby((name),aggregate($count as a1))`, then locally `SELECT name, count FROM <groups>
 * WHERE count > 1`. (Dataverse documents `filter` before `groupby` only, protocol doc §1.4, so
 * HAVING is not sent as a `filter` after it.)
 */
function localFinish(
  bound: P.BoundQuery, block: P.Select, scan: P.Scan, outputs: AggregateOutputs, names: string[], columns: Column[],
): P.LocalStep | string {
  const ref = (column: Column): P.ColumnRef => ({ kind: 'column', name: column.name, qualifier: scan.alias, scanId: scan.id, column, sqlType: column.sqlType });
  /** the expression over the groups' columns: each group column and aggregate becomes its output */
  const over = (expr: P.Expr): P.Expr | string => {
    const known = outputs.existing(expr);
    if (known) return ref(known);
    if (plainColumn(expr, scan.id) || (expr.kind === 'function' && !expr.over && functionKind(expr.name) === 'aggregate')) {
      const made = outputs.hide(expr);
      return typeof made === 'string' ? made : ref(made);
    }
    if (expr.kind === 'column' && expr.scanId !== undefined) return `${expr.name} is neither grouped nor aggregated`;
    if (expr.kind === 'inQuery' || expr.kind === 'exists' || expr.kind === 'subquery') return 'HAVING / ORDER BY holds a subquery';
    if (expr.kind === 'function' && expr.over) return 'ORDER BY holds a window function';
    return mapChildren(expr, over);
  };
  const having = block.having ? over(block.having) : undefined;
  if (typeof having === 'string') return having;
  const orderBy: P.OrderItem[] = [];
  for (const item of block.orderBy) {
    const target = orderTarget(block, item.expr);
    const position = target ? block.columns.findIndex((c) => c.expr === target) : -1;
    const expr = position >= 0 ? ref(columns[position]!) : target ? over(target) : 'ORDER BY names a constant';
    if (typeof expr === 'string') return expr;
    orderBy.push({ ...item, expr });
  }
  const query: P.Select = {
    kind: 'select', with: [], distinct: false,
    columns: names.map((name, i) => ({ expr: ref(columns[i]!), alias: name })),
    from: { kind: 'scan', scanId: scan.id, alias: scan.alias },
    where: having, groupBy: [], orderBy, limit: block.limit, offset: block.offset, outputTypes: bound.outputTypes,
  };
  return { kind: 'local', query, reasons: ['HAVING, ORDER BY of aggregated values, TOP and OFFSET run locally over the groups the service computed'] };
}

/** the expression with `map` applied to each direct part (a part it refuses refuses the whole) */
function mapChildren(expr: P.Expr, map: (e: P.Expr) => P.Expr | string): P.Expr | string {
  const parts: Record<string, P.Expr | P.Expr[]> = {};
  const one = (e: P.Expr) => map(e);
  switch (expr.kind) {
    case 'binary': parts.left = expr.left; parts.right = expr.right; break;
    case 'unary': parts.operand = expr.operand; break;
    case 'isNull': case 'cast': parts.expr = expr.expr; break;
    case 'between': parts.expr = expr.expr; parts.low = expr.low; parts.high = expr.high; break;
    case 'inList': parts.expr = expr.expr; parts.list = expr.list; break;
    case 'like': parts.expr = expr.expr; parts.pattern = expr.pattern; if (expr.escape) parts.escape = expr.escape; break;
    case 'function': parts.args = expr.args; break;
    case 'literal': case 'param': case 'keyword': return expr;
    default: return `${expr.kind} is not computed over the groups`;
  }
  const copy: Record<string, unknown> = { ...expr };
  for (const [key, value] of Object.entries(parts)) {
    if (Array.isArray(value)) {
      const mapped = value.map(one);
      const refused = mapped.find((m): m is string => typeof m === 'string');
      if (refused) return refused;
      copy[key] = mapped;
    } else {
      const mapped = one(value);
      if (typeof mapped === 'string') return mapped;
      copy[key] = mapped;
    }
  }
  return copy as unknown as P.Expr;
}

/**
 * Without `$apply` (F&O), a bare `SELECT COUNT(*) FROM t [WHERE …]` is `GET t/$count?$filter=…`,
 * whose body is the number: `SELECT COUNT(*) AS n FROM CustomersV3` → `CustomersV3/$count`.
 * (Dataverse caps `/$count` at 5,000, so there `$apply` does it.)
 */
function countRequest(bound: P.BoundQuery, scan: P.Scan, filters: ODataFilter[], facts: Capabilities, crossCompany: boolean): AggregateRequest | undefined {
  const block = bound.query;
  if (block.kind !== 'select' || !facts.supportsCount || facts.countLimit !== undefined) return undefined;
  const only = block.columns.length === 1 ? block.columns[0]!.expr : undefined;
  if (!only || only.kind !== 'function' || only.name !== 'COUNT' || !only.star || only.over) return undefined;
  if (block.groupBy.length > 0 || block.having || block.distinct || block.limit || block.offset) return undefined;
  const options: string[] = [];
  if (crossCompany && facts.crossCompany) options.push('cross-company=true');
  const filter = andAll(filters);
  if (filter) options.push(`$filter=${encodeQueryOptionValue(serializeFilter(filter))}`);
  const name = bound.outputNames[0]!;
  const column = output(name, '$count', 'Edm.Int32', only.sqlType);
  const step: P.RemoteScanStep = {
    kind: 'remoteScan', scanId: scan.id, table: scan.table, alias: scan.alias,
    request: { method: 'GET', url: `${scan.table.entitySetName}/$count${options.length > 0 ? `?${options.join('&')}` : ''}`, headers: {} },
    columns: [column], countOnly: true,
    pushed: ['/$count', ...(filter ? [`$filter ${serializeFilter(filter)}`] : [])], notPushed: [],
  };
  return { step, output: { kind: 'direct', names: [name], columns: [column] } };
}

/** the alias of `method` over `property` in `aggregates`, added there when new (`MAX(x)` twice is asked once) */
function aliasFor(aggregates: ApplyAggregate[], method: ApplyAggregate['method'], property: string | undefined): string {
  const same = aggregates.find((a) => a.method === method && a.property === property);
  if (same) return same.alias;
  const alias = `a${aggregates.length + 1}`;
  aggregates.push({ method, alias, property });
  return alias;
}

function aliasTarget(block: P.Select, name: string): P.Expr | undefined {
  return block.columns.find((c) => c.alias?.toLowerCase() === name.toLowerCase())?.expr;
}
