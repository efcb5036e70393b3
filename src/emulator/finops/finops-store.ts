import type { Row } from '../store/row.js';
import type { FinopsEntity } from './finops-schema.js';
import type { FinopsSeedSet } from './finops-seed.js';

/**
 * The identity of a record under a composite key: the key values in key order, lower-cased
 * (F&O compares keys case-insensitively, like its SQL collation), joined with a separator that
 * cannot occur in them. `usmf` + `US-001` → "usmf\u0000us-001".
 */
export const keyString = (entity: FinopsEntity, values: Record<string, unknown>) =>
  entity.key.map((k) => String(values[k] ?? '').toLowerCase()).join('\u0000');

/**
 * One F&O entity set: lazily made seed rows, overlaid by the writes since start. Unlike Dataverse
 * tables (one GUID key), F&O records are named by composite keys such as (dataAreaId, CustomerAccount).
 * Scans visit seed rows in index order, then inserted rows, the stable default order for `$skip` paging.
 */
export class FinopsTable {
  private overrides = new Map<string, Row | null>(); // by seed key string; null = deleted
  private inserted = new Map<string, Row>();
  private seedIndex: Map<string, number> | undefined;

  constructor(readonly entity: FinopsEntity, private readonly seed: FinopsSeedSet | undefined, private readonly nextVersion: () => number) {}

  get(key: string): Row | undefined {
    const override = this.overrides.get(key);
    if (override !== undefined) return override ?? undefined;
    const inserted = this.inserted.get(key);
    if (inserted) return inserted;
    const index = this.indexOfSeed(key);
    return index === undefined ? undefined : this.makeSeed(index);
  }

  *scan(): Generator<Row> {
    const count = this.seed?.count ?? 0;
    for (let i = 0; i < count; i++) {
      const row = this.makeSeed(i);
      const override = this.overrides.get(keyString(this.entity, row.values));
      if (override === null) continue;
      yield override ?? row;
    }
    yield* this.inserted.values();
  }

  insert(values: Record<string, unknown>): Row {
    const key = keyString(this.entity, values);
    const row: Row = { values, lookupTypes: {}, version: this.nextVersion() };
    if (this.indexOfSeed(key) !== undefined) this.overrides.set(key, row);
    else this.inserted.set(key, row);
    return row;
  }

  update(key: string, values: Record<string, unknown>): Row {
    const row: Row = { values, lookupTypes: {}, version: this.nextVersion() };
    if (this.inserted.has(key)) this.inserted.set(key, row);
    else this.overrides.set(key, row);
    return row;
  }

  delete(key: string): void {
    if (this.inserted.delete(key)) return;
    this.overrides.set(key, null);
  }

  /** Captures the writes so far; the returned function puts them back ($batch change-set rollback). */
  snapshot(): () => void {
    const overrides = new Map(this.overrides);
    const inserted = new Map(this.inserted);
    return () => {
      this.overrides = overrides;
      this.inserted = inserted;
    };
  }

  private makeSeed(index: number): Row {
    return { values: this.seed!.make(index), lookupTypes: {}, version: 1000 + index };
  }

  /** Seed keys are indexed on first use (one pass over the seed), not at start. */
  private indexOfSeed(key: string): number | undefined {
    if (!this.seed) return undefined;
    if (!this.seedIndex) {
      this.seedIndex = new Map();
      for (let i = 0; i < this.seed.count; i++) this.seedIndex.set(keyString(this.entity, this.seed.make(i)), i);
    }
    return this.seedIndex.get(key);
  }
}

/** All F&O tables of one emulator; `reset()` restores the seed. */
export class FinopsStore {
  readonly tables = new Map<string, FinopsTable>();
  private version = 5_000_000;

  constructor(entities: FinopsEntity[], private readonly seed: () => Map<string, FinopsSeedSet>) {
    this.build(entities);
  }

  table(set: string): FinopsTable | undefined {
    return this.tables.get(set);
  }

  /** Runs `work`; if it throws, every table is put back as it was (a $batch change set is atomic). */
  atomically<T>(work: () => T): T {
    const restores = [...this.tables.values()].map((t) => t.snapshot());
    try {
      return work();
    } catch (error) {
      for (const restore of restores) restore();
      throw error;
    }
  }

  reset(): void {
    this.build([...this.tables.values()].map((t) => t.entity));
  }

  private build(entities: FinopsEntity[]): void {
    const seeds = this.seed();
    for (const entity of entities) this.tables.set(entity.set, new FinopsTable(entity, seeds.get(entity.set), () => ++this.version));
  }
}
