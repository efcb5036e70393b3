/**
 * Bound query → physical plan. For each scan: `$select` of the columns read, `$filter` of every
 * candidate conjunct that translates exactly, and — when the scan is its block's only source and
 * nothing local sits below them — `$orderby`, `$top` and (F&O) `$skip`. When the whole statement is
 * such a block with plain columns, the service's rows are the result and no local engine starts.
 * Everything else is a local step over the scans' rows; what stays local says why.
 *
 * With `pushdown: false` every scan reads its columns unfiltered and everything runs locally (the
 * differential test's reference).
 */
import type { Column, Table } from '../catalog/types.js';
import { encodeQueryOptionValue, FORMATTED_VALUE, LOOKUP_LOGICAL_NAME, queryHeaders, queryUrl, serializeFilter, type ODataFilter, type ODataQuery } from '../odata/index.js';
import { conjunctionText } from '../odata/filter.js';
import type * as P from '../plan/index.js';
import { functionKind } from '../plan/index.js';
import { tableCapabilities, type Capabilities } from '../capabilities/index.js';
import { translateConjunct } from './filter.js';
import { MetadataReader } from './service-metadata.js';
import { rowCountValue, type ParamValues } from './values.js';
import { aggregateRequest } from './aggregate.js';
import { aggregateByParts, answeredByOneAggregate } from './aggregate-parts.js';
import { withPartsPastTheLimit } from './parts-past-limit.js';
import { expandLinks } from './expand.js';
import { localRemainder } from './remainder.js';
import { conjuncts, scanContexts, type ScanContext } from './walk.js';
import { chooseRemoteLanguage, type RemoteLanguage } from './remote-language.js';
import { existsReadsNoColumns } from './rules/exists-reads-no-columns.js';
import { forEachNode } from './rules/map-tree.js';
import { pruneUnusedOutputs } from './rules/unused-outputs.js';
import { scalarSubqueryByKey } from './rules/scalar-subquery-by-key.js';
import { semiJoinsThroughNavigation } from './semi-join.js';
import { multiSelectRefusal } from './column-kinds.js';
import { partitionOf } from './partitioned-read.js';

export interface PlanOptions {
  facts: Capabilities;
  params: ParamValues;
  /** false: nothing but `$select` goes to the service */
  pushdown: boolean;
  /** F&O: read all companies */
  crossCompany?: boolean;
  /** rows per page to ask for (capped at the edition's maximum) */
  pageSize?: number;
  /** `Remote Language`: OData, FetchXML, or the better of the two per statement (remote-language.ts) */
  remoteLanguage?: RemoteLanguage;
  /** choice labels and primary names from the service's metadata, for filters on display columns (service-metadata.ts) */
  metadata?: MetadataReader;
  /**
   * A scan the connection reads in several requests, one per chunk of a long key list
   * (connection/subquery-keys.ts): the service only filters its rows (no `$orderby`, `$top`,
   * `$apply`; the rows of one request are not the statement's), the rest runs locally.
   */
  chunkedScan?: number;
  /** ranges a plain scan is read as once its first page comes back full (partitioned-read.ts); 0 or absent: page after page */
  parallelReads?: number;
}

interface ScanPushdown {
  filters: ODataFilter[];
  /** the `$filter` text of `filters` (serialized once, for the URL and for EXPLAIN) */
  filterText?: string;
  pushed: string[];
  notPushed: string[];
  allConjunctsPushed: boolean;
  /** the conjuncts that went out in `$filter` (the local remainder drops them) */
  pushedConjuncts: P.Expr[];
  orderBy?: { property: string; descending: boolean }[];
  top?: number;
  /** TOP above the page size: no `$top`, the reader pages and stops after this many rows */
  rowLimit?: number;
  skip?: number;
  /** ORDER BY, TOP and OFFSET all went to the service */
  pagingPushed: boolean;
}

