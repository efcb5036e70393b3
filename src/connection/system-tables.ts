/**
 * The catalog's system tables (sys_tables … INFORMATION_SCHEMA.COLUMNS) as bindable tables: each
 * becomes a `Table` whose rows are served locally, so they join and filter like any table.
 */
import type { Catalog, Column, SqlType, Table } from '../catalog/types.js';
import type { LocalTables } from './types.js';
import { SYSTEM_TABLE_COLUMNS, SYSTEM_TABLE_NAMES, systemTable, type SystemTable } from '../catalog/index.js';

const EDM_FOR_SQL: Record<string, string> = { nvarchar: 'Edm.String', int: 'Edm.Int32', bit: 'Edm.Boolean', bigint: 'Edm.Int64' };

function column(name: string, sqlType: SqlType): Column {
  return {
    name, odataName: name, kind: 'data', edmType: EDM_FOR_SQL[sqlType.name] ?? 'Edm.String', sqlType, nullable: true,
    readOnly: true, insertable: false, updatable: false, isPrimaryKey: false,
  };
}

export interface SystemTables {
  tables: Table[];
  rows(name: string): SystemTable['rows'];
}

/** the merged list per caller's list, kept so that plans over the same local tables are reused (plan/plan-cache.ts) */
const mergedLists = new WeakMap<readonly Table[], { base: readonly Table[]; tables: readonly Table[] }>();

/**
 * The system tables with a caller's own tables (QueryOptions.localTables) after them: the binder looks
 * a name up there before the catalog, and the later of two equal names wins, so a local table named
 * `account` hides the Dynamics table.
 */
export function withLocalTables(system: SystemTables, local: LocalTables | undefined): SystemTables {
  if (!local || local.tables.length === 0) return system;
  let merged = mergedLists.get(local.tables);
  if (!merged || merged.base !== system.tables) mergedLists.set(local.tables, (merged = { base: system.tables, tables: [...system.tables, ...local.tables] }));
  const names = new Set(local.tables.map((t) => t.name.toLowerCase()));
  return {
    tables: merged.tables as Table[],
    rows: (name) => (names.has(name.toLowerCase()) ? (local.rows(name) as SystemTable['rows']) : system.rows(name)),
  };
}

export function systemTables(catalog: Catalog): SystemTables {
  const cache = new Map<string, SystemTable>();
  const get = (name: string): SystemTable => {
    let table = cache.get(name);
    if (!table) {
      table = systemTable(catalog, name);
      if (!table) throw new Error(`no system table ${name}`);
      cache.set(name, table);
    }
    return table;
  };
  const tables: Table[] = SYSTEM_TABLE_NAMES.map((name) => ({
    name, entitySetName: name, entityType: name, primaryKey: [], alternateKeys: [], relationships: [], capabilities: {},
    columns: SYSTEM_TABLE_COLUMNS[name].map((c) => column(c.name, c.sqlType)),
  }));
  return { tables, rows: (name) => get(name).rows };
}
