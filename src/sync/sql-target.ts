/**
 * The sync's SQL, shared by the DuckDB file and PostgreSQL targets (over a SqlSession). Each table
 * keeps its Dynamics name; the state of every table is a row of `_dynasql_sync`.
 *
 * - A full copy fills a temporary table (gone if the process dies), then one transaction replaces the
 *   table's rows by it and writes the state: readers see the old rows or the new ones, never a mix,
 *   and a copy interrupted anywhere leaves the last complete state (so no row deleted in Dynamics
 *   meanwhile can survive a restarted copy). The table is emptied and refilled rather than dropped and
 *   renamed, so views over it keep working.
 * - A batch of changes is loaded into a temporary table, then one transaction deletes the rows with
 *   the batch's keys and inserts the batch's rows (and writes the state with the last batch).
 *   Replaying a batch gives the same rows, so a run cut short after some batches simply starts again
 *   from the stored token.
 */
import { quoteName, targetType } from './column-types.js';
import type { SqlSession } from './sql-session.js';
import type { ChangeBatch, ChangeCounts, CopyWriter, SyncTarget, TableSpec, TableState } from './types.js';
import { valueText } from './value-text.js';

export const STATE_TABLE = '_dynasql_sync';
const COPY_TABLE = '_dynasql_copy';
const BATCH_TABLE = '_dynasql_batch';
const DELETED_TABLE = '_dynasql_deleted';

const q = quoteName;

export class SqlTarget implements SyncTarget {
  private stateReady = false;

  constructor(readonly description: string, private readonly session: SqlSession) {}

  private get text(): string {
    return this.session.dialect === 'duckdb' ? 'VARCHAR' : 'text';
  }

  private async ensureStateTable(): Promise<void> {
    if (this.stateReady) return;
    await this.session.query(
      `CREATE TABLE IF NOT EXISTS ${q(STATE_TABLE)} (table_name ${this.text} PRIMARY KEY, method ${this.text} NOT NULL, token ${this.text}, columns ${this.text} NOT NULL, synced_at ${this.text} NOT NULL)`,
    );
    this.stateReady = true;
  }

  async readState(table: string): Promise<TableState | undefined> {
    await this.ensureStateTable();
    const [row] = await this.session.query(`SELECT method, token, columns, synced_at FROM ${q(STATE_TABLE)} WHERE table_name = $1`, [table]);
    if (!row) return undefined;
    return {
      table,
      method: row.method as TableState['method'],
      ...(row.token !== null && row.token !== undefined ? { token: String(row.token) } : {}),
      columns: JSON.parse(String(row.columns)) as string[],
      syncedAt: String(row.synced_at),
    };
  }

  private async writeState(state: TableState): Promise<void> {
    await this.session.query(`DELETE FROM ${q(STATE_TABLE)} WHERE table_name = $1`, [state.table]);
    await this.session.query(`INSERT INTO ${q(STATE_TABLE)} (table_name, method, token, columns, synced_at) VALUES ($1, $2, $3, $4, $5)`, [
      state.table, state.method, state.token ?? null, JSON.stringify(state.columns), state.syncedAt,
    ]);
  }

  private columnList(spec: TableSpec): string {
    return spec.columns.map((c) => q(c.name)).join(', ');
  }

  private columnDefinitions(spec: TableSpec): string {
    return spec.columns.map((c) => `${q(c.name)} ${targetType(c.type, this.session.dialect)}`).join(', ');
  }

  private async createScratch(name: string, definitions: string): Promise<void> {
    await this.session.query(`DROP TABLE IF EXISTS ${q(name)}`);
    await this.session.query(`CREATE TEMP TABLE ${q(name)} (${definitions})`);
  }

  /**
   * The table with every column of `spec`: created, or given the columns it lacks (a column added in
   * Dynamics since the last run). Columns Dynamics no longer has stay, unfilled.
   */
  private async ensureTable(spec: TableSpec): Promise<void> {
    // PostgreSQL gets the primary key (its index serves the key lookups of each batch); in DuckDB a
    // key is checked too eagerly to delete and re-insert a key in one transaction, and the batch
    // deletes by key before inserting anyway
    const key = this.session.dialect === 'postgres' && spec.key.length > 0 ? `, PRIMARY KEY (${spec.key.map(q).join(', ')})` : '';
    await this.session.query(`CREATE TABLE IF NOT EXISTS ${q(spec.name)} (${this.columnDefinitions(spec)}${key})`);
    const existing = new Set(
      (await this.session.query(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
        [spec.name],
      )).map((r) => String(r.column_name)),
    );
    for (const column of spec.columns) {
      if (!existing.has(column.name)) await this.session.query(`ALTER TABLE ${q(spec.name)} ADD COLUMN ${q(column.name)} ${targetType(column.type, this.session.dialect)}`);
    }
  }