export function planQuery(bound: P.BoundQuery, options: PlanOptions): P.PhysicalPlan {
  const plan = planOnce(bound, options);
  // FetchXML answers the parts: not where the edition has none or the connection forces OData
  if (!options.pushdown || !options.facts.supportsFetchXml || options.remoteLanguage === 'odata') return plan;
  // refused past the 50,000-row limit with no split of its own: parts that each have one, before every row is read
  return withPartsPastTheLimit(bound, plan, (part) => planWhole(part, { ...options, remoteLanguage: 'fetchxml' }));
}

function planOnce(bound: P.BoundQuery, options: PlanOptions): P.PhysicalPlan {
  const plan = planWhole(bound, options);
  if (!options.pushdown || plan.output.kind === 'direct' || answeredByOneAggregate(plan)) return plan;
  // an ungrouped aggregate no one request answers: one request per part the service answers, combined
  const parts = aggregateByParts(bound, plan, (part) => planWhole(part, options));
  if (typeof parts === 'string') return plan;
  return parts;
}

/** the statement as one remote request per table, in the language that reads the fewest rows */
function planWhole(bound: P.BoundQuery, options: PlanOptions): P.PhysicalPlan {
  return chooseRemoteLanguage(bound, options, planODataQuery(bound, options));
}

function planODataQuery(statement: P.BoundQuery, options: PlanOptions): P.PhysicalPlan {
  const pruned = options.pushdown ? withUnreadColumnsLeftOut(withKeyLookupsJoined(statement)) : statement;
  // EXISTS / IN answered through a navigation property: the subquery's table sends no request
  const semiJoins = options.pushdown ? semiJoinsThroughNavigation(pruned, options.facts, options.params, options.metadata) : { bound: pruned, filters: new Map<number, ODataFilter[]>() };
  const bound = semiJoins.bound;
  const negotiated = new Map<number, ScanPushdown>();
  const plan = planScans(bound, options, negotiated, semiJoins.filters);
  if (!options.pushdown || plan.output.kind === 'direct' || !isAggregate(bound.query) || options.chunkedScan !== undefined) return plan;
  // `$apply`'s filter() is documented with plain comparisons; a lambda inside it is not
  if (semiJoins.filters.size > 0) return plan;
  const scan = bound.scans[0]!;
  if (bound.scans.length !== 1 || scan.source !== 'remote') return plan;
  // the only scan, a remote one: planScans has negotiated it
  const push = negotiated.get(scan.id)!;
  if (!push.allConjunctsPushed) return plan;
  const pageSize = Math.min(options.pageSize ?? options.facts.maxPageSize, options.facts.maxPageSize);
  const aggregate = aggregateRequest(bound, scan, push.filters, options.facts, options.params, { maxPageSize: pageSize }, options.crossCompany ?? false, options.metadata);
  if (typeof aggregate === 'string') {
    if (plan.output.kind === 'local') plan.output.step.reasons.push(`GROUP BY / aggregates run locally: ${aggregate}`);
    return plan;
  }
  // the same statement aggregated locally, for when the service refuses (50,000-row limit)
  return { scans: [aggregate.step], output: aggregate.output, params: options.params, fallback: plan };
}

/** scalar subqueries by key in select lists as LEFT JOINs (rules/scalar-subquery-by-key.ts) */
function withKeyLookupsJoined(bound: P.BoundQuery): P.BoundQuery {
  const query = scalarSubqueryByKey(bound.query, bound.scans);
  return query === bound.query ? bound : { ...bound, query };
}

/**
 * The statement without the select items nothing reads (rules/exists-reads-no-columns.ts,
 * rules/unused-outputs.ts), and without the scans only those items read.
 */
function withUnreadColumnsLeftOut(bound: P.BoundQuery): P.BoundQuery {
  const query = pruneUnusedOutputs(existsReadsNoColumns(bound.query));
  if (query === bound.query) return bound;
  const scanned = new Set<number>();
  forEachNode(query, (node) => {
    if (node.kind === 'scan' && typeof node.scanId === 'number') scanned.add(node.scanId);
  });
  return { ...bound, query, scans: bound.scans.filter((s) => scanned.has(s.id)) };
}

function isAggregate(query: P.Query): boolean {
  return query.kind === 'select' && (query.distinct || query.groupBy.length > 0 || query.columns.some((c) => c.expr.kind === 'function' && !c.expr.over && functionKind(c.expr.name) === 'aggregate'));
}

