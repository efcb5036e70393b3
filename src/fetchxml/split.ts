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

/** the parts' group rows as one answer: rows of equal group values merged, then ordered */
export function combineParts(parts: Record<string, JsonValue>[][], spec: SplitSpec): Record<string, JsonValue>[] {
  const text = new Set(spec.textGroups);
  const groupKey = (row: Record<string, JsonValue>, g: string) => {
    const v = row[g];
    if (isNull(v)) return null;
    return text.has(g) ? collationKey(String(v)) : numberText(v);
  };
  const merged = new Map<string, Record<string, JsonValue>>();
  for (const rows of parts) {
    for (const row of rows) {
      const key = JSON.stringify(spec.groups.map((g) => groupKey(row, g)));
      const into = merged.get(key);
      if (!into) {
        merged.set(key, { ...row });
        continue;
      }
      for (const { alias, combine } of spec.aggregates) {
        const a = into[alias];
        const b = row[alias];
        if (isNull(b)) continue;
        if (isNull(a)) into[alias] = b;
        else if (combine === 'sum') into[alias] = new JsonNumberText(addNumberTexts(numberText(a), numberText(b)));
        else if ((combine === 'min') === (compare(b, a) < 0)) into[alias] = b;
      }
    }
  }
  const rows = [...merged.values()];
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
