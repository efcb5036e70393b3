import type { EdmModel, NavigationDef } from '../metadata/model.js';
import type { Journal } from './table.js';

/**
 * A many-to-many relationship as seen from one of its navigations. Dataverse names both
 * navigations after the relationship and partners them with each other (`accountleads_association`
 * on account targets leads, on lead targets accounts), so a pair of records is one row of the
 * intersect table. `ends` are the two entity types in a fixed order (sorted), and a pair is always
 * stored as (id on ends[0], id on ends[1]); `side` says which end the navigation starts from.
 * `symmetric` is a self-referential relationship whose two navigations are one (no direction).
 */
export interface ManyToMany {
  name: string;
  ends: readonly [string, string];
  side: 0 | 1;
  symmetric: boolean;
}

/** The many-to-many relationship behind `nav`, or undefined (single-valued or one-to-many). */
export function manyToManyOf(model: EdmModel, nav: NavigationDef): ManyToMany | undefined {
  if (!nav.collection || !nav.partner) return undefined;
  const partner = model.entityTypes.get(nav.target)?.navigations.get(nav.partner);
  if (!partner?.collection) return undefined;
  const self = partner.target;
  if (self === nav.target) {
    // Self-referential: the end is told by the navigation (`_referencing` vs `_referenced`).
    const side = nav.name <= partner.name ? 0 : 1;
    const name = side === 0 ? `${nav.name}/${partner.name}` : `${partner.name}/${nav.name}`;
    return { name: nav.name === partner.name ? nav.name : name, ends: [self, self], side, symmetric: nav.name === partner.name };
  }
  const ends: [string, string] = self < nav.target ? [self, nav.target] : [nav.target, self];
  const side = ends[0] === self ? 0 : 1;
  // Partners named alike (always in Dataverse) name the relationship; otherwise both names do.
  const name = nav.name === partner.name ? nav.name : side === 0 ? `${nav.name}/${partner.name}` : `${partner.name}/${nav.name}`;
  return { name, ends, side, symmetric: false };
}

/** Every many-to-many relationship of a model, once each (from its first end's navigation). */
export function manyToManyRelationships(model: EdmModel): ManyToMany[] {
  const found = new Map<string, ManyToMany>();
  for (const entity of model.entityTypes.values()) {
    for (const nav of entity.navigations.values()) {
      const m2m = manyToManyOf(model, nav);
      if (m2m && !found.has(m2m.name)) found.set(m2m.name, { ...m2m, side: 0 });
    }
  }
  return [...found.values()];
}

/**
 * Seeded pairs of one relationship, computed from an id on demand (a million accounts cost nothing):
 * `relatedOf(0, accountId)` → the lead ids paired with that account.
 */
export interface SeedPairs {
  relatedOf(side: 0 | 1, id: string): string[];
}

/** Seeded pairs by relationship name (e.g. `accountleads_association`). */
export type SeedAssociations = Map<string, SeedPairs>;

const NO_SEED: SeedPairs = { relatedOf: () => [] };

/**
 * The intersect tables: seeded pairs (lazy, minus the ones removed since) plus pairs added since,
 * in insertion order. Every change is journaled, so a $batch change set rolls it back, and
 * reported through `changed`, so cached query results see it.
 */
export class Associations {
  /** `relationship|side` → id on that side → ids on the other side, added since the seed. */
  private readonly added = new Map<string, Map<string, Set<string>>>();
  /** `relationship|id0|id1` of seeded pairs removed since. */
  private readonly removed = new Set<string>();

  constructor(
    private readonly seed: SeedAssociations,
    private readonly journal: () => Journal | undefined,
    private readonly changed: () => void,
  ) {}