/**
 * The plan with filters, ordering and paging pushed into each scan and the rest local. What each
 * remote scan negotiated is left in `negotiated` (the aggregate request reuses it).
 */
function planScans(bound: P.BoundQuery, options: PlanOptions, negotiated: Map<number, ScanPushdown>, semiJoins: ReadonlyMap<number, ODataFilter[]>): P.PhysicalPlan {
  const contexts = scanContexts(bound.query);
  const skipPushedBlocks: P.Select[] = [];
  const pushedConjuncts: P.Expr[] = [];
  const reasons: string[] = [];
  let direct: { kind: 'direct'; names: string[]; columns: Column[] } | undefined;
  // a parent with conditions of its own is better read with its own filtered request (a join needs two scans)
  const links = (options.pushdown && options.facts.maxExpandDepth > 0 && bound.scans.length > 1 ? expandLinks(bound.query, bound.scans, options.facts.maxExpands ?? 1) : [])
    .filter((l) => {
      const push = negotiate(l.parent, contexts.get(l.parent.id)!, options, semiJoins.get(l.parent.id));
      negotiated.set(l.parent.id, push);
      return push.filters.length === 0;
    });
  const isExpandedParent = (scanId: number) => links.some((l) => l.parent.id === scanId);

  for (const scan of bound.scans) {
    if (scan.source === 'local') {
      reasons.push(`${scan.table.name} is a system table answered from the catalog`);
      continue;
    }
    // a parent read through its child's $expand sends nothing of its own; its conditions stay local
    if (isExpandedParent(scan.id)) continue;
    const context = contexts.get(scan.id)!;
    const push = !options.pushdown ? notNegotiated(scan, context, options) : negotiated.get(scan.id) ?? negotiate(scan, context, options, semiJoins.get(scan.id));
    negotiated.set(scan.id, push);
    if (push.skip !== undefined) skipPushedBlocks.push(context.block);
    pushedConjuncts.push(...push.pushedConjuncts);
    if (options.pushdown && bound.scans.length === 1 && bound.query === context.block && push.allConjunctsPushed && push.pagingPushed) {
      direct = directOutput(bound, scan, context.block);
    }
  }

  if (direct) {
    // the rows are the result: read only the output columns
    const scan = bound.scans[0]!;
    const wanted = new Set(direct.columns);
    const step = remoteScan(scan, scan.columns.filter((c) => wanted.has(c)), negotiated.get(scan.id)!, options);
    return { scans: [step], output: direct, params: options.params };
  }
  if (!options.pushdown) reasons.push('push-down is off for this connection');
  localReasons(bound.query, reasons);
  const { query: remainder, columnsRead: read } = localRemainder(bound, pushedConjuncts, skipPushedBlocks, contexts);
  const scans: P.ScanStep[] = [];
  for (const scan of bound.scans) {
    if (scan.source === 'local') {
      scans.push({ kind: 'localTable', scanId: scan.id, table: scan.table, alias: scan.alias, columns: read.get(scan.id)! });
      continue;
    }
    if (isExpandedParent(scan.id)) continue;
    const expand = links.filter((l) => l.childScanId === scan.id).map(({ parent, navigation, key }): P.ExpandedScan => (
      { scanId: parent.id, table: parent.table, alias: parent.alias, navigation, columns: read.get(parent.id)!, key }
    ));
    const step = remoteScan(scan, read.get(scan.id)!, negotiated.get(scan.id)!, options, expand);
    // what the expanded parents could not push stays visible in EXPLAIN
    for (const e of expand) for (const reason of negotiated.get(e.scanId)!.notPushed) step.notPushed.push(`${e.alias}: ${reason}`);
    scans.push(step);
  }
  const distinctReasons = reasons.filter((reason, i) => reasons.indexOf(reason) === i);
  return { scans, output: { kind: 'local', step: { kind: 'local', query: remainder, reasons: distinctReasons } }, params: options.params };
}

/** room for `$filter` in a URL: the service's limit less a margin for the root, `$select` and the rest */
function filterBudget(facts: Capabilities): number {
  return facts.maxUrlLength - 8192;
}

