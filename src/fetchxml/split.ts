/**
 * An aggregate the service refuses (more than 50,000 input rows, FetchXML doc §1.3/§1.4) answered
 * by parts: the same `<fetch aggregate="true">` over ranges of one column (a date, or the key of
 * the distinct counts: split-scale.ts), each under the limit, combined here. Counts and sums add
 * up, minimums take the least, maximums the greatest; distinct counts add up only over ranges of
 * their own column (a value then falls in one range only). Groups of text equal under the
 * service's collation ('Mark' in one part, 'MARK ' in another) are one group, shown with the
 * spelling of the first part that has it (which of the spellings a GROUP BY shows is open in SQL
 * Server too). Pure: the connection sends.
 *
 * `rangeFetch(f, 'createdon', '2024-01-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z', false)` →
 * `f` with `<filter><condition attribute="createdon" operator="ge" value="2024-01-01…"/><condition … operator="lt" …/></filter>`.
 */
import { JsonNumberText, type JsonValue } from '../odata/index.js';
import { collationKey } from '../util/index.js';
import type { DistinctGroup } from './distinct-groups.js';
import { addNumberTexts, compareNumberTexts, isNumberText } from './number-text.js';
import type { SplitScale } from './split-scale.js';
import { element, withAttributes, type XmlElement } from './xml.js';

export interface SplitSpec {
  /** the column the ranges are of (logical name) */
  attribute: string;
  /** how its values are ranged (split-scale.ts) */
  scale: SplitScale;
  /** the column is the one the distinct counts are of: their parts add up */
  distinctKey?: boolean;
  /** the distinct count of text or of a key the parts answer by grouping on its column (distinct-groups.ts) */
  distinctGroup?: DistinctGroup;
  /** a date and time column (`createdon`) the rows where `attribute` is null are split by, when they are too many for one part */
  nullsBy?: string;
  /** the group aliases, in order */
  groups: string[];
  /** the groups of text: compared, merged and ordered under the service's collation */
  textGroups: string[];
  /** each aggregate alias and how the parts combine */
  aggregates: { alias: string; combine: 'sum' | 'min' | 'max' }[];
  /** the order of the combined groups */
  orders: { alias: string; descending: boolean }[];
}

function entityOf(fetch: XmlElement): XmlElement {
  return fetch.children.find((c) => c.name === 'entity')!;
}

function withEntity(fetch: XmlElement, entity: XmlElement, attributes: Record<string, string | undefined> = {}): XmlElement {
  return withAttributes({ ...fetch, children: fetch.children.map((c) => (c.name === 'entity' ? entity : c)) }, attributes);
}

/**
 * The first row of the aggregate's input ordered by the split column (descending: the last): the
 * query's filters and links kept, its attributes and orders replaced. Rows where it is null are
 * left out here and read with the first range. Ordered by value (`useraworderby`): a choice
 * column orders by its labels otherwise (FetchXML doc §1.8).
 */
export function boundFetch(fetch: XmlElement, attribute: string, descending: boolean): XmlElement {
  const entity = entityOf(fetch);
  const kept = entity.children.filter((c) => c.name === 'filter' || c.name === 'link-entity');
  const children = [
    element('attribute', { name: attribute }),
    element('order', { attribute, descending: descending ? 'true' : undefined }),
    element('filter', { type: 'and' }, [element('condition', { attribute, operator: 'not-null' })]),
    ...kept,
  ];
  return withEntity({ ...fetch, attributes: {} }, { ...entity, children }, { top: '1', useraworderby: 'true' });
}

/** the aggregate over `from` ≤ column < `to` (either end open when undefined), and the nulls too when `withNulls` */
export function rangeFetch(fetch: XmlElement, attribute: string, from: string | undefined, to: string | undefined, withNulls: boolean): XmlElement {
  const entity = entityOf(fetch);
  const bounds = [
    ...(from !== undefined ? [element('condition', { attribute, operator: 'ge', value: from })] : []),
    ...(to !== undefined ? [element('condition', { attribute, operator: 'lt', value: to })] : []),
  ];
  const range = withNulls
    ? element('filter', { type: 'or' }, [element('condition', { attribute, operator: 'null' }), element('filter', { type: 'and' }, bounds)])
    : element('filter', { type: 'and' }, bounds);
  return withEntity(fetch, { ...entity, children: [...entity.children, range] });
}

/** the aggregate over the rows where the column is null */
export function nullsFetch(fetch: XmlElement, attribute: string): XmlElement {
  const entity = entityOf(fetch);
  return withEntity(fetch, { ...entity, children: [...entity.children, element('filter', { type: 'and' }, [element('condition', { attribute, operator: 'null' })])] });
}

function numberText(v: JsonValue): string {
  return v instanceof JsonNumberText ? v.text : String(v);
}

function isNull(v: JsonValue | undefined): v is null | undefined {
  return v === null || v === undefined;
}

