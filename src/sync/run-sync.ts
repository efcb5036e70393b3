/**
 * One `dynasql sync` pass: the named tables, one after the other, each brought up to date in the
 * target (sync-table.ts). Names are checked against the catalog before anything is read, so a typo
 * costs no request. Tables run in turn, not at the same time: each full copy may use the
 * connection's whole request budget (and its parallel reads) on its own.
 */
import { DynasqlError, closestName } from '../errors/index.js';
import type { Connection, Table } from '../index.js';
import { syncTable, type SyncTableOptions, type TableReport } from './sync-table.js';
import type { SyncTarget } from './types.js';

/** the catalog's tables for the names given (logical or entity-set names, any case) */
export async function resolveTables(conn: Connection, names: readonly string[]): Promise<Table[]> {
  if (names.length === 0) throw new DynasqlError('DYNASQL_ERR_CONFIG', 'Name the tables to sync, as in: dynasql sync --to analytics.duckdb account contact');
  const catalog = await conn.catalog();
  const byName = new Map<string, Table>();
  for (const table of catalog.tables) {
    byName.set(table.name.toLowerCase(), table);
    byName.set(table.entitySetName.toLowerCase(), table);
  }
  const tables: Table[] = [];
  for (const name of names) {
    const table = byName.get(name.toLowerCase());
    if (!table) {
      const suggestion = closestName(name, catalog.tables.map((t) => t.name));
      throw new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', `Unknown table '${name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`);
    }
    if (!tables.includes(table)) tables.push(table);
  }
  return tables;
}

export interface SyncPassOptions extends Omit<SyncTableOptions, 'onProgress'> {
  onProgress?: SyncTableOptions['onProgress'];
  /** called when a table is done */
  onTable?: (report: TableReport) => void;
}

export async function runSyncPass(conn: Connection, tables: readonly Table[], target: SyncTarget, options: SyncPassOptions = {}): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  for (const table of tables) {
    const report = await syncTable(conn, table, target, options);
    options.onTable?.(report);
    reports.push(report);
  }
  return reports;
}
