import { collationKey, sortCompare, toMillis } from '../query/values.js';
import { decimalTextOf, sumDecimalTexts } from '../query/exact-decimal-math.js';
import { exactNumberValue } from '../http/exact-decimals.js';
import { checkValueAggregate } from '../query/value-aggregates.js';
import { aggregatedProperty } from '../currency.js';
import { type BoundEntity, type BoundFetch, type Column, columnOf, type Tuple } from './bind.js';
import { aggregateLimitExceeded, invalidFetch } from './errors.js';
import type { Formatter } from '../http/format.js';
import { writeRenamedAnnotations } from './render.js';
import type { AttributeNode } from './parse.js';
import { type FiscalCalendar, fiscalPosition } from './fiscal-calendar.js';

/** The most group rows an aggregate answers; there is no next page (FetchXML doc §1.4). */
const MAX_GROUPS = 5_000;

interface AggregateColumn {
  node: AttributeNode;
  alias: string;
  from: BoundEntity;
  column: Column;
}

/**
 * `aggregate="true"` (FetchXML doc §1.4): every attribute has an alias and either `groupby` or an
 * aggregate; nulls are ignored by every aggregate and a null group value is omitted from its row
 * (as are empty sums, averages, minimums and maximums). More input rows than the emulator's
 * `aggregateLimit` (default 50,000) or the query's `aggregatelimit` fail with 0x8004E023. `sum`, `avg`,
 * `min` and `max` of a choice or a yes/no attribute are refused (query/value-aggregates.ts); with
 * several currencies those of a money column read its base-currency twin (currency.ts).
 */
export function aggregateRows(bound: BoundFetch, tuples: Tuple[], serviceLimit: number, formatter: Formatter, fiscal: () => FiscalCalendar): Record<string, unknown>[] {
  const columns: AggregateColumn[] = [];
  for (const from of [bound.root, ...bound.joined]) {
    for (const node of from.node.attributes) {
      if (!node.alias) throw invalidFetch(`the attribute '${node.name}' of an aggregate query needs an alias.`);
      if (!node.groupby && !node.aggregate) throw invalidFetch(`the attribute '${node.name}' of an aggregate query needs 'aggregate' or groupby="true".`);
      if (node.distinct && node.aggregate !== 'countcolumn') throw invalidFetch("distinct is only valid with aggregate='countcolumn'.");
      if (node.dategrouping && !node.groupby) throw invalidFetch('dategrouping needs groupby="true".');
      const named = columnOf(from.entity, node.name);
      if (node.aggregate) checkValueAggregate(formatter.choices, from.entity, named.property.name, node.aggregate);
      // with several currencies a money column is aggregated over its base-currency twin (currency.ts)
      const read = node.aggregate ? aggregatedProperty(formatter.store, from.entity, named.property.name, node.aggregate) : named.property.name;
      const column = read === named.property.name ? named : columnOf(from.entity, read);
      columns.push({ node, alias: node.alias, from, column });
    }
  }
  if (bound.root.node.allAttributes) throw invalidFetch('<all-attributes/> is not valid in an aggregate query.');
  const limit = Math.min(serviceLimit, bound.query.aggregateLimit ?? Infinity);
  if (tuples.length > limit) throw aggregateLimitExceeded();

  const groupBy = columns.filter((c) => c.node.groupby);
  const aggregates = columns.filter((c) => !c.node.groupby);
  const groups = new Map<string, { keys: unknown[]; tuples: Tuple[] }>();
  const calendar = groupBy.some((c) => c.node.dategrouping === 'quarter' || c.node.dategrouping?.startsWith('fiscal')) ? fiscal() : undefined;
  for (const t of tuples) {
    const keys = groupBy.map((c) => groupValue(c, t, calendar));
    // a fiscal period groups by its year too (the docs' example value is "Quarter 1 FY2023")
    const id = JSON.stringify(keys.map((k, i) => (typeof k === 'string' ? collationKey(k) : groupBy[i]!.node.dategrouping === 'fiscal-period' && k !== null ? fiscalPeriodKey(groupBy[i]!, t, calendar!) : k ?? null)));
    const group = groups.get(id);
    if (group) group.tuples.push(t);
    else groups.set(id, { keys, tuples: [t] });
  }
  // An ungrouped aggregate over no rows still answers one row (count 0).
  if (groupBy.length === 0 && groups.size === 0) groups.set('[]', { keys: [], tuples: [] });

  const rows: Record<string, unknown>[] = [];
  for (const group of groups.values()) {
    const row: Record<string, unknown> = {};
    groupBy.forEach((c, i) => {
      if (group.keys[i] === null || group.keys[i] === undefined) return;
      // A plain group value is the column's value: annotate it from the group's first row, as OData would.
      const sample = group.tuples[0]?.[c.from.alias];
      if (!c.node.dategrouping && sample) writeRenamedAnnotations(formatter, c.from.entity, sample, c.column, c.alias, row);
      row[c.alias] = group.keys[i];
    });
    for (const c of aggregates) {
      const value = aggregateValue(c, group.tuples);
      if (value !== null) row[c.alias] = value;
    }
    rows.push(row);
  }
  rows.sort(groupComparator(bound, columns));
  return rows.slice(0, MAX_GROUPS);
}

