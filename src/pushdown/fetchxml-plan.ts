/**
 * A whole SELECT as one FetchXML request, when FetchXML can answer it exactly and completely (the
 * rows the service returns are the result, no local step):
 * - one table, or a chain of INNER / LEFT joins, each on one pair of columns of any kind (nested
 *   `link-entity`, `inner` or `outer`: joinTree), with every WHERE / ON condition translated
 *   (fetchxml-filter.ts; a WHERE on an outer-joined table names the link with `entityname`);
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
import { element, fetchXmlUrl, prettyXml, type XmlElement } from '../fetchxml/index.js';
import { FORMATTED_VALUE, LOOKUP_LOGICAL_NAME } from '../odata/index.js';
import type * as P from '../plan/index.js';
import { containsAggregate, functionKind } from '../plan/index.js';
import type { Capabilities } from '../capabilities/index.js';
import { aggregateOutputs, type AggregateOutputs } from './fetchxml-aggregate.js';
import { logicalName, translateFetchConjunct } from './fetchxml-filter.js';
import { CannotFetch, cannot, entityChildren, parts, primaryKeyColumn, renamed, type EntityParts } from './fetchxml-parts.js';
import { rowCountValue, type ParamValues } from './values.js';
import { conjuncts } from './walk.js';
import type { MetadataReader } from './service-metadata.js';
import { multiSelectRefusal } from './column-kinds.js';

/** the most rows one FetchXML page holds, and the most `top` takes (FetchXML doc §1.1) */
const FETCH_PAGE = 5000;

export interface FetchPlanOptions {
  facts: Capabilities;
  params: ParamValues;
  pageSize?: number;
  /** the kinds of columns `$metadata` leaves open (column-kinds.ts) */
  metadata?: MetadataReader;
}

export type FetchPlan = { ok: true; plan: P.PhysicalPlan; shape: string } | { ok: false; reason: string };

