/**
 * The catalog's system tables (sys_tables … INFORMATION_SCHEMA.COLUMNS) as bindable tables: each
 * becomes a `Table` whose rows are served locally, so they join and filter like any table.
 */
import type { Catalog, Column, SqlType, Table } from '../catalog/types.js';
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
