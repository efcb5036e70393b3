/**
 * GROUP BY and aggregates of one table as a FetchXML aggregate (`aggregate="true"`): each grouped
 * value and each aggregate an aliased `<attribute>` of the root (FetchXML doc §1.4).
 * - Grouped: plain columns, and the date parts `YEAR`, `MONTH`, `DAY`, `DATEPART(year|month|week|day, …)`,
 *   `date_part('year'|'month'|'day', …)` (`dategrouping`, in UTC; the service's `week` is taken to be
 *   T-SQL's DATEPART(week)). Not the quarter: the service's `quarter` is of the organization's fiscal
 *   year (FetchXML doc §1.4), which need not start in January, so DATEPART(quarter) stays local.
 *   `FISCAL_YEAR(d)` and `FISCAL_PERIOD(d)` (beside FISCAL_YEAR of the same date: checkFiscalPeriods)
 *   are the organization's own (plan/fiscal.ts): `fiscal-year` / `fiscal-period`, in UTC.
 * - Aggregated: `COUNT(*)`, `COUNT(x)`, `COUNT(DISTINCT x)` (`countcolumn`), SUM, MIN / MAX of numbers
 *   and dates, and AVG as a `sum` and a `countcolumn`, divided in T-SQL's result type (AVG(int) is
 *   an int, truncated) over the groups: the service's own `avg` has no documented type. Not SUM,
 *   AVG, MIN or MAX of a choice or a yes/no column, which the service refuses (value-aggregates.ts).
 * When the select list, ORDER BY and nothing else are grouped values and aggregates, the groups are
 * the result. Otherwise the rest runs locally over the few grouped rows, exactly: HAVING (FetchXML
 * has none), AVG, expressions over groups, DISTINCT, ORDER BY and TOP.
 *
 * `SELECT name, COUNT(*) AS n FROM account GROUP BY name HAVING COUNT(*) > 1` →
 * `<fetch aggregate="true"><entity name="account"><attribute name="name" alias="g1" groupby="true"/>
 *  <attribute name="accountid" alias="a1" aggregate="count"/></entity></fetch>`, then locally
 * `SELECT g1 AS name, a1 AS n FROM <groups> WHERE a1 > 1`.
 */
import type { Column, SqlType } from '../catalog/types.js';
import { element, type SplitScale, type SplitSpec } from '../fetchxml/index.js';
import type * as P from '../plan/index.js';
import { FISCAL_FUNCTIONS, functionKind } from '../plan/index.js';
import { averageSumType, INT } from '../types/index.js';
import { logicalName } from './fetchxml-filter.js';
import { cannot, primaryKeyColumn, renamed, type EntityParts } from './fetchxml-parts.js';
import { constantValue, type ParamValues } from './values.js';
import { valueAggregateRefusal } from './value-aggregates.js';
import { multiSelectRefusal } from './column-kinds.js';
import { distinctCountSplit } from './distinct-split.js';
import type { MetadataReader } from './service-metadata.js';
import { conjuncts } from './walk.js';

const NUMERIC = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Byte']);
const DATES = new Set(['Edm.DateTimeOffset', 'Edm.Date']);
type DateGrouping = 'year' | 'month' | 'week' | 'day' | 'fiscal-year' | 'fiscal-period';

export interface AggregateOutputs {
  /** the columns the request reads: the result's, or (with `local`) one per alias */
  columns: Column[];
  split?: SplitSpec;
  /** the rest of the statement over the grouped rows, when they are not the result themselves */
  local?: { query: P.Select; reasons: string[] };
  /** HAVING keeps only the groups whose count passes this: the groups come ordered by it, read until one fails */
  cut?: HavingCut;
}

/** `COUNT(…) op value` of a HAVING conjunct, on the count's alias */
export interface HavingCut { alias: string; op: '>' | '>=' | '<' | '<='; value: number }

const MIRRORED: Readonly<Record<string, HavingCut['op']>> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=' };

/** one aliased attribute of the aggregate request */
interface Entry {
  alias: string;
  edmType: string;
  column: Column;
  dategrouping?: DateGrouping;
  /** how parts over ranges combine (split.ts); undefined: a distinct count, which adds up over ranges of its own column only */
  combine?: 'sum' | 'min' | 'max';
  /** a distinct count (of `column`) */
  distinct?: boolean;
  /** the column the request reads it into */
  output: Column;
  /** the value as a column of the grouped rows, for the local step */
  ref: P.ColumnRef;
}

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

