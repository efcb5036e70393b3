/**
 * GROUP BY and aggregates as one `$apply` request, when the whole statement is expressible: one
 * table, every WHERE condition exact, grouping by plain non-date columns, and only COUNT(*) and
 * SUM / MIN / MAX of numbers (MIN / MAX of dates too). AVG stays local: T-SQL's AVG of an integer
 * column is an integer and the service's average of decimals is rounded its own way, so the rows
 * would depend on where it ran. ORDER BY may name grouping columns only (the service cannot sort by
 * aggregated values); no HAVING or OFFSET. `SELECT DISTINCT a, b` goes out as `groupby((a,b))`.
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

const NUMERIC = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Byte']);
const DATES = new Set(['Edm.DateTimeOffset', 'Edm.Date']);

export interface AggregateRequest {
  step: P.RemoteScanStep;
  output: { kind: 'direct'; names: string[]; columns: Column[] };
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

/** the aggregate a select item computes, or undefined when the service cannot */
function aggregateOf(expr: P.Expr, scanId: number): { method: ApplyAggregate['method']; column?: Column } | undefined {
  if (expr.kind !== 'function' || expr.over || expr.distinct || functionKind(expr.name) !== 'aggregate') return undefined;
  if (expr.name === 'COUNT' && expr.star) return { method: 'count' };
  const column = expr.args.length === 1 ? plainColumn(expr.args[0]!, scanId) : undefined;
  if (!column) return undefined;
  switch (expr.name) {
    case 'SUM': return NUMERIC.has(column.edmType) ? { method: 'sum', column } : undefined;
    case 'MIN': return NUMERIC.has(column.edmType) || DATES.has(column.edmType) ? { method: 'min', column } : undefined;
    case 'MAX': return NUMERIC.has(column.edmType) || DATES.has(column.edmType) ? { method: 'max', column } : undefined;
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
): AggregateRequest | string {
  const block = bound.query;
  if (block.kind !== 'select' || !aggregatesTheScan(block, scan)) return 'the aggregate reads a derived table, a CTE or a join, not the table itself';
  if (!facts.supportsApply) return countRequest(bound, scan, filters, facts, crossCompany) ?? `${facts.edition} has no $apply`;
  if (block.having || block.offset) return 'HAVING and OFFSET run locally';
  // SELECT DISTINCT a, b is GROUP BY a, b (the service's own spelling of distinct, protocol doc §1.4)
  const distinctList = block.distinct && block.groupBy.length === 0 ? block.columns.map((c) => c.expr) : undefined;
  if (block.distinct && !distinctList) return 'DISTINCT with GROUP BY runs locally';
  const groupColumns: Column[] = [];
  for (const g of distinctList ?? block.groupBy) {
    const column = plainColumn(g, scan.id);
    if (!column) return 'it groups by a computed value';
    if (!facts.applyGroupByDatetime && DATES.has(column.edmType)) return `the service cannot group by the date ${column.name}`;
    if (!groupColumns.includes(column)) groupColumns.push(column);
  }
  const names: string[] = [];
  const columns: Column[] = [];
  const aggregates: ApplyAggregate[] = [];
  /** per output name, the alias whose null makes it null */
  const guards = new Map<string, string>();
  for (const [index, item] of block.columns.entries()) {
    const name = bound.outputNames[index]!;
    const group = plainColumn(item.expr, scan.id);
    if (group) {
      if (!groupColumns.includes(group)) return `${group.name} is neither grouped nor aggregated`;
      names.push(name);
      columns.push(output(name, group.odataName, group.edmType, group.sqlType));
      continue;
    }
    const aggregate = aggregateOf(item.expr, scan.id);
    if (!aggregate) return 'an aggregate the service cannot compute exactly';
    const alias = aliasFor(aggregates, aggregate.method, aggregate.column?.odataName);
    // T-SQL: SUM over no non-null values is NULL, and so is MAX; a service may answer such a sum
    // with 0 (the emulator did), but a MAX has nothing to answer with but null
    if (aggregate.method === 'sum') guards.set(name, aliasFor(aggregates, 'max', aggregate.column!.odataName));
    names.push(name);
    // the result type is the bound one (T-SQL: COUNT an int, SUM of a tinyint an int; PostgreSQL: COUNT a bigint)
    columns.push(aggregate.method === 'count'
      ? output(name, alias, 'Edm.Int32', item.expr.sqlType)
      : output(name, alias, aggregate.column!.edmType, item.expr.sqlType));
  }
  if (aggregates.length === 0 && groupColumns.length === 0) return 'nothing to aggregate';
  const orderBy: { property: string; descending: boolean }[] = [];
  for (const item of block.orderBy) {
    const target = item.expr.kind === 'literal' ? block.columns[Number(item.expr.value) - 1]?.expr
      : item.expr.kind === 'column' && item.expr.scanId === undefined ? aliasTarget(block, item.expr.name)
        : item.expr;
    const column = target ? plainColumn(target, scan.id) : undefined;
    if (!column || !groupColumns.includes(column)) return 'ORDER BY names an aggregated value, which the service cannot sort by';
    if (item.nulls && (item.nulls === 'first') === item.descending) return 'the NULLS FIRST/LAST order differs from the service';
    orderBy.push({ property: column.odataName, descending: item.descending });
  }
  const top = block.limit ? rowCountValue(block.limit, params, 'TOP / LIMIT') : undefined;
  // one response holds at most a page of groups and an aggregate has no next page (see limitRows in plan-query.ts)
  if (top !== undefined && top > facts.maxPageSize) return `TOP ${top} is more groups than one response holds`;
  const apply = serializeApply({ filter: andAll(filters), groupBy: groupColumns.map((c) => c.odataName), aggregates });
  const options = [`$apply=${encodeQueryOptionValue(apply)}`];
  if (orderBy.length > 0) options.push(`$orderby=${encodeQueryOptionValue(orderBy.map((o) => `${o.property}${o.descending ? ' desc' : ''}`).join(','))}`);
  if (top !== undefined) options.push(`$top=${top}`);
  const orderByPushed = orderBy.length > 0 ? [`$orderby ${orderBy.map((o) => o.property).join(',')}`] : [];
  const topPushed = top !== undefined ? [`$top ${top}`] : [];
  const step: P.RemoteScanStep = {
    kind: 'remoteScan', scanId: scan.id, table: scan.table, alias: scan.alias,
    request: {
      method: 'GET', url: `${scan.table.entitySetName}?${options.join('&')}`,
      headers: queryHeaders({ entitySet: scan.table.entitySetName, top, maxPageSize: pageHeaders.maxPageSize }),
    },
    columns,
    aggregateOutputs: columns.map((c) => ({ name: c.name, alias: c.odataName, ...(guards.has(c.name) ? { nullWhenNull: guards.get(c.name) } : {}) })),
    pushed: [`$apply ${apply}`, ...orderByPushed, ...topPushed],
    notPushed: [],
  };
  return { step, output: { kind: 'direct', names, columns } };
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
