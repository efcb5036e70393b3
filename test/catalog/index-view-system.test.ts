/** Name resolution with "did you mean", the user's view of a catalog, and the system tables. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexCatalog } from '../../src/catalog/catalog-index.js';
import { catalogView } from '../../src/catalog/catalog-view.js';
import { parseEdmx } from '../../src/catalog/parse-edmx.js';
import { SYSTEM_TABLE_COLUMNS, SYSTEM_TABLE_NAMES, systemTable } from '../../src/catalog/system-tables.js';
import { DynasqlError } from '../../src/errors/index.js';

const catalog = parseEdmx(readFileSync(resolve(import.meta.dirname, '../fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml'), 'utf8'));
const finops = parseEdmx(readFileSync(resolve(import.meta.dirname, 'fixtures/finops-small.xml'), 'utf8'));

function thrown(action: () => unknown): DynasqlError {
  try {
    action();
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('indexCatalog', () => {
  const index = indexCatalog(catalog);

  it('resolves tables by logical name or entity set, in any case', () => {
    expect(index.table('account')?.name).toBe('account');
    expect(index.table('ACCOUNTS')?.name).toBe('account');
    expect(index.table('ActivityPointers')?.name).toBe('activitypointer');
    expect(index.table('opportunities')?.name).toBe('opportunity');
    expect(index.table('nothing')).toBeUndefined();
    expect(index.tableOfEntityType('Microsoft.Dynamics.CRM.contact')?.name).toBe('contact');
    expect(indexCatalog(catalog)).toBe(index);
  });

  it('says "did you mean" for unknown tables, columns and procedures', () => {
    const table = thrown(() => index.requireTable('acount'));
    expect(table).toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_TABLE', message: "Unknown table 'acount'. Did you mean 'account'?" });
    const account = index.requireTable('account');
    expect(index.requireColumn(account, 'Name').name).toBe('name');
    expect(index.column(account, 'primarycontactidname')?.kind).toBe('lookupName');
    expect(thrown(() => index.requireColumn(account, 'revenu'))).toMatchObject({
      code: 'DYNASQL_ERR_UNKNOWN_COLUMN',
      message: "Unknown column 'revenu' in table 'account'. Did you mean 'revenue'?",
    });
    expect(thrown(() => index.requireProcedures('WhoAmIx'))).toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_PROCEDURE', message: "Unknown procedure 'WhoAmIx'. Did you mean 'WhoAmI'?" });
    expect(thrown(() => index.requireTable('zzzzzzzzzzzz')).message).toBe("Unknown table 'zzzzzzzzzzzz'.");
  });

  it('resolves procedures by name, import name and qualified name', () => {
    expect(index.procedures('whoami').map((p) => p.qualifiedName)).toEqual(['Microsoft.Dynamics.CRM.WhoAmI']);
    expect(index.procedures('Microsoft.Dynamics.CRM.WinOpportunity')).toHaveLength(1);
    expect(index.procedures('nope')).toEqual([]);
  });
});

describe('catalogView', () => {
  it('hides navigation columns and procedures by default, keeps formatted-value columns', () => {
    const view = catalogView(catalog);
    const account = indexCatalog(view).requireTable('account');
    expect(account.columns.some((c) => c.kind === 'navigation')).toBe(false);
    expect(account.columns.some((c) => c.name === 'industrycodename')).toBe(true);
    expect(view.procedures).toEqual([]);
    expect(catalogView(catalog)).toBe(view);
    expect(catalog.tables.find((t) => t.name === 'account')!.columns.some((c) => c.kind === 'navigation')).toBe(true);
  });

  it('applies each setting', () => {
    const bare = indexCatalog(catalogView(catalog, { includeFormattedValues: false })).requireTable('contact');
    expect(bare.columns.some((c) => ['lookupName', 'lookupType', 'choiceLabel'].includes(c.kind))).toBe(false);
    const withProcedures = catalogView(catalog, { useDynamicStoredProcedures: true });
    expect(withProcedures.procedures.length).toBe(catalog.procedures.filter((p) => !p.isQueryFunction).length);
    expect(withProcedures.procedures.some((p) => p.name === 'In')).toBe(false);
    const withNavigation = indexCatalog(catalogView(catalog, { includeNavigationProperties: true })).requireTable('contact');
    expect(withNavigation.columns.find((c) => c.name === 'parentcustomerid_account')?.kind).toBe('navigation');
  });
});

describe('system tables', () => {
  const view = catalogView(catalog, { useDynamicStoredProcedures: true });

  it('declare their columns, and every row has exactly those columns', () => {
    for (const name of SYSTEM_TABLE_NAMES) {
      const table = systemTable(view, name)!;
      expect(table.columns).toBe(SYSTEM_TABLE_COLUMNS[name]);
      const names = table.columns.map((c) => c.name).sort();
      expect(table.rows.length, name).toBeGreaterThan(0);
      for (const row of table.rows.slice(0, 50)) expect(Object.keys(row).sort()).toEqual(names);
    }
    expect(systemTable(view, 'information_schema.columns')?.name).toBe('INFORMATION_SCHEMA.COLUMNS');
    expect(systemTable(view, 'sys_nothing')).toBeUndefined();
  });

  it('sys_tables and INFORMATION_SCHEMA.TABLES list every table', () => {
    const rows = systemTable(view, 'sys_tables')!.rows;
    expect(rows).toHaveLength(catalog.tables.length);
    expect(rows.find((r) => r.table_name === 'account')).toMatchObject({ entity_set_name: 'accounts', primary_key: 'accountid', skip_supported: false });
    const tables = systemTable(view, 'INFORMATION_SCHEMA.TABLES', { catalogName: 'contoso' })!.rows;
    expect(tables.find((r) => r.TABLE_NAME === 'contact')).toEqual({ TABLE_CATALOG: 'contoso', TABLE_SCHEMA: 'dbo', TABLE_NAME: 'contact', TABLE_TYPE: 'BASE TABLE' });
  });

  it('sys_tablecolumns and INFORMATION_SCHEMA.COLUMNS describe columns like SQL Server would', () => {
    const columns = systemTable(view, 'sys_tablecolumns')!.rows.filter((r) => r.table_name === 'account');
    expect(columns).toHaveLength(view.tables.find((t) => t.name === 'account')!.columns.length);
    expect(columns.find((r) => r.column_name === 'parentcustomerid')).toBeUndefined();
    expect(columns.find((r) => r.column_name === 'ownerid')).toMatchObject({ data_type: 'uniqueidentifier', column_kind: 'lookup', lookup_targets: 'systemuser,team', odata_name: '_ownerid_value' });
    expect(columns.find((r) => r.column_name === 'revenue')).toMatchObject({ type_name: 'money', precision: 19, scale: 4 });
    expect(columns.find((r) => r.column_name === 'name')).toMatchObject({ type_name: 'nvarchar(max)', max_length: -1 });
    const info = systemTable(finops, 'INFORMATION_SCHEMA.COLUMNS')!.rows.filter((r) => r.TABLE_NAME === 'CustomersV3');
    expect(info[0]).toMatchObject({ COLUMN_NAME: 'dataAreaId', ORDINAL_POSITION: 1, IS_NULLABLE: 'NO', DATA_TYPE: 'nvarchar', CHARACTER_MAXIMUM_LENGTH: 4, CHARACTER_OCTET_LENGTH: 8 });
    expect(info.find((r) => r.COLUMN_NAME === 'CreditLimit')).toMatchObject({ DATA_TYPE: 'decimal', NUMERIC_PRECISION: 32, NUMERIC_SCALE: 6, CHARACTER_MAXIMUM_LENGTH: null });
    expect(info.find((r) => r.COLUMN_NAME === 'ModifiedDateTime')).toMatchObject({ DATA_TYPE: 'datetime2', DATETIME_PRECISION: 7 });
  });

  it('sys_keycolumns and sys_foreignkeys', () => {
    const keys = systemTable(finops, 'sys_keycolumns')!.rows.filter((r) => r.table_name === 'SalesOrderLines');
    expect(keys).toEqual([
      { table_name: 'SalesOrderLines', key_name: 'PK_SalesOrderLines', key_type: 'PRIMARY KEY', column_name: 'dataAreaId', ordinal_position: 1 },
      { table_name: 'SalesOrderLines', key_name: 'PK_SalesOrderLines', key_type: 'PRIMARY KEY', column_name: 'InventoryLotId', ordinal_position: 2 },
    ]);
    const fks = systemTable(finops, 'sys_foreignkeys')!.rows.filter((r) => r.table_name === 'SalesOrderLines');
    expect(fks.map((r) => [r.relationship_type, r.column_name, r.referenced_table_name, r.referenced_column_name, r.ordinal_position])).toEqual([
      ['many-to-one', 'dataAreaId', 'SalesOrderHeadersV2', 'dataAreaId', 1],
      ['many-to-one', 'SalesOrderNumber', 'SalesOrderHeadersV2', 'SalesOrderNumber', 2],
    ]);
    const nn = systemTable(view, 'sys_foreignkeys')!.rows.find((r) => r.navigation_property === 'accountleads_association' && r.table_name === 'account');
    expect(nn).toMatchObject({ relationship_type: 'many-to-many', column_name: null, referenced_table_name: 'lead' });
  });

  it('sys_procedures and sys_procedureparameters list every visible procedure with its parameters and result', () => {
    const procedures = systemTable(view, 'sys_procedures')!.rows;
    expect(procedures).toHaveLength(view.procedures.length);
    expect(procedures.find((r) => r.procedure_name === 'WinOpportunity')).toMatchObject({ procedure_type: 'ACTION', is_bound: false, parameter_count: 2, import_name: 'WinOpportunity' });
    const parameters = systemTable(view, 'sys_procedureparameters')!.rows.filter((r) => r.procedure_name === 'RetrieveUserQueues');
    expect(parameters.map((r) => [r.ordinal_position, r.parameter_name, r.direction, r.is_binding, r.is_result])).toEqual([
      [0, '', 'OUT', false, true],
      [1, 'entity', 'IN', true, false],
      [2, 'IncludePublic', 'IN', false, false],
    ]);
    expect(parameters[0]).toMatchObject({ edm_type: 'Microsoft.Dynamics.CRM.queue', is_collection: true });
    const total = systemTable(view, 'sys_procedureparameters')!.rows.filter((r) => !r.is_result).length;
    expect(total).toBe(view.procedures.reduce((n, p) => n + p.parameters.length, 0));
    expect(systemTable(catalogView(catalog), 'sys_procedures')!.rows).toEqual([]);
  });
});