/** a number of the service's answer as text: numbers that are not safe integers are read as text (odata/json.ts) */
function asNumberText(v: JsonValue): string | undefined {
  if (typeof v === 'number') return String(v);
  if (v instanceof JsonNumberText) return v.text;
  return typeof v === 'string' && isNumberText(v) ? v : undefined;
}

/** `a` before `b`: numbers as numbers, dates as written (ISO dates order as text), text under the collation, nulls first */
function compare(a: JsonValue | undefined, b: JsonValue | undefined, text = false): number {
  if (isNull(a) || isNull(b)) return isNull(a) === isNull(b) ? 0 : isNull(a) ? -1 : 1;
  if (text) {
    const [s, t] = [collationKey(String(a)), collationKey(String(b))];
    return s < t ? -1 : s > t ? 1 : 0;
  }
  const x = asNumberText(a);
  const y = asNumberText(b);
  if (x !== undefined && y !== undefined) return compareNumberTexts(x, y);
  const [s, t] = [String(a), String(b)];
  return s < t ? -1 : s > t ? 1 : 0;
}

/** the aggregates of `row` taken into `into`, a row of the same group */
function mergeInto(into: Record<string, JsonValue>, row: Record<string, JsonValue>, aggregates: SplitSpec['aggregates']): void {
  for (const { alias, combine } of aggregates) {
    const a = into[alias];
    const b = row[alias];
    if (isNull(b)) continue;
    if (isNull(a)) into[alias] = b;
    else if (combine === 'sum') into[alias] = new JsonNumberText(addNumberTexts(numberText(a), numberText(b)));
    else if ((combine === 'min') === (compare(b, a) < 0)) into[alias] = b;
  }
}

/** rows of equal values of `groups` as one row each, in the order first met */
function mergeRows(rows: Iterable<Record<string, JsonValue>>, groups: string[], text: Set<string>, aggregates: SplitSpec['aggregates'], onRow?: (into: Record<string, JsonValue>, row: Record<string, JsonValue>) => void): Map<string, Record<string, JsonValue>> {
  const groupKey = (row: Record<string, JsonValue>, g: string) => {
    const v = row[g];
    if (isNull(v)) return null;
    return text.has(g) ? collationKey(String(v)) : numberText(v);
  };
  const merged = new Map<string, Record<string, JsonValue>>();
  for (const row of rows) {
    const key = JSON.stringify(groups.map((g) => groupKey(row, g)));
    let into = merged.get(key);
    if (!into) {
      into = { ...row };
      merged.set(key, into);
    } else mergeInto(into, row, aggregates);
    onRow?.(into, row);
  }
  return merged;
}

/**
 * The merged groups of a distinct group (distinct-groups.ts), each a value of its column within a
 * statement group, rolled up into the statement's groups: the distinct count is the number of its
 * non-null values, the other aggregates combine as the parts do.
 */
function rollUp(merged: Iterable<Record<string, JsonValue>>, spec: SplitSpec, group: DistinctGroup, text: Set<string>): Record<string, JsonValue>[] {
  const values = new Map<Record<string, JsonValue>, number>();
  const rolled = mergeRows(merged, spec.groups, text, spec.aggregates, (into, row) => values.set(into, (values.get(into) ?? 0) + (isNull(row[group.alias]) ? 0 : 1)));
  const rows = [...rolled.values()].map((row) => ({ ...row, [group.alias]: values.get(row) ?? 0 }));
  // an ungrouped aggregate over no rows is still one row: its counts 0, the rest null
  if (rows.length === 0 && spec.groups.length === 0) rows.push(Object.fromEntries(group.zeros.map((alias) => [alias, 0])));
  return rows;
}

/** the parts' group rows as one answer: rows of equal group values merged, then ordered */
export function combineParts(parts: Record<string, JsonValue>[][], spec: SplitSpec): Record<string, JsonValue>[] {
  const text = new Set(spec.textGroups);
  const group = spec.distinctGroup;
  let rows: Record<string, JsonValue>[];
  if (group) {
    const finer = mergeRows(parts.flat(), [...spec.groups, group.alias], group.text ? new Set([...text, group.alias]) : text, spec.aggregates);
    rows = rollUp(finer.values(), spec, group, text);
  } else rows = [...mergeRows(parts.flat(), spec.groups, text, spec.aggregates).values()];
  // with no ORDER BY the groups come in group-value order, as the service answers them
  const orders = spec.orders.length > 0 ? spec.orders : spec.groups.map((alias) => ({ alias, descending: false }));
  rows.sort((r, s) => {
    for (const o of orders) {
      const c = compare(r[o.alias], s[o.alias], text.has(o.alias));
      if (c !== 0) return o.descending ? -c : c;
    }
    return 0;
  });
  // an ungrouped aggregate is one row, whatever the parts
  return spec.groups.length === 0 ? rows.slice(0, 1) : rows;
}