/** the statement as one FetchXML request, or why it cannot be */
export function fetchXmlPlan(bound: P.BoundQuery, options: FetchPlanOptions): FetchPlan {
  try {
    return { ok: true, ...build(bound, options) };
  } catch (error) {
    if (error instanceof CannotFetch) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** what building one plan shares: the scans by id, and the count of links so far (their aliases) */
interface BuildContext {
  options: FetchPlanOptions;
  scan(id: number): P.Scan;
  links: number;
}

/** the root and every joined table, by scan id */
type Joined = Map<number, EntityParts>;

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
  const joined: Joined = new Map();
  const root = joinTree(from, joined, ctx);
  for (const w of conjuncts(block.where)) addWhere(root, joined, w, ctx);
  const links = [...joined.values()].filter((e) => e !== root);
  const joins = [...joined.values()].flatMap((e) => e.joins);
  const aggregate = isAggregate(block);
  if (aggregate && links.length > 0) cannot('an aggregate over a join runs locally');
  const out: AggregateOutputs = aggregate ? aggregateOutputs(bound, block, root, options.params, options.metadata) : plainOutputs(bound, block, root, joined);
  const fetchAttributes: Record<string, string | undefined> = {};
  let rowLimit: number | undefined;
  if (aggregate) fetchAttributes.aggregate = 'true';
  else {
    orderRoot(block, root, options.metadata);
    if (root.orders.length > 0) fetchAttributes.useraworderby = 'true';
    const limit = block.limit ? rowCountValue(block.limit, options.params, 'TOP / LIMIT') : undefined;
    const pageSize = Math.min(options.pageSize ?? FETCH_PAGE, FETCH_PAGE);
    if (limit !== undefined && limit <= FETCH_PAGE) fetchAttributes.top = String(limit);
    else {
      fetchAttributes.count = String(pageSize);
      rowLimit = limit;
    }
  }
  const fetch = element('fetch', fetchAttributes, [element('entity', { name: root.scan.table.name }, entityChildren(root))]);
  const entitySet = root.scan.table.entitySetName;
  const url = fetchXmlUrl(entitySet, fetch);
  // a URL past the GET limit goes inside $batch, which takes twice as much (protocol doc §0); the
  // margin leaves room for the paging cookie of later pages
  const viaBatch = url.length + URL_MARGIN > options.facts.maxUrlLength;
  if (viaBatch && (!options.facts.batchSupported || url.length + URL_MARGIN > 2 * options.facts.maxUrlLength)) {
    cannot(`the FetchXML request would be ${url.length} characters, longer than the service accepts`);
  }
  const annotations = [...new Set([PAGING_ANNOTATION, ...out.columns.flatMap(annotationOf)])];
  // the paging cookie tracks root rows only: under a join that can repeat a root row it would skip
  // rows (FetchXML doc §1.7); in root-key order the read pages by that key, else by number alone
  const repeats = fetchAttributes.count !== undefined && joins.some((j) => !j.from.isPrimaryKey);
  const keyPaging = repeats && root.orders.length === 0 ? keyPagingOf(root, links) : undefined;
  const simplePaging = repeats && !keyPaging;
  const kind = joins.length === 0 ? 'read' : joins.length === 1 ? `${joins[0]!.type} join` : `join of ${joins.length + 1} tables`;
  const step: P.RemoteScanStep = {
    kind: 'remoteScan', scanId: root.scan.id, table: root.scan.table, alias: root.scan.alias,
    request: { method: 'GET', url, headers: { Prefer: `odata.include-annotations="${annotations.join(',')}"` } },
    columns: out.columns,
    ...(rowLimit !== undefined ? { rowLimit } : {}),
    fetchXml: { entitySet, fetch, pretty: prettyXml(fetch), reason: '', ...(aggregate ? { aggregate: true } : {}), ...(simplePaging ? { simplePaging: true } : {}), ...(keyPaging ? { keyPaging } : {}), ...(viaBatch ? { viaBatch: true } : {}), ...(out.split ? { split: out.split } : {}), ...(out.cut ? { cut: out.cut } : {}) },
    pushed: [`FetchXML ${aggregate ? 'aggregate' : kind}`],
    notPushed: [],
  };
  if (out.local) {
    const output: P.OutputShape = { kind: 'local', step: { kind: 'local', query: out.local.query, reasons: out.local.reasons } };
    return { plan: { scans: [step], output, params: options.params }, shape: 'aggregate, finished locally over the groups' };
  }
  const shape = aggregate ? 'aggregate' : kind;
  return { plan: { scans: [step], output: { kind: 'direct', names: bound.outputNames, columns: out.columns }, params: options.params }, shape };
}

function keyPagingOf(root: EntityParts, links: EntityParts[]): { key: string; linkKeys: Record<string, string> } {
  const linkKeys: Record<string, string> = {};
  for (const link of links) linkKeys[link.alias] = logicalName(primaryKeyColumn(link.scan));
  return { key: logicalName(primaryKeyColumn(root.scan)), linkKeys };
}

/**
 * FROM as the root `<entity>` and nested `<link-entity>`s: a chain of INNER / LEFT joins, each
 * table linked to one already joined by one column equality of its ON (the link's `from` / `to`);
 * the ON's other conditions filter the link (or, for an inner join, the table they read). An inner
 * join below an outer link has no FetchXML form: the service keeps the outer row (the link's
 * columns null) where SQL drops it.
 *
 * `a JOIN c ON c.parentcustomerid = a.accountid LEFT JOIN u ON u.systemuserid = c.ownerid` →
 * `<entity name="account">…<link-entity name="contact" … alias="l1" link-type="inner"><link-entity name="systemuser" … alias="l2" link-type="outer"/></link-entity>`.
 */
function joinTree(ref: P.FromRef, joined: Joined, ctx: BuildContext): EntityParts {
  if (ref.kind === 'scan') {
    const root = parts(ctx.scan(ref.scanId), '');
    joined.set(root.scan.id, root);
    return root;
  }
  if (ref.kind !== 'join') cannot('a derived table or CTE in FROM runs locally');
  if (ref.type !== 'INNER' && ref.type !== 'LEFT') cannot(`${ref.type} JOIN has no FetchXML form`);
  const root = joinTree(ref.left, joined, ctx);
  if (ref.right.kind !== 'scan') cannot('a join whose right side is not a table runs locally');
  const right = ctx.scan(ref.right.scanId);
  const inner = ref.type === 'INNER';
  let link: { parent: EntityParts; key: { from: Column; to: Column } } | undefined;
  const rest: P.Expr[] = [];
  for (const on of conjuncts(ref.on)) {
    const parent = link ? undefined : [...joined.values()].find((e) => joinKey(on, e.scan.id, right.id, ctx));
    if (parent) link = { parent, key: joinKey(on, parent.scan.id, right.id, ctx)! };
    else rest.push(on);
  }
  if (!link) cannot('the join has no equality between one column of each table');
  if (inner && link.parent.outer) cannot('an inner join below an outer join has no FetchXML form');
  const linked = parts(right, `l${++ctx.links}`, link.parent.outer || !inner);
  for (const on of rest) {
    if (readsOnly(on, right.id)) {
      addCondition(linked, on, ctx);
      continue;
    }
    const target = inner ? [...joined.values()].find((e) => !e.outer && readsOnly(on, e.scan.id)) : undefined;
    if (!target) cannot('a join condition FetchXML cannot express (one column pair per link)');
    addCondition(target, on, ctx);
  }
  link.parent.joins.push({ parts: linked, type: inner ? 'inner' : 'outer', ...link.key });
  joined.set(right.id, linked);
  return root;
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
    || block.columns.some((c) => containsAggregate(c.expr));
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
function joinKey(expr: P.Expr, parentScan: number, linkedScan: number, ctx: BuildContext): { from: Column; to: Column } | undefined {
  if (expr.kind !== 'binary' || expr.op !== '=' || expr.left.kind !== 'column' || expr.right.kind !== 'column') return undefined;
  const [a, b] = [expr.left, expr.right];
  const pick = (parent: P.ColumnRef, linked: P.ColumnRef) => {
    if (parent.scanId !== parentScan || linked.scanId !== linkedScan) return undefined;
    const to = joinable(parent, ctx);
    const fromColumn = joinable(linked, ctx);
    return to && fromColumn && to.edmType === fromColumn.edmType ? { from: fromColumn, to } : undefined;
  };
  return pick(a, b) ?? pick(b, a);
}

function joinable(ref: P.ColumnRef, ctx: BuildContext): Column | undefined {
  const c = ref.column;
  if (!c || (c.kind !== 'data' && c.kind !== 'lookup') || c.enumType) return undefined;
  // a link's from / to cannot be a multi-select choice (FetchXML doc §1.1)
  if (multiSelectRefusal(ctx.scan(ref.scanId!).table, c, ctx.options.metadata)) return undefined;
  // strings join case-insensitively on the service, as they compare (and a blob cannot be joined)
  return ['Edm.Guid', 'Edm.String', 'Edm.Int32', 'Edm.Int64', 'Edm.Int16', 'Edm.Decimal', 'Edm.DateTimeOffset', 'Edm.Date'].includes(c.edmType) ? c : undefined;
}

function addCondition(e: EntityParts, expr: P.Expr, ctx: BuildContext): void {
  const t = translateFetchConjunct(expr, {
    scanId: e.scan.id, params: ctx.options.params, valueRefusal: (column) => multiSelectRefusal(e.scan.table, column, ctx.options.metadata),
  });
  if (!t.ok) cannot(t.reason);
  e.conditions.push(...t.conditions);
}

/**
 * A WHERE conjunct: a semi- / anti-join of the root, or a condition on one table. A condition on an
 * inner-joined table filters its link (the same rows); one on an outer-joined table is a root
 * condition naming the link (`entityname`), applied after the join as WHERE is (FetchXML doc §1.1):
 * `LEFT JOIN contact c … WHERE c.fullname IS NULL` → `<condition entityname="l1" attribute="fullname" operator="null"/>`.
 */
function addWhere(root: EntityParts, joined: Joined, expr: P.Expr, ctx: BuildContext): void {
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
    addWhere(root, joined, { ...expr.operand, negated: !expr.operand.negated }, ctx);
    return;
  }
  const target = [...joined.values()].find((e) => readsOnly(expr, e.scan.id));
  if (!target) cannot('a condition reads two tables or a subquery FetchXML cannot express');
  if (!target.outer) {
    addCondition(target, expr, ctx);
    return;
  }
  const onLink = parts(target.scan, target.alias);
  addCondition(onLink, expr, ctx);
  root.conditions.push(...onLink.conditions.map((c) => naming(c, target.alias)));
}

/**
 * The condition (and those nested in its filters) read from the link `alias`. A column comparison's
 * other column is named `alias.column` too, the documented cross-table form (FetchXML doc §1.1): a
 * bare `valueof` beside `entityname` is a column of the root to the emulator, and the docs do not say
 * which table the service reads it from. `WHERE l.creditlimit = l.revenue` →
 * `<condition entityname="l1" attribute="creditlimit" operator="eq" valueof="l1.revenue"/>`.
 */
function naming(e: XmlElement, alias: string): XmlElement {
  if (e.name === 'condition') {
    const valueof = e.attributes.valueof;
    return { ...e, attributes: { entityname: alias, ...e.attributes, ...(valueof !== undefined && !valueof.includes('.') ? { valueof: `${alias}.${valueof}` } : {}) } };
  }
  return { ...e, children: e.children.map((c) => naming(c, alias)) };
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
    key = joinKey({ kind: 'binary', op: '=', left: inColumn, right: item, sqlType: item.sqlType }, root.scan.id, scan.id, ctx);
    if (!key) cannot('IN (subquery) between columns FetchXML cannot link');
  }
  for (const w of conjuncts(query.where)) {
    const pair = key ? undefined : joinKey(w, root.scan.id, scan.id, ctx);
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

/** the select list as the root's (and the links') `<attribute>`s; each output column read from its property */
function plainOutputs(bound: P.BoundQuery, block: P.Select, root: EntityParts, joined: Joined): { columns: Column[] } {
  if (block.distinct) cannot('DISTINCT runs locally');
  const columns: Column[] = [];
  const add = (ref: P.ColumnRef) => {
    const column = readableColumn(ref);
    const from = ref.scanId === undefined ? undefined : joined.get(ref.scanId);
    if (!from) cannot('a select item reads a table outside the FetchXML query');
    addAttribute(from, column);
    // a linked column comes back as `alias.column`, the dot written `_x002e_` (FetchXML doc §1.6)
    columns.push(from === root ? column : renamed(column, `${from.alias}_x002e_${logicalName(column)}`));
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
function orderRoot(block: P.Select, root: EntityParts, metadata: MetadataReader | undefined): void {
  for (const item of block.orderBy) {
    let target: P.Expr | undefined = item.expr;
    if (item.expr.kind === 'column' && item.expr.scanId === undefined) target = block.columns.find((c) => c.alias?.toLowerCase() === (item.expr as P.ColumnRef).name.toLowerCase())?.expr;
    else if (item.expr.kind === 'literal' && item.expr.type === 'number') target = block.columns[Number(item.expr.value) - 1]?.expr;
    if (target?.kind !== 'column' || target.scanId !== root.scan.id || !target.column) cannot('ORDER BY a computed value or a joined column runs locally');
    const column = target.column;
    if (column.kind !== 'data' || column.enumType || column.edmType === 'Edm.Binary') cannot(`ORDER BY ${column.name}: the service sorts it its own way`);
    // how the service sorts a multi-select choice is not documented
    const multiSelect = multiSelectRefusal(root.scan.table, column, metadata);
    if (multiSelect) cannot(multiSelect);
    // SQL Server sorts NULLs first ascending, as the service does; an explicit NULLS clause that differs stays local
    if (item.nulls && (item.nulls === 'first') === item.descending) cannot('the NULLS FIRST/LAST order differs from the service');
    root.orders.push(element('order', { attribute: logicalName(column), descending: item.descending ? 'true' : undefined }));
  }
}
