/**
 * A whole SELECT as one FetchXML request, when FetchXML can answer it exactly and completely (the
 * rows the service returns are the result, no local step):
 * - one table, or two joined on one pair of columns (`link-entity`, `inner` or `outer`) on any
 *   columns, with every WHERE / ON condition translated (fetchxml-filter.ts);
 * - semi- and anti-joins in WHERE: `EXISTS (…)` → `link-type="exists"`, `x IN (SELECT y …)` →
 *   `link-type="in"`, `NOT EXISTS (…)` → `<filter><link-entity link-type="not any">`;
 * - plain columns in the select list, ORDER BY on the root table's columns, TOP;
 * - or GROUP BY / aggregates: plain columns and the date parts `YEAR`, `MONTH`, `DAY`,
 *   `DATEPART(year|month|day, …)`, `date_part('year'|'month'|'day', …)` (`dategrouping`, in UTC),
 *   `COUNT(*)`, `COUNT(x)`, `COUNT(DISTINCT x)` (`countcolumn distinct`), SUM / MIN / MAX of
 *   numbers (MIN / MAX of dates too), ORDER BY grouped or aggregated values.
 * Anything else is the reason it cannot (the OData plan then stands).
 *
 * `SELECT YEAR(createdon) y, COUNT(*) n FROM account GROUP BY YEAR(createdon)` →
 * `<fetch aggregate="true"><entity name="account"><attribute name="createdon" alias="g1" groupby="true" dategrouping="year" usertimezone="false"/>
 *  <attribute name="accountid" alias="a1" aggregate="count"/></entity></fetch>`.
 */
import type { Column } from '../catalog/types.js';
import { element, fetchXmlUrl, prettyXml, type SplitSpec, type XmlElement } from '../fetchxml/index.js';
import { FORMATTED_VALUE, LOOKUP_LOGICAL_NAME } from '../odata/index.js';
import type * as P from '../plan/index.js';
import { functionKind } from '../plan/index.js';
import type { Capabilities } from '../capabilities/index.js';
import { logicalName, translateFetchConjunct } from './fetchxml-filter.js';
import { rowCountValue, type ParamValues } from './values.js';
import { conjuncts } from './walk.js';

/** the most rows one FetchXML page holds, and the most `top` takes (FetchXML doc §1.1) */
const FETCH_PAGE = 5000;

export interface FetchPlanOptions {
  facts: Capabilities;
  params: ParamValues;
  pageSize?: number;
}

export type FetchPlan = { ok: true; plan: P.PhysicalPlan; shape: string } | { ok: false; reason: string };

class CannotFetch {
  constructor(readonly reason: string) {}
}

function cannot(reason: string): never {
  throw new CannotFetch(reason);
}

