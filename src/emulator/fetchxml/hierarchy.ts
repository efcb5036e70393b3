import type { EntityTypeDef } from '../metadata/model.js';
import type { QueryScope } from '../query/scope.js';
import { invalidFetch } from './errors.js';

/**
 * The ids a hierarchy operator matches (FetchXML doc §1.2): `under`/`eq-or-under` the record's
 * descendants, `above`/`eq-or-above` its ancestors, through the table's hierarchical lookup. The
 * emulator takes that lookup to be `parent<table>id` (account → parentaccountid), else the only
 * lookup to the table itself; the metadata's hierarchical-relationship flag is not read.
 */
export function hierarchyIds(scope: QueryScope, entity: EntityTypeDef, op: string, id: string): Set<string> {
  const parentColumn = hierarchyLookup(entity);
  const parentOf = new Map<string, string>();
  const childrenOf = new Map<string, string[]>();
  const key = entity.key[0]!;
  for (const row of scope.store.table(entity.name)!.scan()) {
    const self = String(row.values[key]).toLowerCase();
    const parent = row.values[parentColumn];
    if (typeof parent !== 'string') continue;
    parentOf.set(self, parent.toLowerCase());
    const list = childrenOf.get(parent.toLowerCase());
    if (list) list.push(self);
    else childrenOf.set(parent.toLowerCase(), [self]);
  }
  const start = id.toLowerCase();
  const out = new Set<string>();
  if (op.startsWith('eq-or-') || op === 'not-under') out.add(start);
  if (op.endsWith('under')) {
    const queue = [start];
    while (queue.length) {
      for (const child of childrenOf.get(queue.pop()!) ?? []) {
        if (out.has(child) && child !== start) continue;
        if (child === start) continue; // a cycle back to the record itself
        out.add(child);
        queue.push(child);
      }
    }
  } else {
    // Bounded by the table's size, so a cycle in the data cannot loop forever.
    let at = parentOf.get(start);
    for (let steps = 0; at !== undefined && at !== start && steps <= parentOf.size; steps++) {
      out.add(at);
      at = parentOf.get(at);
    }
  }
  return out;
}

function hierarchyLookup(entity: EntityTypeDef): string {
  const conventional = `_parent${entity.name}id_value`;
  if (entity.lookups.get(conventional)?.some((n) => n.target === entity.name)) return conventional;
  const own = [...entity.lookups].filter(([, navs]) => navs.some((n) => n.target === entity.name));
  if (own.length === 1) return own[0]![0];
  throw invalidFetch(`the table '${entity.name}' has no hierarchical relationship the emulator knows.`);
}
