import { type Formatter, primaryNameOf } from '../http/format.js';
import { sortCompare } from '../query/values.js';
import { type BoundEntity, type BoundFetch, type Column, columnOf, type Tuple } from './bind.js';
import { invalidFetch } from './errors.js';

/** One sort key of a non-aggregate query. */
export interface SortKey {
  from: BoundEntity;
  column: Column;
  descending: boolean;
}

/**
 * The sort keys in the service's order (FetchXML doc §1.1): an `<order entityname>` under the root
 * first, then the root's own orders, then the links' orders; with none, the primary key.
 */
export function sortKeys(bound: BoundFetch): SortKey[] {
  const first: SortKey[] = [];
  const own: SortKey[] = [];
  for (const o of bound.root.node.orders) {
    if (!o.attribute) throw invalidFetch('an <order> of a non-aggregate query needs an attribute.');
    const from = o.entityname !== undefined ? bound.byAlias.get(o.entityname) : bound.root;
    if (!from) throw invalidFetch(`no link-entity has the alias '${o.entityname}'.`);
    (from === bound.root ? own : first).push({ from, column: columnOf(from.entity, o.attribute), descending: o.descending });
  }
  const linked: SortKey[] = [];
  for (const link of bound.joined) {
    for (const o of link.node.orders) {
      if (!o.attribute) throw invalidFetch('an <order> inside a link-entity needs an attribute.');
      linked.push({ from: link, column: columnOf(link.entity, o.attribute), descending: o.descending });
    }
  }
  return [...first, ...own, ...linked];
}

/**
 * Sorts tuples by the keys, then by the root key so pages are stable. Lookups sort by the related
 * row's primary name, choices by their label unless `useraworderby` (FetchXML doc §1.8). Each
 * tuple's sort values are read once, not at every comparison.
 */
export function sortTuples(formatter: Formatter, keys: SortKey[], rootKey: string, rawChoices: boolean, tuples: Tuple[]): Tuple[] {
  const extractors = keys.map((k) => sortValue(formatter, k, rawChoices));
  const decorated = tuples.map((t) => ({ t, values: extractors.map((e) => e(t)), id: String(t['']?.values[rootKey] ?? '') }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = sortCompare(a.values[i], b.values[i]);
      if (c !== 0) return keys[i]!.descending ? -c : c;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return decorated.map((d) => d.t);
}

function sortValue(formatter: Formatter, key: SortKey, rawChoices: boolean): (t: Tuple) => unknown {
  const name = key.column.property.name;
  const alias = key.from.alias;
  const labels = formatter.choices[key.from.entity.name]?.[name];
  if (key.column.lookup) {
    return (t) => {
      const row = t[alias];
      const id = row?.values[name];
      if (typeof id !== 'string') return null;
      const target = formatter.store.find(row!.lookupTypes[name] ?? key.from.entity.lookups.get(name)![0]!.target, id);
      const primary = target && primaryNameOf(target.table.entity);
      return primary ? target.row.values[primary] ?? null : null;
    };
  }
  if (labels && !rawChoices) {
    return (t) => {
      const value = t[alias]?.values[name];
      return typeof value === 'number' ? labels[value] ?? String(value) : value ?? null;
    };
  }
  return (t) => t[alias]?.values[name] ?? null;
}
