import type { EdmModel, EntityTypeDef } from '../metadata/model.js';
import { Associations, type ManyToMany, manyToManyRelationships, type SeedAssociations } from './associations.js';
import type { ChangeLog } from './change-log.js';
import type { Row } from './row.js';
import { Journal, LazyRows, Table, UnionTable } from './table.js';

/**
 * All tables of one emulator, plus the version counter behind `@odata.etag` and the journal that
 * lets a $batch change set roll back as a whole.
 */
export class Store {
  readonly tables = new Map<string, Table>(); // by entity type logical name
  private journal: Journal | undefined;
  private nextVersion: number;
  /** Counts writes (rollbacks included), so cached query results know when they are stale. */
  generation = 0;
  /**
   * Sorted results of recent ordered queries, keyed by the query and `generation`: paging an
   * ordered query re-asks the same query for every page, and must see the same order.
   */
  readonly orderedResults = new Map<string, Row[]>();
  /** Children of each parent per one-to-many navigation, keyed by `generation|entity/navigation`. */
  readonly childIndexes = new Map<string, Map<string, Row[]>>();
  /** The intersect tables of the many-to-many relationships (`accountleads_association`, ...). */
  readonly associations: Associations;
  private readonly relationships: ManyToMany[];

  constructor(
    readonly model: EdmModel, seed: Map<string, LazyRows>, seedAssociations: SeedAssociations = new Map(), firstVersion = 10_000_000,
    /** where the writes of change-tracked tables are logged (their entity set's ChangeTracking annotation) */
    readonly changes?: ChangeLog,
  ) {
    this.nextVersion = firstVersion;
    this.associations = new Associations(seedAssociations, () => this.journal, () => {
      this.generation++;
    });
    this.relationships = manyToManyRelationships(model);
    for (const [setName, entity] of model.entitySets) {
      if (this.tables.has(entity.name)) continue;
      if (entity.abstract) {
        this.tables.set(entity.name, new UnionTable(entity, setName, () => this.tablesOfType(entity.name).filter((t) => t.entity !== entity)));
        continue;
      }
      const changes = this.changes;
      const record = changes && model.changeTracked.has(setName) ? (id: string, deleted: boolean) => changes.record(entity.name, id, deleted, this.journal) : undefined;
      this.tables.set(entity.name, new Table(entity, setName, seed.get(entity.name), () => this.journal, () => {
        this.generation++;
      }, record));
    }
  }

  table(logicalName: string): Table | undefined {
    return this.tables.get(logicalName);
  }

  /** Tables whose type is `type` or derives from it: `principal` → systemuser, team. */
  tablesOfType(type: string): Table[] {
    const result: Table[] = [];
    for (const table of this.tables.values()) {
      let t: EntityTypeDef | undefined = table.entity;
      while (t) {
        if (t.name === type) {
          result.push(table);
          break;
        }
        t = t.baseType ? this.model.entityTypes.get(t.baseType) : undefined;
      }
    }
    return result;
  }

  /** Finds a record of `type` (or a derived type) by id: `{ table, row }`. */
  find(type: string, id: string) {
    for (const table of this.tablesOfType(type)) {
      const row = table.get(id);
      if (row) return { table, row };
    }
    return undefined;
  }

  /**
   * Deletes a record and the many-to-many pairs it takes part in (the service deletes the
   * intersect rows with it): `DELETE leads(<id>)` also unlinks it from `accountleads_association`.
   */
  deleteRecord(table: Table, id: string): void {
    this.atomically(() => {
      table.delete(id); // first: a table that refuses deletes (activitypointers) leaves the pairs alone
      const types = new Set<string>();
      for (let t: EntityTypeDef | undefined = table.entity; t; t = t.baseType ? this.model.entityTypes.get(t.baseType) : undefined) types.add(t.name);
      for (const rel of this.relationships) {
        for (const side of [0, 1] as const) {
          if (types.has(rel.ends[side]) && (side === 0 || !rel.symmetric)) this.associations.removeAllOf({ ...rel, side }, id);
        }
      }
    });
  }

  bumpVersion(): number {
    return ++this.nextVersion;
  }

  /** Runs `work` atomically: if it throws, every write it made is undone. */
  atomically<T>(work: () => T): T {
    if (this.journal) return work();
    const journal: Journal = [];
    this.journal = journal;
    try {
      const result = work();
      this.journal = undefined;
      return result;
    } catch (error) {
      this.journal = undefined;
      for (const undo of journal.reverse()) undo();
      this.generation++;
      throw error;
    }
  }
}
