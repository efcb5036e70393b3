/**
 * The Parquet target: one folder per table under the target folder, holding Parquet files and the
 * manifest that names the current ones (parquet-manifest.ts: renaming it is the commit).
 *
 * - A full copy writes the table as one new file and a manifest naming only it.
 * - A batch of changes writes a new file with the batch's rows (created or changed), and rewrites,
 *   without the batch's keys, the files that hold an older version of one of them or a deleted row;
 *   files the batch does not touch stay as they are. So every key is in exactly one listed file.
 * - Compaction: past `MAX_FILES` files, the batch merges them all into one.
 *
 * The work is done by an in-memory DuckDB (its temporary tables hold the rows on their way, spilling
 * to disk when large); readers need nothing but the manifest and a Parquet reader.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { quoteName, targetType } from './column-types.js';
import type { DuckDbSession } from './duckdb-session.js';
import { MANIFEST, readManifest, syncToDisk, writeManifest, type Manifest } from './parquet-manifest.js';
import { targetError } from './sql-session.js';
import type { ChangeBatch, ChangeCounts, CopyWriter, SyncTarget, TableSpec, TableState } from './types.js';
import { valueText } from './value-text.js';

/** more files than this after a batch and the batch compacts them into one */
export const MAX_FILES = 8;

const COPY_TABLE = '_dynasql_copy';
const BATCH_TABLE = '_dynasql_batch';
const DELETED_TABLE = '_dynasql_deleted';
const q = quoteName;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export class ParquetTarget implements SyncTarget {
  readonly description: string;

  constructor(private readonly root: string, private readonly engine: DuckDbSession) {
    this.description = `${root} (Parquet)`;
  }

  private folder(table: string): string {
    return join(this.root, table);
  }

  async readState(table: string): Promise<TableState | undefined> {
    const manifest = readManifest(this.folder(table));
    if (!manifest) return undefined;
    const { run: _run, files: _files, ...state } = manifest;
    return state;
  }

  /** removes what a run cut short left behind: files no manifest names, half-written files */
  private prepareFolder(table: string): Manifest | undefined {
    const folder = this.folder(table);
    mkdirSync(folder, { recursive: true });
    const manifest = readManifest(folder);
    const listed = new Set(manifest?.files ?? []);
    for (const name of readdirSync(folder)) {
      if (name === MANIFEST || listed.has(name)) continue;
      try {
        rmSync(join(folder, name), { force: true });
      } catch (error) {
        targetError(error);
      }
    }
    return manifest;
  }

  /** `read_parquet([...])` of the listed files (a manifest always names one at least) */
  private current(spec: TableSpec, manifest: Manifest): string {
    const files = manifest.files.map((f) => literal(join(this.folder(spec.name), f)));
    return `read_parquet([${files.join(', ')}], union_by_name = true)`;
  }

  /** writes the rows of `select` as `name`, complete on disk before it has its final name */
  private async writeFile(table: string, name: string, select: string): Promise<void> {
    const final = join(this.folder(table), name);
    const temporary = join(this.folder(table), `.${name}.tmp`);
    await this.engine.query(`COPY (${select}) TO ${literal(temporary)} (FORMAT parquet)`);
    try {
      syncToDisk(temporary);
      renameSync(temporary, final);
    } catch (error) {
      targetError(error);
    }
  }

  private commit(table: string, manifest: Manifest, previous: Manifest | undefined): void {
    try {
      writeManifest(this.folder(table), manifest);
    } catch (error) {
      targetError(error);
    }
    const kept = new Set(manifest.files);
    for (const name of previous?.files ?? []) if (!kept.has(name)) rmSync(join(this.folder(table), name), { force: true });
  }

  private async count(sql: string): Promise<number> {
    const [row] = await this.engine.query(sql);
    return Number(row?.n ?? 0);
  }

  private definitions(spec: TableSpec): string {
    return spec.columns.map((c) => `${q(c.name)} ${targetType(c.type, 'duckdb')}`).join(', ');
  }

  private async scratch(name: string, definitions: string): Promise<void> {
    await this.engine.query(`DROP TABLE IF EXISTS ${q(name)}`);
    await this.engine.query(`CREATE TEMP TABLE ${q(name)} (${definitions})`);
  }

  private rowsAsText(spec: TableSpec, rows: readonly Record<string, unknown>[]): (string | null)[][] {
    return rows.map((row) => spec.columns.map((c) => valueText(row[c.name], 'duckdb')));
  }

  /** what a copy changes against the listed files (on the first copy every row is new: nothing to compare) */
  private async copyCounts(spec: TableSpec, previous: Manifest | undefined): Promise<ChangeCounts> {
    const copied = q(COPY_TABLE);
    if (!previous || previous.files.length === 0) return { inserted: await this.count(`SELECT count(*) AS n FROM ${copied}`), updated: 0, deleted: 0 };
    const current = this.current(spec, previous);
    const cols = spec.columns.map((c) => q(c.name)).join(', ');
    const match = spec.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
    const inserted = await this.count(`SELECT count(*) AS n FROM ${copied} s WHERE NOT EXISTS (SELECT 1 FROM ${current} t WHERE ${match})`);
    const deleted = await this.count(`SELECT count(*) AS n FROM ${current} t WHERE NOT EXISTS (SELECT 1 FROM ${copied} s WHERE ${match})`);
    const changed = await this.count(`SELECT count(*) AS n FROM (SELECT ${cols} FROM ${copied} EXCEPT SELECT ${cols} FROM ${current}) d`);
    return { inserted, updated: changed - inserted, deleted };
  }

  async startCopy(spec: TableSpec): Promise<CopyWriter> {
    const previous = this.prepareFolder(spec.name);
    await this.scratch(COPY_TABLE, this.definitions(spec));
    const names = spec.columns.map((c) => c.name);
    const cols = names.map(q).join(', ');
    return {
      append: async (rows) => this.engine.load(COPY_TABLE, names, this.rowsAsText(spec, rows)),
      commit: async (state) => {
        const counts = await this.copyCounts(spec, previous);
        const run = (previous?.run ?? 0) + 1;
        const file = `part-${run}-0.parquet`;
        await this.writeFile(spec.name, file, `SELECT ${cols} FROM ${q(COPY_TABLE)}`);
        this.commit(spec.name, { ...state, run, files: [file] }, previous);
        await this.engine.query(`DROP TABLE IF EXISTS ${q(COPY_TABLE)}`);
        return counts;
      },
      abort: async () => {
        await this.engine.query(`DROP TABLE IF EXISTS ${q(COPY_TABLE)}`).catch(() => undefined);
      },
    };
  }

  async applyChanges(spec: TableSpec, batch: ChangeBatch, state?: TableState): Promise<ChangeCounts> {
    if (spec.key.length !== 1) throw new Error(`applyChanges needs a one-column key; ${spec.name} has ${spec.key.length}`);
    const previous = this.prepareFolder(spec.name);
    if (!previous) throw new Error(`${spec.name} has no Parquet files to apply changes to`);
    const key = q(spec.key[0]!);
    const keyType = targetType(spec.columns.find((c) => c.name === spec.key[0])!.type, 'duckdb');
    await this.scratch(BATCH_TABLE, this.definitions(spec));
    await this.scratch(DELETED_TABLE, `${key} ${keyType}`);
    await this.engine.load(BATCH_TABLE, spec.columns.map((c) => c.name), this.rowsAsText(spec, batch.upserts));
    await this.engine.load(DELETED_TABLE, [spec.key[0]!], batch.deletes.map((k) => [k]));
    const current = this.current(spec, previous);
    const updated = await this.count(`SELECT count(*) AS n FROM ${current} WHERE ${key} IN (SELECT ${key} FROM ${q(BATCH_TABLE)})`);
    const deleted = await this.count(`SELECT count(*) AS n FROM ${current} WHERE ${key} IN (SELECT ${key} FROM ${q(DELETED_TABLE)})`);

    const run = previous.run + 1;
    const cols = spec.columns.map((c) => q(c.name)).join(', ');
    const touched = `(SELECT ${key} FROM ${q(BATCH_TABLE)} UNION ALL SELECT ${key} FROM ${q(DELETED_TABLE)})`;
    let files: string[] = [];
    let written = 0;
    for (const file of previous.files) {
      const path = literal(join(this.folder(spec.name), file));
      if (await this.count(`SELECT count(*) AS n FROM read_parquet(${path}) WHERE ${key} IN ${touched}`) === 0) {
        files.push(file);
        continue;
      }
      const kept = `SELECT * FROM read_parquet(${path}) WHERE ${key} NOT IN ${touched}`;
      if (await this.count(`SELECT count(*) AS n FROM (${kept}) r`) === 0) continue;
      const name = `part-${run}-${++written}.parquet`;
      await this.writeFile(spec.name, name, kept);
      files.push(name);
    }
    if (batch.upserts.length > 0) {
      const name = `part-${run}-0.parquet`;
      await this.writeFile(spec.name, name, `SELECT ${cols} FROM ${q(BATCH_TABLE)}`);
      files.unshift(name);
    }
    if (files.length > MAX_FILES) {
      const merged = `part-${run}-merged.parquet`;
      const listed = files.map((f) => literal(join(this.folder(spec.name), f)));
      await this.writeFile(spec.name, merged, `SELECT * FROM read_parquet([${listed.join(', ')}], union_by_name = true)`);
      files = [merged];
    }
    if (files.length === 0) {
      // every row deleted: an empty file keeps the table's columns for readers
      const name = `part-${run}-0.parquet`;
      await this.writeFile(spec.name, name, `SELECT ${cols} FROM ${q(BATCH_TABLE)} WHERE false`);
      files = [name];
    }
    const { run: _run, files: _files, ...kept } = previous;
    this.commit(spec.name, { ...(state ?? kept), run, files }, previous);
    return { inserted: batch.upserts.length - updated, updated, deleted };
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}