const DATE_GROUPINGS: Readonly<Record<string, DateGrouping>> = {
  year: 'year', yy: 'year', yyyy: 'year', month: 'month', mm: 'month', m: 'month',
  week: 'week', wk: 'week', ww: 'week', day: 'day', dd: 'day', d: 'day',
};

/** a GROUP BY expression FetchXML groups by: a plain column, or a date part of a date column */
function groupSpec(expr: P.Expr, scanId: number): { column: Column; dategrouping?: DateGrouping; edmType: string } | undefined {
  if (expr.kind === 'column') {
    const c = expr.scanId === scanId ? expr.column : undefined;
    return c && (c.kind === 'data' || c.kind === 'lookup') && !c.enumType && c.edmType !== 'Edm.Binary' ? { column: c, edmType: c.edmType } : undefined;
  }
  if (expr.kind !== 'function' || expr.over) return undefined;
  if (FISCAL_FUNCTIONS.has(expr.name)) {
    // FISCAL_YEAR(d) / FISCAL_PERIOD(d): the organization's fiscal settings are the service's own (plan/fiscal.ts)
    const arg = expr.args[0];
    if (arg?.kind !== 'column' || arg.scanId !== scanId || !arg.column || !DATES.has(arg.column.edmType) || arg.column.kind !== 'data') return undefined;
    return { column: arg.column, dategrouping: expr.name === 'FISCAL_YEAR' ? 'fiscal-year' : 'fiscal-period', edmType: 'Edm.Int32' };
  }
  let part: string | undefined;
  let arg: P.Expr | undefined;
  let edmType = 'Edm.Int32';
  if ((expr.name === 'YEAR' || expr.name === 'MONTH' || expr.name === 'DAY') && expr.args.length === 1) [part, arg] = [expr.name.toLowerCase(), expr.args[0]];
  else if (expr.name === 'DATEPART' && expr.args[0]?.kind === 'keyword') [part, arg] = [expr.args[0].word.toLowerCase(), expr.args[1]];
  else if (expr.name === 'DATE_PART' && expr.args[0]?.kind === 'literal' && typeof expr.args[0].value === 'string') {
    [part, arg, edmType] = [expr.args[0].value.toLowerCase(), expr.args[1], 'Edm.Double'];
    // PostgreSQL's week is the ISO week, not the service's
    if (part === 'week') return undefined;
  }
  const grouping = DATE_GROUPINGS[part ?? ''];
  if (!grouping || arg?.kind !== 'column' || arg.scanId !== scanId || !arg.column || !DATES.has(arg.column.edmType) || arg.column.kind !== 'data') return undefined;
  return { column: arg.column, dategrouping: grouping, edmType };
}

/**
 * FISCAL_PERIOD(d) is grouped by FetchXML only beside FISCAL_YEAR(d) of the same date: the service's
 * `fiscal-period` groups are shown as "Quarter 1 FY2023" (FetchXML doc §1.4), which reads as one
 * group per period of each year, where FISCAL_PERIOD alone is one group per period number. With the
 * year grouped too, both readings give the same groups.
 */
function checkFiscalPeriods(groupBy: readonly P.Expr[]): void {
  const years = new Set(groupBy.filter((g) => g.kind === 'function' && g.name === 'FISCAL_YEAR').map((g) => exprKey((g as P.Call).args[0]!) + exprKey((g as P.Call).args[1]!)));
  for (const g of groupBy) {
    if (g.kind === 'function' && g.name === 'FISCAL_PERIOD' && !years.has(exprKey(g.args[0]!) + exprKey(g.args[1]!))) {
      cannot('it groups by FISCAL_PERIOD without FISCAL_YEAR of the same date (the service\'s fiscal-period groups are per year)');
    }
  }
}

