import { INVALID_ARGUMENT, ODataError } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import { primaryKeyOf } from '../metadata/model.js';
import type { InstantRange } from '../query/instant-range.js';
import { InstantIndex } from './instant-index.js';
import type { Row } from './row.js';

/**
 * Rows generated on demand from their index, so a million seed accounts cost nothing until read:
 * `idOf(i)` and `indexOf(id)` are inverse, `make(i)` builds row i (always the same for one seed).
 */
export interface LazyRows {
  count: number;
  idOf(index: number): string;
  indexOf(id: string): number; // -1 when the id is not one of these rows
  make(index: number): Row;
}

/**
 * A table: lazy seed rows, overlaid by the rows written since (`overrides`, where `null` marks a
 * deleted seed row), followed by rows inserted since, in insertion order. Scans visit seed rows in
 * index order, then inserted rows, which is the emulator's stable default order for paging.
 */
export class Table {
  readonly primaryKey: string;
  private overrides = new Map<string, Row | null>();
  private inserted = new Map<string, Row>();
  /** the seed rows by `createdon`, built on the first read filtered on a range of it */
  private created?: InstantIndex;

  constructor(
    readonly entity: EntityTypeDef,
    readonly entitySet: string,
    private readonly seed: LazyRows | undefined,
    private readonly journal: () => Journal | undefined,
    private readonly changed: () => void = () => {},
    /** the change tracking log's entry for a write (store/change-log.ts), when the table is tracked */
    private readonly recordChange: (id: string, deleted: boolean) => void = () => {},
  ) {
    this.primaryKey = primaryKeyOf(entity);
  }

