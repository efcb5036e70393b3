/**
 * A distinct count of text or of a key (a GUID, a lookup) answered from groups, for the parts of an
 * aggregate the service refused whole (split.ts): no ranges of such a column keep each value in one
 * part (the collation's order of text, like a GUID's, is the service's to know), so each part groups
 * by the column instead of counting it, the parts' groups are merged (text equal under the collation
 * is one value, a GUID only equal to itself), and the merged groups of each statement group are
 * counted. The other aggregates of the statement roll up over those groups: counts and sums add up,
 * minimums and maximums take the least and the greatest. The rows read are the parts' groups.
 *
 * `<attribute name="name" alias="a1" aggregate="countcolumn" distinct="true"/>` in each part →
 * `<attribute name="name" alias="a1" groupby="true"/>`; parts answering `a1: 'Contoso'` and
 * `a1: 'CONTOSO '` are one value, and the combined row's `a1` is the number of values.
 */
import { element, type XmlElement } from './xml.js';

export interface DistinctGroup {
  /** the alias of the distinct count, which the parts group by */
  alias: string;
  /** the column counted (logical name), for EXPLAIN */
  attribute: string;
  /** text: values equal under the service's collation are one; otherwise values equal exactly */
  text: boolean;
  /** the aliases that are 0, not null, over no rows (the counts): an ungrouped aggregate is still one row then */
  zeros: string[];
}

/** the aggregate with the distinct count of `group.alias` asked as a group of its column */
export function distinctGroupFetch(fetch: XmlElement, group: DistinctGroup): XmlElement {
  const grouped = (e: XmlElement): XmlElement => (e.name === 'attribute' && e.attributes.alias === group.alias
    ? element('attribute', { name: e.attributes.name, alias: group.alias, groupby: 'true' })
    : e);
  return {
    ...fetch,
    children: fetch.children.map((c) => (c.name === 'entity' ? { ...c, children: c.children.map(grouped) } : c)),
  };
}