function valueOf(c: AggregateColumn, t: Tuple): unknown {
  return t[c.from.alias]?.values[c.column.property.name] ?? null;
}

/**
 * A date part in UTC (the emulator's user has no time zone): `day` of the month, `week` of the
 * year (SQL Server's DATEPART(week): weeks start on Sunday, the week of 1 January is 1),
 * `month`, `quarter` (of the fiscal year: three months from the organization's fiscal start),
 * `year`, `fiscal-year` (the fiscal year's name, 2023) and `fiscal-period` (the period's number
 * within its fiscal year, 1 to the organization's period count). All integers. The docs show the
 * fiscal ones as "FY2023" and "Quarter 1 FY2023", which reads as their formatted values; the raw
 * values are **docs silent** and chosen as the other date parts' integers.
 */
function groupValue(c: AggregateColumn, t: Tuple, calendar: FiscalCalendar | undefined): unknown {
  const value = valueOf(c, t);
  const grouping = c.node.dategrouping;
  if (!grouping || value === null) return value;
  const ms = toMillis(String(value));
  if (Number.isNaN(ms)) throw invalidFetch(`dategrouping needs a date column; '${c.node.name}' is not one.`);
  const d = new Date(ms);
  switch (grouping) {
    case 'day': return d.getUTCDate();
    case 'month': return d.getUTCMonth() + 1;
    case 'quarter': {
      // whole months since the fiscal year's first day (a month counts once its start day is reached)
      const months = (d.getUTCMonth() - calendar!.month + 12 - (d.getUTCDate() < calendar!.day ? 1 : 0)) % 12;
      return Math.floor(months / 3) + 1;
    }
    case 'year': return d.getUTCFullYear();
    case 'fiscal-year': return fiscalPosition(calendar!, ms).year;
    case 'fiscal-period': return fiscalPosition(calendar!, ms).period;
    case 'week': {
      const jan1 = Date.UTC(d.getUTCFullYear(), 0, 1);
      const dayOfYear = Math.floor((ms - jan1) / 86_400_000);
      return Math.floor((dayOfYear + new Date(jan1).getUTCDay()) / 7) + 1;
    }
  }
}

/** the group of a fiscal period: its year and number */
function fiscalPeriodKey(c: AggregateColumn, t: Tuple, calendar: FiscalCalendar): string {
  const p = fiscalPosition(calendar, toMillis(String(valueOf(c, t))));
  return `${p.year}/${p.period}`;
}

/** a decimal column's values as the exact text written, or the shortest text of the stored double */
function decimalTexts(c: AggregateColumn, tuples: Tuple[]): string[] {
  const name = c.column.property.name;
  return tuples.flatMap((t) => {
    const row = t[c.from.alias];
    const v = row?.values[name];
    if (v === null || v === undefined) return [];
    const written = row!.exactDecimals?.[name];
    return [written !== undefined && Number(written) === v ? written : decimalTextOf(Number(v))];
  });
}

function aggregateValue(c: AggregateColumn, tuples: Tuple[]): unknown {
  if (c.node.aggregate === 'count') return tuples.length;
  const values = tuples.map((t) => valueOf(c, t)).filter((v) => v !== null && v !== undefined);
  switch (c.node.aggregate) {
    case 'countcolumn':
      return c.node.distinct ? new Set(values.map((v) => (typeof v === 'string' ? collationKey(v) : v))).size : values.length;
    case 'sum':
      if (!values.length) return null;
      // decimals (money among them) sum exactly, as SQL Server does (query/exact-decimal-math.ts, as for $apply)
      if (c.column.property.type === 'Edm.Decimal') return exactNumberValue(sumDecimalTexts(decimalTexts(c, tuples)));
      return values.reduce((s: number, v) => s + Number(v), 0);
    case 'avg':
      return values.length ? values.reduce((s: number, v) => s + Number(v), 0) / values.length : null;
    case 'min':
      return values.length ? values.reduce((m, v) => (sortCompare(v, m) < 0 ? v : m)) : null;
    case 'max':
      return values.length ? values.reduce((m, v) => (sortCompare(v, m) > 0 ? v : m)) : null;
    default:
      return null;
  }
}

/** `<order alias>` orders the groups; without one they come in group-key order. */
function groupComparator(bound: BoundFetch, columns: AggregateColumn[]): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const orders = [bound.root, ...bound.joined].flatMap((b) => b.node.orders);
  const keys = orders.length
    ? orders.map((o) => {
        if (!o.alias) throw invalidFetch('an <order> of an aggregate query needs an alias.');
        if (!columns.some((c) => c.alias === o.alias)) throw invalidFetch(`no attribute has the alias '${o.alias}'.`);
        return { alias: o.alias, descending: o.descending };
      })
    : columns.filter((c) => c.node.groupby).map((c) => ({ alias: c.alias, descending: false }));
  return (a, b) => {
    for (const k of keys) {
      const c = sortCompare(a[k.alias], b[k.alias]);
      if (c !== 0) return k.descending ? -c : c;
    }
    return 0;
  };
}