interface TranslatedConjunct { conjunct: P.Expr; filter: ODataFilter; text: string }

/**
 * A GET URL has a length limit (32 KB on Dataverse): the longest conditions (big IN lists) stay local
 * until the `$filter` fits; each one left out is noted in `notPushed`.
 */
function withinUrlLimit(translated: TranslatedConjunct[], facts: Capabilities, notPushed: string[]): TranslatedConjunct[] {
  // percent-encoding makes one UTF-16 unit at most 9 characters (`€` → `%E2%82%AC`), so most lists need no exact count;
  // each condition also adds 9 for its ` and ` (`%20and%20`)
  const budget = filterBudget(facts);
  if (translated.reduce((sum, t) => sum + 9 * t.text.length + 9, 0) <= budget) return translated;
  const measured = translated.map((t) => ({ ...t, encodedLength: encodeQueryOptionValue(t.text).length }));
  let total = measured.reduce((sum, t) => sum + t.encodedLength + 9, 0);
  const kept = [...measured];
  for (const t of [...measured].sort((a, b) => b.encodedLength - a.encodedLength)) {
    if (total <= budget) break;
    kept.splice(kept.indexOf(t), 1);
    total -= t.encodedLength + 9;
    notPushed.push(`a condition of ${t.encodedLength} characters would make the URL longer than the service accepts`);
  }
  return kept;
}

/**
 * Push-down off: nothing is sent, but a condition push-down would refuse as an error (`accountid =
 * 'not-a-guid'`, a number no float holds) is refused here too, before any request, as it is with
 * push-down on; the local engine would find it only after reading every row.
 */
function notNegotiated(scan: P.Scan, context: ScanContext, options: PlanOptions): ScanPushdown {
  for (const conjunct of context.candidates) {
    // a value is checked for its type when it is written (`creditonhold = 'maybe'`)
    const translation = translateConjunct(conjunct, scan.id, options.facts, options.params);
    if (translation.ok) serializeFilter(translation.filter);
  }
  return { filters: [], pushedConjuncts: [], pushed: [], notPushed: [], allConjunctsPushed: false, pagingPushed: false };
}