  private rowsAsText(spec: TableSpec, rows: readonly Record<string, unknown>[]): (string | null)[][] {
    return rows.map((row) => spec.columns.map((c) => valueText(row[c.name], this.session.dialect)));
  }

  private keyMatch(left: string, right: string, spec: TableSpec): string {
    return spec.key.map((k) => `${left}.${q(k)} = ${right}.${q(k)}`).join(' AND ');
  }

  private async count(sql: string): Promise<number> {
    const [row] = await this.session.query(sql);
    return Number(row?.n ?? 0);
  }

  private async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.session.query('BEGIN');
    try {
      const result = await work();
      await this.session.query('COMMIT');
      return result;
    } catch (error) {
      await this.session.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async startCopy(spec: TableSpec): Promise<CopyWriter> {
    await this.ensureStateTable();
    await this.createScratch(COPY_TABLE, this.columnDefinitions(spec));
    const names = spec.columns.map((c) => c.name);
    const table = q(spec.name);
    const copy = q(COPY_TABLE);
    return {
      append: async (rows) => this.session.load(COPY_TABLE, names, this.rowsAsText(spec, rows)),
      commit: async (state) => {
        const counts = await this.transaction(async () => {
          await this.ensureTable(spec);
          const cols = this.columnList(spec);
          let counts: ChangeCounts;
          if (await this.count(`SELECT count(*) AS n FROM (SELECT 1 FROM ${table} LIMIT 1) t`) === 0) {
            // the first copy: every row is new, nothing to compare
            counts = { inserted: await this.count(`SELECT count(*) AS n FROM ${copy}`), updated: 0, deleted: 0 };
          } else {
            const inserted = await this.count(`SELECT count(*) AS n FROM ${copy} s WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${this.keyMatch('t', 's', spec)})`);
            const deleted = await this.count(`SELECT count(*) AS n FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM ${copy} s WHERE ${this.keyMatch('t', 's', spec)})`);
            const changed = await this.count(`SELECT count(*) AS n FROM (SELECT ${cols} FROM ${copy} EXCEPT SELECT ${cols} FROM ${table}) d`);
            counts = { inserted, updated: changed - inserted, deleted };
          }
          await this.session.query(`DELETE FROM ${table}`);
          await this.session.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${copy}`);
          await this.writeState(state);
          return counts;
        });
        await this.session.query(`DROP TABLE IF EXISTS ${copy}`);
        return counts;
      },
      abort: async () => {
        await this.session.query(`DROP TABLE IF EXISTS ${copy}`).catch(() => undefined);
      },
    };
  }

  async applyChanges(spec: TableSpec, batch: ChangeBatch, state?: TableState): Promise<ChangeCounts> {
    if (spec.key.length !== 1) throw new Error(`applyChanges needs a one-column key; ${spec.name} has ${spec.key.length}`);
    const key = spec.key[0]!;
    const keyType = targetType(spec.columns.find((c) => c.name === key)!.type, this.session.dialect);
    await this.createScratch(BATCH_TABLE, this.columnDefinitions(spec));
    await this.createScratch(DELETED_TABLE, `${q(key)} ${keyType}`);
    await this.session.load(BATCH_TABLE, spec.columns.map((c) => c.name), this.rowsAsText(spec, batch.upserts));
    await this.session.load(DELETED_TABLE, [key], batch.deletes.map((k) => [k]));
    const table = q(spec.name);
    const k = q(key);
    return this.transaction(async () => {
      await this.ensureTable(spec);
      const cols = this.columnList(spec);
      const updated = await this.count(`SELECT count(*) AS n FROM ${table} WHERE ${k} IN (SELECT ${k} FROM ${q(BATCH_TABLE)})`);
      const deleted = await this.count(`SELECT count(*) AS n FROM ${table} WHERE ${k} IN (SELECT ${k} FROM ${q(DELETED_TABLE)})`);
      await this.session.query(`DELETE FROM ${table} WHERE ${k} IN (SELECT ${k} FROM ${q(BATCH_TABLE)} UNION ALL SELECT ${k} FROM ${q(DELETED_TABLE)})`);
      await this.session.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${q(BATCH_TABLE)}`);
      if (state) await this.writeState(state);
      return { inserted: batch.upserts.length - updated, updated, deleted };
    });
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