/** an aggregate FetchXML computes exactly as T-SQL does (AVG is asked as its sum and count) */
function aggregateSpec(expr: P.Call, root: EntityParts, metadata: MetadataReader | undefined): { aggregate: string; column: Column; distinct?: boolean; edmType: string } | undefined {
  if (expr.over || functionKind(expr.name) !== 'aggregate') return undefined;
  if (expr.name === 'COUNT' && expr.star) return { aggregate: 'count', column: primaryKeyColumn(root.scan), edmType: 'Edm.Int32' };
  const arg = expr.args.length === 1 ? expr.args[0] : undefined;
  const column = arg?.kind === 'column' && arg.scanId === root.scan.id ? arg.column : undefined;
  if (!column || (column.kind !== 'data' && column.kind !== 'lookup') || column.enumType || column.edmType === 'Edm.Binary') return undefined;
  const multiSelect = multiSelectRefusal(root.scan.table, column, metadata);
  if (multiSelect) cannot(multiSelect);
  if (expr.name === 'COUNT') return { aggregate: 'countcolumn', column, distinct: expr.distinct, edmType: 'Edm.Int32' };
  if (expr.distinct) return undefined;
  // the service refuses SUM / AVG / MIN / MAX of a choice or a yes/no column (value-aggregates.ts)
  const refused = ['SUM', 'AVG', 'MIN', 'MAX'].includes(expr.name) ? valueAggregateRefusal(root.scan.table, column, metadata) : undefined;
  if (refused) cannot(refused);
  if ((expr.name === 'SUM' || expr.name === 'AVG') && NUMERIC.has(column.edmType)) return { aggregate: expr.name.toLowerCase(), column, edmType: column.edmType };
  if ((expr.name === 'MIN' || expr.name === 'MAX') && (NUMERIC.has(column.edmType) || DATES.has(column.edmType))) {
    return { aggregate: expr.name.toLowerCase(), column, edmType: column.edmType };
  }
  return undefined;
}

/** COUNT(*), COUNT(x), COUNT(DISTINCT x): never null */
function isCount(expr: P.Expr): boolean {
  return expr.kind === 'function' && expr.name === 'COUNT' && !expr.over;
}

/** not expressible as the groups themselves: the statement then finishes locally over them */
class NotDirect {}

/** GROUP BY and aggregates as aliased `<attribute>`s of the root; the result read by alias, or finished locally */
export function aggregateOutputs(bound: P.BoundQuery, block: P.Select, root: EntityParts, params: ParamValues, metadata?: MetadataReader): AggregateOutputs {
  const attributes = root.attributes.length;
  try {
    return new AggregateBuilder(bound, block, root, params, metadata).direct();
  } catch (error) {
    if (!(error instanceof NotDirect)) throw error;
    root.attributes.length = attributes;
    root.orders.length = 0;
    return new AggregateBuilder(bound, block, root, params, metadata).finishedLocally();
  }
}

class AggregateBuilder {
  private readonly entries = new Map<string, Entry>();
  /** the aliases of counts, 0 (not null) over no rows */
  private readonly counts = new Set<string>();
  private groups = 0;
  private aggregates = 0;

  constructor(
    private readonly bound: P.BoundQuery, private readonly block: P.Select, private readonly root: EntityParts, private readonly params: ParamValues,
    private readonly metadata: MetadataReader | undefined,
  ) {
    checkFiscalPeriods(block.groupBy);
    for (const g of block.groupBy) {
      const spec = groupSpec(g, root.scan.id) ?? cannot('it groups by a value FetchXML cannot group by');
      const multiSelect = multiSelectRefusal(root.scan.table, spec.column, metadata);
      if (multiSelect) cannot(multiSelect);
      if (this.entries.has(exprKey(g))) continue;
      const alias = `g${++this.groups}`;
      this.entries.set(exprKey(g), this.entry(alias, spec.edmType, spec.column, g.sqlType, spec.dategrouping));
      root.attributes.push(element('attribute', {
        name: logicalName(spec.column), alias, groupby: 'true', dategrouping: spec.dategrouping, usertimezone: spec.dategrouping ? 'false' : undefined,
      }));
    }
  }