  get(id: string): Row | undefined {
    const key = id.toLowerCase();
    const override = this.overrides.get(key);
    if (override !== undefined) return override ?? undefined;
    const inserted = this.inserted.get(key);
    if (inserted) return inserted;
    const index = this.seed ? this.seed.indexOf(key) : -1;
    return index >= 0 ? this.seed!.make(index) : undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * Every row in default order, optionally starting after the row whose key is `afterId`; with
   * `filter`, only the rows it matches. With `created` (the range of `createdon` the filter confines
   * its rows to, query/instant-range.ts), the seed rows come from an index on `createdon` instead of
   * a scan of the table, and where the filter is nothing but that range (`created.exact`), the index's
   * instants decide them without the filter. Rows written since are always visited and filtered.
   */
  *scan(afterId?: string, created?: InstantRange, filter?: (row: Row) => boolean): Generator<Row> {
    const after = afterId?.toLowerCase();
    let start = 0;
    let skipInsertedUntil: string | undefined;
    if (after !== undefined) {
      const index = this.seed ? this.seed.indexOf(after) : -1;
      if (index >= 0) start = index + 1;
      else if (this.inserted.has(after)) {
        start = this.seed?.count ?? 0;
        skipInsertedUntil = after;
      } else start = this.seed?.count ?? 0; // unknown id: nothing of the seed comes after it
    }
    const seed = this.seed;
    const overrides = this.overrides;
    if (seed) {
      const indices = created ? this.seedIndicesIn(seed, created) : undefined;
      if (indices) {
        const index = this.createdIndex(seed);
        const exact = filter && created!.exact && index.exact ? created!.exact : undefined;
        for (let k = firstAtLeast(indices, start); k < indices.length; k++) {
          const i = indices[k]!;
          // a row's id is made only to look for a write over it
          const override = overrides.size === 0 ? undefined : overrides.get(seed.idOf(i));
          if (override === null) continue;
          if (override) {
            if (!filter || filter(override)) yield override;
          } else if (exact) {
            if (exact(index.instantAt(i))) yield seed.make(i);
          } else {
            const row = seed.make(i);
            if (!filter || filter(row)) yield row;
          }
        }
      } else {
        for (let i = start; i < seed.count; i++) {
          const override = overrides.size === 0 ? undefined : overrides.get(seed.idOf(i));
          if (override === null) continue;
          const row = override ?? seed.make(i);
          if (!filter || filter(row)) yield row;
        }
      }
    }
    for (const [id, row] of this.inserted) {
      if (skipInsertedUntil !== undefined) {
        if (id === skipInsertedUntil) skipInsertedUntil = undefined;
        continue;
      }
      if (!filter || filter(row)) yield row;
    }
  }

  /**
   * Every row, for a read ordered by `createdon` that wants its first rows only (as the service seeks
   * its index for `$orderby=createdon&$top=1`): the rows the index does not order (written since, or
   * without a `createdon`) in `unordered`, then the other seed rows by `createdon` in `ordered`, each
   * with its instant in milliseconds. Undefined for a table without seed rows.
   */
  scanByCreated(descending: boolean): { unordered: Iterable<Row>; ordered: Iterable<{ row: Row; at: number }> } | undefined {
    const seed = this.seed;
    if (!seed) return undefined;
    const index = this.createdIndex(seed);
    const { overrides, inserted } = this;
    function* unordered(): Generator<Row> {
      for (const row of overrides.values()) if (row) yield row;
      for (const i of index.undated()) if (overrides.size === 0 || !overrides.has(seed!.idOf(i))) yield seed!.make(i);
      yield* inserted.values();
    }
    function* ordered(): Generator<{ row: Row; at: number }> {
      for (const { index: i, at } of index.inOrder(descending)) if (overrides.size === 0 || !overrides.has(seed!.idOf(i))) yield { row: seed!.make(i), at };
    }
    return { unordered: unordered(), ordered: ordered() };
  }

  private createdIndex(seed: LazyRows): InstantIndex {
    return (this.created ??= InstantIndex.build(seed.count, (i) => seed.make(i).values.createdon));
  }

  /**
   * The seed rows a range of `createdon` may hold, ascending: the index's, and every seed row
   * written since (its `createdon` may have been written). Undefined: scan them all.
   */
  private seedIndicesIn(seed: LazyRows, created: InstantRange): Int32Array | undefined {
    const indices = this.createdIndex(seed).indicesIn(created);
    if (!indices || this.overrides.size === 0) return indices;
    const written = Int32Array.from(this.overrides.keys(), (id) => seed.indexOf(id)).filter((i) => i >= 0).sort();
    const merged = new Int32Array(indices.length + written.length);
    let n = 0;
    for (let a = 0, b = 0; a < indices.length || b < written.length;) {
      const next = b >= written.length || (a < indices.length && indices[a]! <= written[b]!) ? indices[a++]! : written[b++]!;
      if (n === 0 || merged[n - 1] !== next) merged[n++] = next;
    }
    return merged.subarray(0, n);
  }

  insert(row: Row): void {
    this.changed();
    const id = String(row.values[this.primaryKey]).toLowerCase();
    const seeded = this.seed ? this.seed.indexOf(id) >= 0 : false;
    this.recordChange(id, false);
    if (seeded) {
      const previous = this.overrides.get(id);
      this.overrides.set(id, row);
      this.journal()?.push(() => this.restoreOverride(id, previous));
    } else {
      this.inserted.set(id, row);
      this.journal()?.push(() => this.inserted.delete(id));
    }
  }

  update(row: Row): void {
    this.changed();
    const id = String(row.values[this.primaryKey]).toLowerCase();
    this.recordChange(id, false);
    if (this.inserted.has(id)) {
      const previous = this.inserted.get(id)!;
      this.inserted.set(id, row);
      this.journal()?.push(() => this.inserted.set(id, previous));
      return;
    }
    const previous = this.overrides.get(id);
    this.overrides.set(id, row);
    this.journal()?.push(() => this.restoreOverride(id, previous));
  }

  delete(id: string): void {
    this.changed();
    const key = id.toLowerCase();
    this.recordChange(key, true);
    if (this.inserted.has(key)) {
      const previous = this.inserted.get(key)!;
      // Rebuilding keeps insertion order on rollback.
      const before = [...this.inserted.entries()];
      this.inserted.delete(key);
      this.journal()?.push(() => {
        this.inserted = new Map(before);
        void previous;
      });
      return;
    }
    const previous = this.overrides.get(key);
    this.overrides.set(key, null);
    this.journal()?.push(() => this.restoreOverride(key, previous));
  }

  /** Rows in the table (seed count adjusted by deletes and inserts). */
  count(): number {
    let deleted = 0;
    for (const value of this.overrides.values()) if (value === null) deleted++;
    return (this.seed?.count ?? 0) - deleted + this.inserted.size;
  }

  private restoreOverride(id: string, previous: Row | null | undefined) {
    if (previous === undefined) this.overrides.delete(id);
    else this.overrides.set(id, previous);
  }
}

/** the position of the first of the ascending `indices` at or past `index` */
function firstAtLeast(indices: Int32Array, index: number): number {
  let lo = 0;
  let hi = indices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (indices[mid]! < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Undo steps of an open change set, run in reverse on rollback. */
export type Journal = (() => void)[];

/**
 * The entity set of an abstract type (`activitypointers`): a read-only view over the tables of its
 * derived types (tasks, phone calls, e-mails, appointments), so an activity written as a task
 * also appears among the activities. Writes go to the concrete tables.
 */
export class UnionTable extends Table {
  constructor(entity: EntityTypeDef, entitySet: string, private readonly members: () => Table[]) {
    super(entity, entitySet, undefined, () => undefined);
  }

  override get(id: string): Row | undefined {
    for (const table of this.members()) {
      const row = table.get(id);
      if (row) return row;
    }
    return undefined;
  }

  override *scan(afterId?: string, created?: InstantRange, filter?: (row: Row) => boolean): Generator<Row> {
    const members = this.members();
    let start = 0;
    if (afterId !== undefined) {
      start = members.findIndex((t) => t.has(afterId));
      if (start < 0) return;
      yield* members[start]!.scan(afterId, created, filter);
      start++;
    }
    for (const table of members.slice(start)) yield* table.scan(undefined, created, filter);
  }

  override count(): number {
    return this.members().reduce((n, t) => n + t.count(), 0);
  }

  override insert(): void {
    this.refuseWrite();
  }

  override update(): void {
    this.refuseWrite();
  }

  override delete(): void {
    this.refuseWrite();
  }

  private refuseWrite(): never {
    throw new ODataError(400, INVALID_ARGUMENT, `Records of the abstract type '${this.entity.name}' cannot be written; write the concrete activity instead.`);
  }
}