/** the statement as one FetchXML request, or why it cannot be */
export function fetchXmlPlan(bound: P.BoundQuery, options: FetchPlanOptions): FetchPlan {
  try {
    return { ok: true, ...build(bound, options) };
  } catch (error) {
    if (error instanceof CannotFetch) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** one `<entity>` or `<link-entity>` being built, for one scan */
interface EntityParts {
  scan: P.Scan;
  /** '' for the root; the link's alias otherwise */
  alias: string;
  attributes: XmlElement[];
  conditions: XmlElement[];
  orders: XmlElement[];
  links: XmlElement[];
}

function parts(scan: P.Scan, alias: string): EntityParts {
  return { scan, alias, attributes: [], conditions: [], orders: [], links: [] };
}

function entityChildren(e: EntityParts): XmlElement[] {
  const filter = e.conditions.length > 0 ? [element('filter', { type: 'and' }, e.conditions)] : [];
  return [...e.attributes, ...e.orders, ...filter, ...e.links];
}

/** what building one plan shares: the scans by id, and the count of links so far (their aliases) */
interface BuildContext {
  options: FetchPlanOptions;
  scan(id: number): P.Scan;
  links: number;
}

function build(bound: P.BoundQuery, options: FetchPlanOptions): { plan: P.PhysicalPlan; shape: string } {
  const ctx: BuildContext = {
    options,
    scan(id) {
      const scan = bound.scans.find((s) => s.id === id)!;
      if (scan.source !== 'remote') cannot(`${scan.table.name} is a system table`);
      return scan;
    },
    links: 0,
  };
  if (!options.facts.supportsFetchXml) cannot(`${options.facts.edition} has no FetchXML`);
  const block = bound.query;
  if (block.kind !== 'select') cannot(`${block.op} runs locally`);
  if (block.with.length > 0) cannot('WITH (CTEs) runs locally');
  if (block.offset) cannot('OFFSET has no FetchXML form');
  const from = block.from;
  if (!from) cannot('a SELECT without FROM');
  const scanOf = (ref: P.FromRef): P.Scan => (ref.kind === 'scan' ? ctx.scan(ref.scanId) : cannot('a derived table or CTE in FROM runs locally'));
  let root: EntityParts;
  let link: { parts: EntityParts; type: 'inner' | 'outer'; from: Column; to: Column } | undefined;
  const where = conjuncts(block.where);
  if (from.kind === 'join') {
    if (from.type !== 'INNER' && from.type !== 'LEFT') cannot(`${from.type} JOIN has no FetchXML form`);
    const left = scanOf(from.left);
    const right = scanOf(from.right);
    root = parts(left, '');
    const linked = parts(right, `l${++ctx.links}`);
    let key: { from: Column; to: Column } | undefined;
    for (const on of conjuncts(from.on)) {
      const pair = joinKey(on, left.id, right.id);
      if (pair && !key) {
        key = pair;
        continue;
      }
      if (readsOnly(on, right.id)) addCondition(linked, on, ctx);
      else if (from.type === 'INNER' && readsOnly(on, left.id)) addCondition(root, on, ctx);
      else cannot('a join condition FetchXML cannot express (one column pair per link)');
    }
    if (!key) cannot('the join has no equality between one column of each table');
    link = { parts: linked, type: from.type === 'INNER' ? 'inner' : 'outer', ...key };
    for (const w of where) {
      if (readsOnly(w, right.id) && from.type === 'INNER') addCondition(linked, w, ctx);
      else addWhere(root, w, ctx);
    }
  } else {
    root = parts(scanOf(from), '');
    for (const w of where) addWhere(root, w, ctx);
  }
  const aggregate = isAggregate(block);
  if (aggregate && link) cannot('an aggregate over a join runs locally');
  const out: { columns: Column[]; split?: SplitSpec } = aggregate ? aggregateOutputs(bound, block, root) : plainOutputs(bound, block, root, link?.parts);
  const fetchAttributes: Record<string, string | undefined> = {};
  let rowLimit: number | undefined;
  if (aggregate) {
    fetchAttributes.aggregate = 'true';
    if (block.limit) cannot('TOP over groups runs locally');
  } else {
    orderRoot(block, root);
    if (root.orders.length > 0) fetchAttributes.useraworderby = 'true';
    const limit = block.limit ? rowCountValue(block.limit, options.params, 'TOP / LIMIT') : undefined;
    const pageSize = Math.min(options.pageSize ?? FETCH_PAGE, FETCH_PAGE);
    if (limit !== undefined && limit <= FETCH_PAGE) fetchAttributes.top = String(limit);
    else {
      fetchAttributes.count = String(pageSize);
      rowLimit = limit;
    }
  }
  const rootChildren = entityChildren(root);
  if (link) {
    const linkElement = element('link-entity', {
      name: link.parts.scan.table.name, from: logicalName(link.from), to: logicalName(link.to), alias: link.parts.alias, 'link-type': link.type,
    }, entityChildren(link.parts));
    rootChildren.push(linkElement);
  }
  const fetch = element('fetch', fetchAttributes, [element('entity', { name: root.scan.table.name }, rootChildren)]);
  const entitySet = root.scan.table.entitySetName;
  const url = fetchXmlUrl(entitySet, fetch);
  // a URL past the GET limit goes inside $batch, which takes twice as much (protocol doc §0); the
  // margin leaves room for the paging cookie of later pages
  const viaBatch = url.length + URL_MARGIN > options.facts.maxUrlLength;
  if (viaBatch && (!options.facts.batchSupported || url.length + URL_MARGIN > 2 * options.facts.maxUrlLength)) {
    cannot(`the FetchXML request would be ${url.length} characters, longer than the service accepts`);
  }
  const annotations = [...new Set([PAGING_ANNOTATION, ...out.columns.flatMap(annotationOf)])];
  // the paging cookie tracks root rows only: under a join that can repeat a root row it would skip rows (FetchXML doc §1.7)
  const simplePaging = link !== undefined && !link.from.isPrimaryKey;
  const step: P.RemoteScanStep = {
    kind: 'remoteScan', scanId: root.scan.id, table: root.scan.table, alias: root.scan.alias,
    request: { method: 'GET', url, headers: { Prefer: `odata.include-annotations="${annotations.join(',')}"` } },
    columns: out.columns,
    ...(rowLimit !== undefined ? { rowLimit } : {}),
    fetchXml: { entitySet, fetch, pretty: prettyXml(fetch), reason: '', ...(aggregate ? { aggregate: true } : {}), ...(simplePaging ? { simplePaging: true } : {}), ...(viaBatch ? { viaBatch: true } : {}), ...(out.split ? { split: out.split } : {}) },
    pushed: [`FetchXML ${aggregate ? 'aggregate' : link ? `${link.type} join` : 'read'}`],
    notPushed: [],
  };
  const shape = aggregate ? 'aggregate' : link ? `${link.type} join` : 'read';
  return { plan: { scans: [step], output: { kind: 'direct', names: bound.outputNames, columns: out.columns }, params: options.params }, shape };
}

const PAGING_ANNOTATION = 'Microsoft.Dynamics.CRM.*';
/** room for what later pages add to the URL (page number, paging cookie) */
const URL_MARGIN = 2048;

function annotationOf(column: Column): string[] {
  if (column.kind === 'lookupName' || column.kind === 'choiceLabel') return [FORMATTED_VALUE];
  if (column.kind === 'lookupType') return [LOOKUP_LOGICAL_NAME];
  return [];
}

function isAggregate(block: P.Select): boolean {
  return block.distinct || block.groupBy.length > 0 || block.having !== undefined
    || block.columns.some((c) => c.expr.kind === 'function' && !c.expr.over && functionKind(c.expr.name) === 'aggregate');
}

/** the one scan an expression reads, and nothing else (no outer column, no subquery) */
function readsOnly(expr: P.Expr, scanId: number): boolean {
  let ok = true;
  const visit = (e: P.Expr): void => {
    if (!ok) return;
    switch (e.kind) {
      case 'column': if (e.scanId !== scanId) ok = false; return;
      case 'binary': visit(e.left); visit(e.right); return;
      case 'unary': visit(e.operand); return;
      case 'like': visit(e.expr); visit(e.pattern); if (e.escape) visit(e.escape); return;
      case 'inList': visit(e.expr); e.list.forEach(visit); return;
      case 'between': visit(e.expr); visit(e.low); visit(e.high); return;
      case 'isNull': case 'cast': visit(e.expr); return;
      case 'function': if (e.over) ok = false; else e.args.forEach(visit); return;
      case 'case': if (e.operand) visit(e.operand); e.whens.forEach((w) => { visit(w.when); visit(w.then); }); if (e.else) visit(e.else); return;
      case 'literal': case 'param': case 'keyword': return;
      default: ok = false;
    }
  };
  visit(expr);
  return ok;
}

/** `a.x = b.y` between a column of each scan, of the same type: the link's `to` (parent) and `from` (linked) */
function joinKey(expr: P.Expr, parentScan: number, linkedScan: number): { from: Column; to: Column } | undefined {
  if (expr.kind !== 'binary' || expr.op !== '=' || expr.left.kind !== 'column' || expr.right.kind !== 'column') return undefined;
  const [a, b] = [expr.left, expr.right];
  const pick = (parent: P.ColumnRef, linked: P.ColumnRef) => {
    if (parent.scanId !== parentScan || linked.scanId !== linkedScan) return undefined;
    const to = joinable(parent);
    const fromColumn = joinable(linked);
    return to && fromColumn && to.edmType === fromColumn.edmType ? { from: fromColumn, to } : undefined;
  };
  return pick(a, b) ?? pick(b, a);
}

function joinable(ref: P.ColumnRef): Column | undefined {
  const c = ref.column;
  if (!c || (c.kind !== 'data' && c.kind !== 'lookup') || c.enumType) return undefined;
  // strings join case-insensitively on the service, as they compare (and a blob cannot be joined)
  return ['Edm.Guid', 'Edm.String', 'Edm.Int32', 'Edm.Int64', 'Edm.Int16', 'Edm.Decimal', 'Edm.DateTimeOffset', 'Edm.Date'].includes(c.edmType) ? c : undefined;
}

function addCondition(e: EntityParts, expr: P.Expr, ctx: BuildContext): void {
  const t = translateFetchConjunct(expr, { scanId: e.scan.id, params: ctx.options.params });
  if (!t.ok) cannot(t.reason);
  e.conditions.push(...t.conditions);
}

/** a WHERE conjunct of the root: a condition, or a semi- / anti-join */
function addWhere(root: EntityParts, expr: P.Expr, ctx: BuildContext): void {
  if (expr.kind === 'exists') {
    const semi = semiJoin(expr.query, root, undefined, ctx);
    // a filter's link types are conditions of that filter (FetchXML doc §1.1)
    if (expr.negated) root.conditions.push(withLinkType(semi, 'not any'));
    else root.links.push(withLinkType(semi, 'exists'));
    return;
  }
  if (expr.kind === 'inQuery' && !expr.negated) {
    if (expr.expr.kind !== 'column' || expr.expr.scanId !== root.scan.id) cannot('IN (subquery) on a computed value runs locally');
    root.links.push(withLinkType(semiJoin(expr.query, root, expr.expr, ctx), 'in'));
    return;
  }
  if (expr.kind === 'unary' && expr.op === 'NOT' && expr.operand.kind === 'exists') {
    addWhere(root, { ...expr.operand, negated: !expr.operand.negated }, ctx);
    return;
  }
  if (!readsOnly(expr, root.scan.id)) cannot('a condition reads another table or a subquery FetchXML cannot express');
  addCondition(root, expr, ctx);
}

function withLinkType(link: XmlElement, type: string): XmlElement {
  return { ...link, attributes: { ...link.attributes, 'link-type': type } };
}

/**
 * The `<link-entity>` of `EXISTS (SELECT … FROM b WHERE b.y = a.x AND …)` (the correlation is the
 * link's from / to, the rest its filter) or of `a.x IN (SELECT b.y FROM b WHERE …)` (`inColumn`).
 */
function semiJoin(query: P.Query, root: EntityParts, inColumn: P.ColumnRef | undefined, ctx: BuildContext): XmlElement {
  if (query.kind !== 'select' || query.with.length > 0 || query.from?.kind !== 'scan') return cannot('a subquery over more than one table runs locally');
  if (query.groupBy.length > 0 || query.having || query.limit || query.offset) cannot('a subquery with GROUP BY or TOP runs locally');
  if (query.columns.some((c) => c.expr.kind === 'function' && functionKind(c.expr.name) === 'aggregate')) cannot('a subquery with aggregates runs locally');
  const scan = ctx.scan(query.from.scanId);
  const inner = parts(scan, `s${++ctx.links}`);
  let key: { from: Column; to: Column } | undefined;
  if (inColumn) {
    const item = query.columns.length === 1 ? query.columns[0]!.expr : undefined;
    if (item?.kind !== 'column' || item.scanId !== scan.id) cannot('IN (subquery) selecting a computed value runs locally');
    key = joinKey({ kind: 'binary', op: '=', left: inColumn, right: item, sqlType: item.sqlType }, root.scan.id, scan.id);
    if (!key) cannot('IN (subquery) between columns FetchXML cannot link');
  }
  for (const w of conjuncts(query.where)) {
    const pair = key ? undefined : joinKey(w, root.scan.id, scan.id);
    if (pair) {
      key = pair;
      continue;
    }
    if (!readsOnly(w, scan.id)) cannot('a correlated condition other than one column equality runs locally');
    addCondition(inner, w, ctx);
  }
  if (!key) cannot('EXISTS without an equality to the outer table runs locally');
  return element('link-entity', { name: scan.table.name, from: logicalName(key.from), to: logicalName(key.to), alias: inner.alias }, entityChildren(inner));
}

/** a result column read from a renamed property (an aggregate alias, `l1_x002e_name`); frozen, as the rest of a cached plan */
function renamed(column: Pick<Column, 'name' | 'kind' | 'edmType' | 'sqlType'> & Partial<Column>, odataName: string): Column {
  return Object.freeze({
    nullable: true, readOnly: true, insertable: false, updatable: false, isPrimaryKey: false, ...column, odataName,
  });
}

function addAttribute(e: EntityParts, column: Column): void {
  const name = logicalName(column);
  if (!e.attributes.some((a) => a.attributes.name === name)) e.attributes.push(element('attribute', { name }));
}

function readableColumn(ref: P.ColumnRef): Column {
  const c = ref.column;
  if (!c || ref.scanId === undefined) return cannot('computed select items are evaluated locally');
  if (c.kind === 'navigation') cannot(`${c.name} is a navigation property`);
  if (c.enumType) cannot(`${c.name} is an enum`);
  return c;
}

function primaryKeyColumn(scan: P.Scan): Column {
  const key = scan.table.columns.find((c) => c.isPrimaryKey) ?? scan.table.columns.find((c) => c.name === scan.table.primaryKey[0]);
  return key ?? cannot(`${scan.table.name} has no primary key`);
}

/** the select list as the root's (and the link's) `<attribute>`s; each output column read from its property */
function plainOutputs(bound: P.BoundQuery, block: P.Select, root: EntityParts, linked: EntityParts | undefined): { columns: Column[] } {
  if (block.distinct) cannot('DISTINCT runs locally');
  const columns: Column[] = [];
  const add = (ref: P.ColumnRef) => {
    const column = readableColumn(ref);
    if (ref.scanId === root.scan.id) {
      addAttribute(root, column);
      columns.push(column);
    } else if (linked && ref.scanId === linked.scan.id) {
      addAttribute(linked, column);
      // a linked column comes back as `alias.column`, the dot written `_x002e_` (FetchXML doc §1.6)
      columns.push(renamed(column, `${linked.alias}_x002e_${logicalName(column)}`));
    } else cannot('a select item reads a table outside the FetchXML query');
  };
  for (const item of block.columns) {
    if (item.expr.kind === 'star') {
      if (!item.expr.expansion) cannot('* without its columns');
      item.expr.expansion.forEach(add);
    } else if (item.expr.kind === 'column') add(item.expr);
    else cannot('computed select items are evaluated locally');
  }
  if (columns.length !== bound.outputNames.length) cannot('the select list does not map onto the columns read');
  // no attribute at all would read every column of the root (FetchXML doc §1.1)
  if (root.attributes.length === 0) addAttribute(root, primaryKeyColumn(root.scan));
  return { columns };
}

/** ORDER BY as the root's `<order>`s: plain, non-lookup columns of the root only (FetchXML sorts a lookup by its name) */
function orderRoot(block: P.Select, root: EntityParts): void {
  for (const item of block.orderBy) {
    let target: P.Expr | undefined = item.expr;
    if (item.expr.kind === 'column' && item.expr.scanId === undefined) target = block.columns.find((c) => c.alias?.toLowerCase() === (item.expr as P.ColumnRef).name.toLowerCase())?.expr;
    else if (item.expr.kind === 'literal' && item.expr.type === 'number') target = block.columns[Number(item.expr.value) - 1]?.expr;
    if (target?.kind !== 'column' || target.scanId !== root.scan.id || !target.column) cannot('ORDER BY a computed value or a joined column runs locally');
    const column = target.column;
    if (column.kind !== 'data' || column.enumType || column.edmType === 'Edm.Binary') cannot(`ORDER BY ${column.name}: the service sorts it its own way`);
    // SQL Server sorts NULLs first ascending, as the service does; an explicit NULLS clause that differs stays local
    if (item.nulls && (item.nulls === 'first') === item.descending) cannot('the NULLS FIRST/LAST order differs from the service');
    root.orders.push(element('order', { attribute: logicalName(column), descending: item.descending ? 'true' : undefined }));
  }
}

const NUMERIC = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Byte']);
const DATES = new Set(['Edm.DateTimeOffset', 'Edm.Date']);
type DateGrouping = 'year' | 'month' | 'day';

/** a text key for an expression of the root, equal for the same grouping expression written twice */
function exprKey(expr: P.Expr): string {
  switch (expr.kind) {
    case 'column': return `c${expr.scanId ?? ''}.${expr.name.toLowerCase()}`;
    case 'keyword': return `k${expr.word.toLowerCase()}`;
    case 'literal': return `l${String(expr.value).toLowerCase()}`;
    case 'function': return `${expr.name}${expr.distinct ? ' distinct' : ''}(${expr.star ? '*' : expr.args.map(exprKey).join(',')})`;
    // anything else is neither grouped nor aggregated here (groupSpec and aggregateSpec refuse it)
    default: return `?${expr.kind}`;
  }
}

/** a GROUP BY expression FetchXML groups by: a plain column, or a date part of a date column */
function groupSpec(expr: P.Expr, scanId: number): { column: Column; dategrouping?: DateGrouping; edmType: string } | undefined {
  if (expr.kind === 'column') {
    const c = expr.scanId === scanId ? expr.column : undefined;
    return c && (c.kind === 'data' || c.kind === 'lookup') && !c.enumType && c.edmType !== 'Edm.Binary' ? { column: c, edmType: c.edmType } : undefined;
  }
  if (expr.kind !== 'function' || expr.over) return undefined;
  let part: string | undefined;
  let arg: P.Expr | undefined;
  let edmType = 'Edm.Int32';
  if ((expr.name === 'YEAR' || expr.name === 'MONTH' || expr.name === 'DAY') && expr.args.length === 1) [part, arg] = [expr.name.toLowerCase(), expr.args[0]];
  else if (expr.name === 'DATEPART' && expr.args[0]?.kind === 'keyword') [part, arg] = [expr.args[0].word.toLowerCase(), expr.args[1]];
  else if (expr.name === 'DATE_PART' && expr.args[0]?.kind === 'literal' && typeof expr.args[0].value === 'string') {
    [part, arg, edmType] = [expr.args[0].value.toLowerCase(), expr.args[1], 'Edm.Double'];
  }
  const grouping = ({ year: 'year', yy: 'year', yyyy: 'year', month: 'month', mm: 'month', m: 'month', day: 'day', dd: 'day', d: 'day' } as Record<string, DateGrouping>)[part ?? ''];
  // week and quarter are not the SQL ones on the service: weeks by the user's settings, quarters of the fiscal year
  if (!grouping || arg?.kind !== 'column' || arg.scanId !== scanId || !arg.column || !DATES.has(arg.column.edmType) || arg.column.kind !== 'data') return undefined;
  return { column: arg.column, dategrouping: grouping, edmType };
}

/** an aggregate FetchXML computes exactly as T-SQL does */
function aggregateSpec(expr: P.Expr, root: EntityParts): { aggregate: string; column: Column; distinct?: boolean; edmType: string } | undefined {
  if (expr.kind !== 'function' || expr.over || functionKind(expr.name) !== 'aggregate') return undefined;
  if (expr.name === 'COUNT' && expr.star) return { aggregate: 'count', column: primaryKeyColumn(root.scan), edmType: 'Edm.Int32' };
  const arg = expr.args.length === 1 ? expr.args[0] : undefined;
  const column = arg?.kind === 'column' && arg.scanId === root.scan.id ? arg.column : undefined;
  if (!column || (column.kind !== 'data' && column.kind !== 'lookup') || column.enumType || column.edmType === 'Edm.Binary') return undefined;
  if (expr.name === 'COUNT') return { aggregate: 'countcolumn', column, distinct: expr.distinct, edmType: 'Edm.Int32' };
  if (expr.distinct) return undefined;
  if (expr.name === 'SUM' && NUMERIC.has(column.edmType)) return { aggregate: 'sum', column, edmType: column.edmType };
  if ((expr.name === 'MIN' || expr.name === 'MAX') && (NUMERIC.has(column.edmType) || DATES.has(column.edmType))) {
    return { aggregate: expr.name.toLowerCase(), column, edmType: column.edmType };
  }
  // AVG: T-SQL's AVG of an integer is an integer, and the service's average is its own decimal
  return undefined;
}

/** GROUP BY and aggregates as aliased `<attribute>`s of the root; the result columns read by alias */
function aggregateOutputs(bound: P.BoundQuery, block: P.Select, root: EntityParts): { columns: Column[]; split?: SplitSpec } {
  if (block.having) cannot('HAVING runs locally');
  if (block.distinct) cannot('DISTINCT runs locally');
  const aliases = new Map<string, { alias: string; edmType: string; column: Column; dategrouping?: DateGrouping }>();
  for (const g of block.groupBy) {
    const spec = groupSpec(g, root.scan.id) ?? cannot('it groups by a value FetchXML cannot group by');
    const key = exprKey(g);
    if (aliases.has(key)) continue;
    const alias = `g${aliases.size + 1}`;
    aliases.set(key, { alias, edmType: spec.edmType, column: spec.column, dategrouping: spec.dategrouping });
    root.attributes.push(element('attribute', {
      name: logicalName(spec.column), alias, groupby: 'true', dategrouping: spec.dategrouping, usertimezone: spec.dategrouping ? 'false' : undefined,
    }));
  }
  const groups = aliases.size;
  const combines = new Map<string, 'sum' | 'min' | 'max' | undefined>();
  const columns: Column[] = [];
  const aliasOf = (expr: P.Expr): { alias: string; edmType: string; column: Column; dategrouping?: DateGrouping } | undefined => {
    const key = exprKey(expr);
    const known = aliases.get(key);
    if (known) return known;
    const spec = aggregateSpec(expr, root);
    if (!spec) return undefined;
    const alias = `a${aliases.size - groups + 1}`;
    const entry = { alias, edmType: spec.edmType, column: spec.column };
    aliases.set(key, entry);
    // how parts over ranges combine; a distinct count cannot (one value may fall in two ranges)
    combines.set(alias, spec.distinct ? undefined : spec.aggregate === 'min' || spec.aggregate === 'max' ? spec.aggregate : 'sum');
    root.attributes.push(element('attribute', { name: logicalName(spec.column), alias, aggregate: spec.aggregate, distinct: spec.distinct ? 'true' : undefined }));
    return entry;
  };
  block.columns.forEach((item, index) => {
    const entry = aliasOf(item.expr) ?? cannot('a select item that is neither grouped nor an aggregate FetchXML computes exactly');
    // a grouped lookup comes back as a bare GUID under its alias (FetchXML doc §1.6): read as plain data
    columns.push(renamed({ name: bound.outputNames[index]!, kind: 'data', edmType: entry.edmType, sqlType: item.expr.sqlType }, entry.alias));
  });
  if (columns.length === 0) cannot('nothing to aggregate');
  for (const item of block.orderBy) {
    let target: P.Expr | undefined = item.expr;
    if (item.expr.kind === 'column' && item.expr.scanId === undefined) target = block.columns.find((c) => c.alias?.toLowerCase() === (item.expr as P.ColumnRef).name.toLowerCase())?.expr;
    else if (item.expr.kind === 'literal' && item.expr.type === 'number') target = block.columns[Number(item.expr.value) - 1]?.expr;
    const entry = target ? aliases.get(exprKey(target)) : undefined;
    if (!entry) cannot('ORDER BY a value that is not in the select list runs locally');
    if (entry.column.kind === 'lookup' && !entry.dategrouping) cannot('ORDER BY a lookup: the service sorts it by name');
    if (item.nulls && (item.nulls === 'first') === item.descending) cannot('the NULLS FIRST/LAST order differs from the service');
    root.orders.push(element('order', { alias: entry.alias, descending: item.descending ? 'true' : undefined }));
  }
  return { columns, split: splitSpec(root, [...aliases.values()], combines) };
}

/**
 * How the aggregate is answered by parts when the service refuses it whole (split.ts): ranges of
 * the date it groups by, else of `createdon`. Not when a part cannot be combined exactly: a
 * distinct count, or text groups (equal up to case, one group across parts but shown as either).
 */
function splitSpec(root: EntityParts, entries: { alias: string; column: Column; dategrouping?: DateGrouping }[], combines: Map<string, 'sum' | 'min' | 'max' | undefined>): SplitSpec | undefined {
  const groups = entries.filter((e) => e.alias.startsWith('g'));
  if (groups.some((g) => !g.dategrouping && g.column.edmType === 'Edm.String')) return undefined;
  const aggregates: SplitSpec['aggregates'] = [];
  for (const [alias, combine] of combines) {
    if (!combine) return undefined;
    aggregates.push({ alias, combine });
  }
  const dated = groups.find((g) => g.dategrouping)?.column
    ?? root.scan.table.columns.find((c) => c.name === 'createdon' && c.kind === 'data' && DATES.has(c.edmType));
  if (!dated) return undefined;
  const orders = root.orders.map((o) => ({ alias: o.attributes.alias!, descending: o.attributes.descending === 'true' }));
  return { attribute: logicalName(dated), groups: groups.map((g) => g.alias), aggregates, orders };
}