  /** the groups as the result: every select item and ORDER BY a grouped value or an aggregate */
  direct(): AggregateOutputs {
    const { block, bound, root } = this;
    if (block.having || block.distinct || block.limit) throw new NotDirect();
    const columns = block.columns.map((item, index) => {
      const entry = this.entries.get(exprKey(item.expr)) ?? (item.expr.kind === 'function' && item.expr.name !== 'AVG' ? this.aggregate(item.expr) : undefined);
      if (!entry) throw new NotDirect();
      // a grouped lookup comes back as a bare GUID under its alias (FetchXML doc §1.6): read as plain data
      return renamed({ name: bound.outputNames[index]!, kind: 'data', edmType: entry.edmType, sqlType: item.expr.sqlType }, entry.alias);
    });
    if (columns.length === 0) cannot('nothing to aggregate');
    for (const item of block.orderBy) {
      let target: P.Expr | undefined = item.expr;
      if (item.expr.kind === 'column' && item.expr.scanId === undefined) target = block.columns.find((c) => c.alias?.toLowerCase() === (item.expr as P.ColumnRef).name.toLowerCase())?.expr;
      else if (item.expr.kind === 'literal' && item.expr.type === 'number') target = block.columns[Number(item.expr.value) - 1]?.expr;
      const entry = target ? this.entries.get(exprKey(target)) : undefined;
      // not in the select list, a lookup (the service sorts it by name), NULLS placed otherwise: sorted locally;
      // a fiscal group too, whose service order (by its raw value or by its label) the docs do not give
      if (!entry || (entry.column.kind === 'lookup' && !entry.dategrouping) || entry.dategrouping?.startsWith('fiscal')
        || (item.nulls && (item.nulls === 'first') === item.descending)) throw new NotDirect();
      root.orders.push(element('order', { alias: entry.alias, descending: item.descending ? 'true' : undefined }));
    }
    return { columns, split: this.splitSpec() };
  }

  /** the groups read as they are, the rest of the statement a local SELECT over them */
  finishedLocally(): AggregateOutputs {
    const { block, bound, root } = this;
    const reasons: string[] = [];
    if (block.having) reasons.push('HAVING filters the groups locally (FetchXML has no HAVING)');
    const query: P.Select = {
      kind: 'select', with: [], distinct: block.distinct,
      columns: block.columns.map((item, i) => ({ expr: this.finish(item.expr), alias: bound.outputNames[i]! })),
      from: { kind: 'scan', scanId: root.scan.id, alias: root.scan.alias },
      ...(block.having ? { where: this.finish(block.having) } : {}),
      groupBy: [],
      orderBy: block.orderBy.map((o) => ({ ...o, expr: this.finish(o.expr) })),
      ...(block.limit ? { limit: block.limit } : {}),
      outputTypes: block.outputTypes,
    };
    if (this.entries.size === 0) cannot('nothing to aggregate');
    if ([...this.entries.values()].some((e) => e.alias.startsWith('s'))) reasons.push('AVG is the service\'s SUM / COUNT, divided locally in the result type');
    if (reasons.length === 0) reasons.push('the select list, ORDER BY or TOP over the groups are computed locally');
    const split = this.splitSpec();
    // tried on the whole aggregate first; refused (50,000 rows), the parts are read whole (fetchxml-split.ts)
    const cut = this.havingCut();
    if (cut) {
      root.orders.push(element('order', { alias: cut.alias, descending: cut.op === '>' || cut.op === '>=' ? 'true' : undefined }));
      reasons.push(`the groups come ordered by ${cut.alias}, and are read until one fails ${cut.alias} ${cut.op} ${cut.value} (HAVING)`);
    }
    return { columns: [...this.entries.values()].map((e) => e.output), split, local: { query, reasons }, ...(cut ? { cut } : {}) };
  }

  /**
   * A HAVING conjunct `COUNT(…) > n` (or >=, <, <=, either way round) over the groups: a count is
   * never null, so with the groups ordered by it (descending for > and >=) every group that passes
   * comes before every group that fails. Reading the groups in that order until one fails reads
   * all the groups HAVING keeps: `HAVING count(*) > 1` over 2,000 names of one row each reads the
   * first group only. The whole HAVING still runs locally over what is read.
   */
  private havingCut(): HavingCut | undefined {
    for (const c of conjuncts(this.block.having)) {
      if (c.kind !== 'binary' || !MIRRORED[c.op]) continue;
      const [count, bound, op] = isCount(c.left) ? [c.left, c.right, c.op as HavingCut['op']] : isCount(c.right) ? [c.right, c.left, MIRRORED[c.op]!] : [];
      if (!count || !bound || !op) continue;
      const constant = constantValue(bound, this.params);
      const value = typeof constant?.value === 'number' || typeof constant?.value === 'string' ? Number(constant.value) : NaN;
      const entry = this.entries.get(exprKey(count));
      if (!Number.isFinite(value) || !entry) continue;
      return { alias: entry.alias, op, value };
    }
    return undefined;
  }