/** `semiJoins`: filters that stand for conjuncts already taken out of the block (semi-join.ts); always sent */
function negotiate(scan: P.Scan, context: ScanContext, options: PlanOptions, semiJoins: readonly ODataFilter[] = []): ScanPushdown {
  const result: ScanPushdown = {
    filters: [], filterText: undefined, pushedConjuncts: [], pushed: [], notPushed: [], allConjunctsPushed: true,
    orderBy: undefined, top: undefined, skip: undefined, pagingPushed: false,
  };
  const translated: TranslatedConjunct[] = [];
  const display = { table: scan.table, metadata: options.metadata ?? new MetadataReader(undefined) };
  const valueRefusal = (column: Column) => multiSelectRefusal(scan.table, column, options.metadata);
  for (const conjunct of context.candidates) {
    const translation = translateConjunct(conjunct, scan.id, options.facts, options.params, display, valueRefusal);
    if (translation.ok) translated.push({ conjunct, filter: translation.filter, text: serializeFilter(translation.filter) });
    else result.notPushed.push(translation.reason);
  }
  // an outer block's condition carried down (walk.ts): sent when it translates, and kept in its own block either way
  const inherited = new Set<P.Expr>();
  for (const conjunct of context.inherited) {
    const translation = translateConjunct(conjunct, scan.id, options.facts, options.params, display, valueRefusal);
    if (!translation.ok) continue;
    const text = serializeFilter(translation.filter);
    if (translated.some((t) => t.text === text)) continue;
    translated.push({ conjunct, filter: translation.filter, text });
    inherited.add(conjunct);
  }
  const sent = withinUrlLimit(translated, options.facts, result.notPushed);
  for (const t of sent) {
    result.filters.push(t.filter);
    result.pushed.push(`$filter ${t.text}${inherited.has(t.conjunct) ? ' (from the outer query)' : ''}`);
    if (!inherited.has(t.conjunct)) result.pushedConjuncts.push(t.conjunct);
  }
  // no longer in the block, so never left out for the URL's length
  const semiJoinParts = semiJoins.map((filter) => ({ filter, text: serializeFilter(filter) }));
  for (const part of semiJoinParts) {
    result.filters.push(part.filter);
    result.pushed.push(`$filter ${part.text} (EXISTS / IN through a navigation property)`);
  }
  result.filterText = conjunctionText([...sent, ...semiJoinParts]);
  const block = context.block;
  const allWhere = conjuncts(block.where);
  const everyWherePushed = context.soleSource && result.notPushed.length === 0 && allWhere.length === context.candidates.length;
  result.allConjunctsPushed = everyWherePushed;
  if (!context.soleSource) return result;
  if (options.chunkedScan === scan.id) {
    if (block.limit || block.orderBy.length > 0 || block.offset) result.notPushed.push('ORDER BY / TOP stay local: the keys are read in several requests');
    return result;
  }
  if (!everyWherePushed) {
    if (block.limit || block.orderBy.length > 0) result.notPushed.push('ORDER BY / TOP stay local: a condition below them runs locally');
    return result;
  }
  const blocker = pagingBlocker(block);
  if (blocker) {
    if (block.limit || block.orderBy.length > 0 || block.offset) result.notPushed.push(`ORDER BY / TOP stay local: ${blocker}`);
    return result;
  }
  const orderBy = orderByProperties(block, scan, options.metadata);
  if (typeof orderBy === 'string') {
    result.notPushed.push(`ORDER BY stays local: ${orderBy}`);
    return result;
  }
  if (orderBy.length > 0) {
    result.orderBy = orderBy;
    result.pushed.push(`$orderby ${orderBy.map((o) => `${o.property}${o.descending ? ' desc' : ''}`).join(',')}`);
  }
  const limit = block.limit ? rowCountValue(block.limit, options.params, 'TOP / LIMIT') : undefined;
  const offset = block.offset ? rowCountValue(block.offset, options.params, 'OFFSET') : undefined;
  const table = tableCapabilities(options.facts, scan.table);
  if ((limit !== undefined && !table.supportsTop) || (offset !== undefined && offset > 0 && !table.supportsSkip && limit === undefined)) {
    result.notPushed.push(`TOP / OFFSET run locally: ${scan.table.name} does not support ${table.supportsTop ? '$skip' : '$top'}`);
    return result;
  }
  if (offset !== undefined && offset > 0 && !table.supportsSkip) {
    result.notPushed.push(`OFFSET runs locally: ${options.facts.edition} does not support $skip`);
    if (limit !== undefined) limitRows(result, limit + offset, options.facts, ' (TOP + OFFSET; the offset is applied locally)');
    return result;
  }
  if (offset !== undefined && offset > 0) {
    result.skip = offset;
    result.pushed.push(`$skip ${offset}`);
  }
  if (limit !== undefined) limitRows(result, limit, options.facts, '');
  result.pagingPushed = true;
  return result;
}

/**
 * The first `n` rows: `$top=n` when one response can hold them, otherwise no `$top` and the reader
 * follows nextLinks and stops after `n` rows. Precondition for `$top`: `n` ≤ the edition's largest
 * page. Above it the service answers one page and no nextLink (Dataverse: "Without this limit,
 * Dataverse returns up to 5,000 rows", protocol doc §1.1; more is undocumented), so `$top=10000`
 * would silently give 5,000 rows.
 */
function limitRows(result: ScanPushdown, n: number, facts: Capabilities, note: string): void {
  if (n <= facts.maxPageSize) {
    result.top = n;
    result.pushed.push(`$top ${n}${note}`);
  } else {
    result.rowLimit = n;
    result.pushed.push(`first ${n} rows read page by page${note} ($top above the ${facts.maxPageSize}-row page would be cut to one page)`);
  }
}