  /** Ids on the other end of `rel` paired with `id` (on `rel.side`): seeded first, then added. */
  related(rel: ManyToMany, id: string): string[] {
    const key = id.toLowerCase();
    const sides: (0 | 1)[] = rel.symmetric ? [0, 1] : [rel.side];
    const result: string[] = [];
    const seen = new Set<string>();
    for (const side of sides) {
      for (const other of this.seed.get(rel.name)?.relatedOf(side, key) ?? NO_SEED.relatedOf(side, key)) {
        const o = other.toLowerCase();
        if (seen.has(o) || this.removed.has(pairKey(rel.name, side, key, o))) continue;
        seen.add(o);
        result.push(o);
      }
      for (const o of this.added.get(`${rel.name}|${side}`)?.get(key) ?? []) {
        if (seen.has(o)) continue;
        seen.add(o);
        result.push(o);
      }
    }
    return result;
  }

  has(rel: ManyToMany, id: string, otherId: string): boolean {
    return this.related(rel, id).includes(otherId.toLowerCase());
  }

  /** Pairs `id` (on `rel.side`) with `otherId`; false when they already were. */
  add(rel: ManyToMany, id: string, otherId: string): boolean {
    const a = id.toLowerCase();
    const b = otherId.toLowerCase();
    if (this.has(rel, a, b)) return false;
    this.changed();
    const removedKey = pairKey(rel.name, rel.side, a, b);
    if (this.removed.has(removedKey)) {
      // A seeded pair removed earlier comes back as seeded.
      this.removed.delete(removedKey);
      this.journal()?.push(() => this.removed.add(removedKey));
      return true;
    }
    this.link(rel.name, rel.side, a, b);
    this.journal()?.push(() => this.unlink(rel.name, rel.side, a, b));
    return true;
  }

  /** Unpairs `id` and `otherId`; false when they were not paired. */
  remove(rel: ManyToMany, id: string, otherId: string): boolean {
    const a = id.toLowerCase();
    const b = otherId.toLowerCase();
    const sides: (0 | 1)[] = rel.symmetric ? [rel.side, rel.side === 0 ? 1 : 0] : [rel.side];
    for (const side of sides) {
      if (this.added.get(`${rel.name}|${side}`)?.get(a)?.has(b)) {
        this.changed();
        this.unlink(rel.name, side, a, b);
        this.journal()?.push(() => this.link(rel.name, side, a, b));
        return true;
      }
      const seeded = this.seed.get(rel.name)?.relatedOf(side, a).some((o) => o.toLowerCase() === b) ?? false;
      const removedKey = pairKey(rel.name, side, a, b);
      if (seeded && !this.removed.has(removedKey)) {
        this.changed();
        this.removed.add(removedKey);
        this.journal()?.push(() => this.removed.delete(removedKey));
        return true;
      }
    }
    return false;
  }

  /** Removes every pair `id` takes part in on `rel.side` (the record is being deleted). */
  removeAllOf(rel: ManyToMany, id: string): void {
    for (const other of this.related(rel, id)) this.remove(rel, id, other);
  }

  private link(name: string, side: 0 | 1, a: string, b: string) {
    this.sideMap(name, side, a).add(b);
    this.sideMap(name, side === 0 ? 1 : 0, b).add(a);
  }

  private unlink(name: string, side: 0 | 1, a: string, b: string) {
    this.added.get(`${name}|${side}`)?.get(a)?.delete(b);
    this.added.get(`${name}|${side === 0 ? 1 : 0}`)?.get(b)?.delete(a);
  }

  private sideMap(name: string, side: 0 | 1, id: string): Set<string> {
    const key = `${name}|${side}`;
    let byId = this.added.get(key);
    if (!byId) this.added.set(key, (byId = new Map()));
    let set = byId.get(id);
    if (!set) byId.set(id, (set = new Set()));
    return set;
  }
}

/** The same key for a pair whichever side it is named from: (id on end 0, id on end 1). */
const pairKey = (name: string, side: 0 | 1, id: string, otherId: string) =>
  side === 0 ? `${name}|${id}|${otherId}` : `${name}|${otherId}|${id}`;