  private entry(alias: string, edmType: string, column: Column, sqlType: SqlType, dategrouping?: DateGrouping, combine?: Entry['combine'], distinct?: boolean): Entry {
    const output = renamed({ name: alias, kind: 'data', edmType, sqlType }, alias);
    const ref: P.ColumnRef = { kind: 'column', name: alias, qualifier: this.root.scan.alias, scanId: this.root.scan.id, column: output, sqlType };
    return { alias, edmType, column, output, ref, ...(dategrouping ? { dategrouping } : {}), ...(combine ? { combine } : {}), ...(distinct ? { distinct } : {}) };
  }

  /** the attribute of an aggregate call (one per distinct call), or undefined when FetchXML cannot compute it */
  private aggregate(call: P.Call, key = exprKey(call), as?: { name: string; sqlType: SqlType }): Entry | undefined {
    const known = this.entries.get(key);
    if (known) return known;
    const spec = aggregateSpec(call, this.root, this.metadata);
    if (!spec) return undefined;
    const name = as?.name ?? spec.aggregate;
    const alias = `${as ? 's' : 'a'}${++this.aggregates}`;
    // a distinct count adds up over ranges of its own column only (splitSpec)
    const combine = spec.distinct ? undefined : name === 'min' || name === 'max' ? name : 'sum';
    const entry = this.entry(alias, name === 'count' || name === 'countcolumn' ? 'Edm.Int32' : spec.edmType, spec.column, as?.sqlType ?? call.sqlType, undefined, combine, spec.distinct);
    this.entries.set(key, entry);
    if (name === 'count' || name === 'countcolumn') this.counts.add(alias);
    this.root.attributes.push(element('attribute', { name: logicalName(spec.column), alias, aggregate: name, distinct: spec.distinct ? 'true' : undefined }));
    return entry;
  }

  /**
   * AVG(x) as SUM(x) / COUNT(x) of the groups, in the types T-SQL computes it in (as the local
   * engine does: plan/functions.ts avgLocal), null when the group has no value of x.
   */
  private average(call: P.Call): P.Expr {
    const arg = call.args[0]!;
    const result = call.sqlType;
    const sumType = averageSumType(arg.sqlType, result);
    const key = exprKey(call);
    const sum = this.aggregate(call, `${key}:sum`, { name: 'sum', sqlType: sumType }) ?? cannot('an aggregate FetchXML cannot compute exactly');
    const count = this.aggregate({ ...call, name: 'COUNT' }, `${key}:count`, { name: 'countcolumn', sqlType: INT })!;
    const zero: P.Literal = { kind: 'literal', type: 'number', value: '0', sqlType: INT };
    return {
      kind: 'case', sqlType: result,
      whens: [{ when: { kind: 'binary', op: '=', left: count.ref, right: zero, sqlType: { name: 'boolean' } }, then: { kind: 'literal', type: 'null', value: null, sqlType: result } }],
      else: { kind: 'binary', op: '/', left: sum.ref, right: count.ref, sqlType: result },
    };
  }