/** why ORDER BY / TOP cannot go to the service for this block, if anything stops them */
function pagingBlocker(block: P.Select): string | undefined {
  if (block.distinct) return 'DISTINCT runs locally';
  if (block.groupBy.length > 0 || block.having) return 'GROUP BY runs locally';
  if (block.columns.some((c) => hasAggregateOrWindow(c.expr)) || block.orderBy.some((o) => hasAggregateOrWindow(o.expr))) {
    return 'aggregates and window functions run locally';
  }
  return undefined;
}

function hasAggregateOrWindow(expr: P.Expr): boolean {
  if (expr.kind === 'function') return expr.over !== undefined || functionKind(expr.name) === 'aggregate' || expr.args.some(hasAggregateOrWindow);
  if (expr.kind === 'binary') return hasAggregateOrWindow(expr.left) || hasAggregateOrWindow(expr.right);
  if (expr.kind === 'unary') return hasAggregateOrWindow(expr.operand);
  if (expr.kind === 'case') return expr.whens.some((w) => hasAggregateOrWindow(w.when) || hasAggregateOrWindow(w.then)) || (expr.else ? hasAggregateOrWindow(expr.else) : false);
  if (expr.kind === 'cast') return hasAggregateOrWindow(expr.expr);
  return false;
}

/** ORDER BY items as service properties, or the reason they cannot be */
function orderByProperties(block: P.Select, scan: P.Scan, metadata: MetadataReader | undefined): { property: string; descending: boolean }[] | string {
  const out: { property: string; descending: boolean }[] = [];
  for (const item of block.orderBy) {
    const column = orderColumn(item.expr, block, scan);
    if (!column) return 'it orders by a computed value';
    if (column.kind !== 'data' && column.kind !== 'lookup') return `${column.name} is a display value the service cannot sort by`;
    // an F&O enum is its member name in SQL (nvarchar), so it sorts by name; the service stores the
    // number and sorts by that (NoYes: No=0 < Yes=1, but Blocked=2 > All=1)
    if (column.enumType) return `${column.name} is an enum, which sorts by name here and by number on the service`;
    // how the service sorts a multi-select choice (by its text, its options, their labels?) is not documented
    const multiSelect = multiSelectRefusal(scan.table, column, metadata);
    if (multiSelect) return multiSelect;
    // SQL Server sorts NULLs first ascending; an explicit NULLS clause that differs stays local
    if (item.nulls && (item.nulls === 'first') === item.descending) return 'the NULLS FIRST/LAST order differs from the service';
    out.push({ property: column.odataName, descending: item.descending });
  }
  return out;
}

/**
 * The scan's column an ORDER BY item names: directly, or through a select-list alias or ordinal,
 * once (`ORDER BY c1` with `2 AS c1` orders by the constant 2, not by the second column).
 */
function orderColumn(expr: P.Expr, block: P.Select, scan: P.Scan): Column | undefined {
  const own = (e: P.Expr | undefined) => (e?.kind === 'column' && e.scanId === scan.id ? e.column : undefined);
  if (expr.kind === 'column' && expr.scanId === scan.id) return expr.column;
  if (expr.kind === 'column' && expr.scanId === undefined) {
    return own(block.columns.find((c) => c.alias?.toLowerCase() === expr.name.toLowerCase())?.expr);
  }
  if (expr.kind === 'literal' && expr.type === 'number') return own(block.columns[Number(expr.value) - 1]?.expr);
  return undefined;
}