  /** an expression over the groups: grouped values and aggregates read from their columns */
  private finish(e: P.Expr): P.Expr {
    const known = this.entries.get(exprKey(e));
    if (known && !exprKey(e).startsWith('?')) return known.ref;
    if (e.kind === 'function' && !e.over && functionKind(e.name) === 'aggregate') {
      if (e.name === 'AVG') return this.average(e);
      return (this.aggregate(e) ?? cannot('an aggregate FetchXML cannot compute exactly')).ref;
    }
    switch (e.kind) {
      // a select-list alias (ORDER BY n) names an output column of the local step itself
      case 'column': return e.scanId === undefined ? e : cannot(`${e.name} is neither grouped nor aggregated`);
      case 'literal': case 'param': case 'keyword': return e;
      case 'binary': return { ...e, left: this.finish(e.left), right: this.finish(e.right) };
      case 'unary': return { ...e, operand: this.finish(e.operand) };
      case 'like': return { ...e, expr: this.finish(e.expr), pattern: this.finish(e.pattern), ...(e.escape ? { escape: this.finish(e.escape) } : {}) };
      case 'inList': return { ...e, expr: this.finish(e.expr), list: e.list.map((x) => this.finish(x)) };
      case 'between': return { ...e, expr: this.finish(e.expr), low: this.finish(e.low), high: this.finish(e.high) };
      case 'isNull': case 'cast': return { ...e, expr: this.finish(e.expr) };
      case 'case': return {
        ...e, ...(e.operand ? { operand: this.finish(e.operand) } : {}),
        whens: e.whens.map((w) => ({ when: this.finish(w.when), then: this.finish(w.then) })), ...(e.else ? { else: this.finish(e.else) } : {}),
      };
      case 'function':
        if (e.over || e.withinGroup) return cannot('a window function over the groups runs locally');
        return { ...e, args: e.args.map((a) => this.finish(a)) };
      default: return cannot(`a ${e.kind} over the groups runs locally`);
    }
  }

  /**
   * How the aggregate is answered by parts when the service refuses it whole (split.ts): ranges of
   * the column its distinct counts are of, else of the date it groups by, else of `createdon`; a
   * distinct count of the primary key counts rows, one of text or of a key is read as the parts'
   * groups of its column (distinct-split.ts says under which preconditions). Text groups are merged
   * under the service's collation. Not split: distinct counts of two columns (other than the
   * primary key), or what distinct-split.ts leaves out.
   */
  private splitSpec(): SplitSpec | undefined {
    const entries = [...this.entries.values()];
    const groups = entries.filter((e) => e.alias.startsWith('g'));
    const distinct = distinctCountSplit(entries.filter((e) => e.distinct), this.root.scan.table, groups.filter((g) => !g.dategrouping).map((g) => g.column));
    if (!distinct) return undefined;
    const grouped = distinct.grouped?.alias;
    const aggregates: SplitSpec['aggregates'] = [];
    for (const e of entries) {
      if (e.alias.startsWith('g') || e.alias === grouped) continue;
      aggregates.push({ alias: e.alias, combine: e.combine ?? 'sum' });
    }
    const created = this.root.scan.table.columns.find((c) => c.name === 'createdon' && c.kind === 'data' && c.edmType === 'Edm.DateTimeOffset');
    const column = distinct.ranges ?? groups.find((g) => g.dategrouping)?.column ?? created;
    const scale = column?.kind === 'data' ? splitScale(column.edmType) : undefined;
    if (!column || !scale) return undefined;
    // the rows where the column is null are in no range of it: too many for one part, they are split by createdon
    const nullsBy = created && created !== column ? { nullsBy: logicalName(created) } : {};
    const orders = this.root.orders.map((o) => ({ alias: o.attributes.alias!, descending: o.attributes.descending === 'true' }));
    const textGroups = groups.filter((g) => !g.dategrouping && g.column.edmType === 'Edm.String').map((g) => g.alias);
    const distinctGroup = distinct.grouped ? {
      distinctGroup: {
        alias: distinct.grouped.alias, attribute: logicalName(distinct.grouped.column), text: distinct.grouped.text,
        zeros: [...this.counts],
      },
    } : {};
    return {
      attribute: logicalName(column), scale, ...(distinct.ranges ? { distinctKey: true } : {}), ...distinctGroup, ...nullsBy,
      groups: groups.map((g) => g.alias), textGroups, aggregates, orders,
    };
  }
}

/** how a split column's values are ranged (fetchxml/split-scale.ts), or undefined when they cannot be */
function splitScale(edmType: string): SplitScale | undefined {
  if (edmType === 'Edm.DateTimeOffset') return 'instant';
  if (edmType === 'Edm.Date') return 'day';
  if (['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte'].includes(edmType)) return 'integer';
  if (NUMERIC.has(edmType)) return 'number';
  return undefined;
}