function remoteScan(scan: P.Scan, columns: Column[], push: ScanPushdown, options: PlanOptions, expand: P.ExpandedScan[] = []): P.RemoteScanStep {
  const select = odataNames(columns);
  if (select.length === 0) select.push(...primaryKeyNames(scan.table));
  const annotations: string[] = [];
  annotationsOf(columns, annotations);
  for (const e of expand) annotationsOf(e.columns, annotations);
  const query: ODataQuery = {
    entitySet: scan.table.entitySetName,
    select,
    expand: expand.length > 0 ? expand.map((e) => ({ navigation: e.navigation, select: odataNames(e.columns) })) : undefined,
    filter: push.filterText,
    orderBy: push.orderBy,
    top: push.top,
    skip: push.skip,
    crossCompany: options.crossCompany && options.facts.crossCompany,
    annotations,
    maxPageSize: Math.min(options.pageSize ?? options.facts.maxPageSize, options.facts.maxPageSize),
  };
  const pushed = [`$select ${select.join(',')}`];
  for (const e of expand) pushed.push(`$expand ${e.navigation} for ${e.alias}`);
  const partition = options.facts.edition === 'dataverse'
    ? partitionOf(scan.table, columns, { ranges: options.parallelReads ?? 0, orderBy: push.orderBy, top: push.top, skip: push.skip, chunked: options.chunkedScan === scan.id })
    : undefined;
  return {
    kind: 'remoteScan', scanId: scan.id, table: scan.table, alias: scan.alias,
    request: { method: 'GET', url: queryUrl(query), headers: queryHeaders(query) },
    columns, expand: expand.length > 0 ? expand : undefined, rowLimit: push.rowLimit,
    pushed: pushed.concat(push.pushed), notPushed: push.notPushed,
    ...(typeof partition === 'object' ? { partition } : typeof partition === 'string' ? { sequentialBecause: partition } : {}),
  };
}

/** per table, its primary key's service names, found once (a lookup over every column of the table) */
const primaryKeys = new WeakMap<Table, readonly string[]>();

/** what `$select` reads when a statement reads no column (`SELECT COUNT(*) FROM account` → `accountid`) */
function primaryKeyNames(table: Table): readonly string[] {
  let names = primaryKeys.get(table);
  if (!names) primaryKeys.set(table, (names = table.primaryKey.map((k) => table.columns.find((c) => c.name === k)?.odataName ?? k)));
  return names;
}

/** the service names of the columns, each once (a lookup and its name column share one) */
function odataNames(columns: readonly Column[]): string[] {
  const names = new Set<string>();
  for (const c of columns) names.add(c.odataName);
  return [...names];
}

/** the annotations the columns' values come from (formatted values, lookup target types), added to `into` once each */
function annotationsOf(columns: readonly Column[], into: string[]): void {
  for (const c of columns) {
    const annotation = c.kind === 'lookupName' || c.kind === 'choiceLabel' ? FORMATTED_VALUE : c.kind === 'lookupType' ? LOOKUP_LOGICAL_NAME : undefined;
    if (annotation && !into.includes(annotation)) into.push(annotation);
  }
}

/** the result is the scan's rows when every select item is a plain column of it (or *) */
function directOutput(bound: P.BoundQuery, scan: P.Scan, block: P.Select): { kind: 'direct'; names: string[]; columns: Column[] } | undefined {
  if (block.with.length > 0) return undefined;
  const columns: Column[] = [];
  let outputNames: Set<string> | undefined; // a set: `SELECT *` of a wide table has hundreds of names
  for (const item of block.columns) {
    if (item.expr.kind === 'star') {
      const outputs = (outputNames ??= new Set(bound.outputNames));
      const visible = scan.columns.filter((c) => outputs.has(c.name));
      columns.push(...visible);
    } else if (item.expr.kind === 'column' && item.expr.scanId === scan.id && item.expr.column) {
      columns.push(item.expr.column);
    } else {
      return undefined;
    }
  }
  if (columns.length !== bound.outputNames.length) return undefined;
  return { kind: 'direct', names: bound.outputNames, columns };
}

/** short reasons a statement needs the local engine, from its shape (added to `reasons`) */
function localReasons(query: P.Query, reasons: string[]): void {
  if (query.with.length > 0) reasons.push('WITH (CTEs) runs locally');
  if (query.kind === 'setop') {
    reasons.push(`${query.op} runs locally`);
    return;
  }
  if (query.from?.kind === 'join') reasons.push('joins run locally');
  if (query.from?.kind === 'derived') reasons.push('subqueries in FROM run locally');
  if (query.distinct) reasons.push('DISTINCT runs locally');
  if (query.groupBy.length > 0 || query.columns.some((c) => hasAggregateOrWindow(c.expr))) reasons.push('aggregates, GROUP BY and window functions run locally');
  if (query.columns.some((c) => c.expr.kind !== 'column' && c.expr.kind !== 'star' && !hasAggregateOrWindow(c.expr))) reasons.push('computed select items are evaluated locally');
}
