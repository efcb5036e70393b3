/**
 * Rows of the system tables, computed from a catalog (pass the user's `catalogView`, so hidden
 * columns and procedures stay hidden). The SELECT engine serves them like any table:
 *
 *   SELECT table_name, column_name, data_type FROM sys_tablecolumns WHERE table_name = 'account'
 *   SELECT * FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'contact'
 *
 * `sys_*` column names are snake_case; INFORMATION_SCHEMA keeps the SQL-standard upper-case names
 * that BI tools query. Types are declared so an empty result still has typed columns.
 */
import { formatSqlType } from './sql-types.js';
import type { Catalog, Column, SqlType } from './types.js';

export interface SystemTableColumn {
  name: string;
  sqlType: SqlType;
}

export type SystemRow = Record<string, string | number | boolean | null>;

export interface SystemTable {
  name: string;
  columns: SystemTableColumn[];
  rows: SystemRow[];
}

const text: SqlType = { name: 'nvarchar' };
const int: SqlType = { name: 'int' };
const bit: SqlType = { name: 'bit' };
const cols = (spec: Record<string, SqlType>): SystemTableColumn[] => Object.entries(spec).map(([name, sqlType]) => ({ name, sqlType }));

export const SYSTEM_TABLE_COLUMNS = {
  sys_tables: cols({
    table_name: text,
    entity_set_name: text,
    entity_type: text,
    base_type: text,
    description: text,
    primary_key: text,
    column_count: int,
    is_countable: bit,
    is_searchable: bit,
    skip_supported: bit,
    change_tracking: bit,
  }),
  sys_tablecolumns: cols({
    table_name: text,
    column_name: text,
    ordinal_position: int,
    data_type: text,
    type_name: text,
    max_length: int,
    precision: int,
    scale: int,
    is_nullable: bit,
    is_primary_key: bit,
    is_read_only: bit,
    is_insertable: bit,
    is_updatable: bit,
    column_kind: text,
    odata_name: text,
    edm_type: text,
    source_column: text,
    lookup_targets: text,
    enum_type: text,
    description: text,
  }),
  sys_keycolumns: cols({ table_name: text, key_name: text, key_type: text, column_name: text, ordinal_position: int }),
  sys_foreignkeys: cols({
    foreign_key_name: text,
    relationship_type: text,
    table_name: text,
    column_name: text,
    referenced_table_name: text,
    referenced_column_name: text,
    ordinal_position: int,
    navigation_property: text,
    partner_navigation_property: text,
  }),
  sys_procedures: cols({
    procedure_name: text,
    qualified_name: text,
    procedure_type: text,
    is_bound: bit,
    binding_type: text,
    binding_is_collection: bit,
    is_composable: bit,
    return_type: text,
    returns_collection: bit,
    import_name: text,
    parameter_count: int,
  }),
  sys_procedureparameters: cols({
    procedure_name: text,
    qualified_name: text,
    parameter_name: text,
    ordinal_position: int,
    direction: text,
    data_type: text,
    type_name: text,
    edm_type: text,
    is_collection: bit,
    is_nullable: bit,
    is_binding: bit,
    is_result: bit,
  }),
  'INFORMATION_SCHEMA.TABLES': cols({ TABLE_CATALOG: text, TABLE_SCHEMA: text, TABLE_NAME: text, TABLE_TYPE: text }),
  'INFORMATION_SCHEMA.COLUMNS': cols({
    TABLE_CATALOG: text,
    TABLE_SCHEMA: text,
    TABLE_NAME: text,
    COLUMN_NAME: text,
    ORDINAL_POSITION: int,
    COLUMN_DEFAULT: text,
    IS_NULLABLE: text,
    DATA_TYPE: text,
    CHARACTER_MAXIMUM_LENGTH: int,
    CHARACTER_OCTET_LENGTH: int,
    NUMERIC_PRECISION: int,
    NUMERIC_SCALE: int,
    DATETIME_PRECISION: int,
  }),
} satisfies Record<string, SystemTableColumn[]>;

export type SystemTableName = keyof typeof SYSTEM_TABLE_COLUMNS;
export const SYSTEM_TABLE_NAMES = Object.keys(SYSTEM_TABLE_COLUMNS) as SystemTableName[];

export interface SystemTableOptions {
  /** TABLE_CATALOG in INFORMATION_SCHEMA (the org's name, say); default 'dynasql' */
  catalogName?: string;
  /** TABLE_SCHEMA; default 'dbo' as on the Dataverse TDS endpoint */
  schemaName?: string;
}

const CHARACTER_TYPES = new Set(['nvarchar', 'varchar', 'nchar', 'char']);
const NUMERIC_TYPES: Record<string, number> = { tinyint: 3, smallint: 5, int: 10, bigint: 19, real: 24, float: 53, money: 19, bit: 1 };

function characterLength(type: SqlType): number | null {
  if (CHARACTER_TYPES.has(type.name) || type.name === 'varbinary') return type.length ?? -1;
  return null;
}

function numericPrecision(type: SqlType): number | null {
  if (type.name === 'decimal') return type.precision ?? 38;
  return NUMERIC_TYPES[type.name] ?? null;
}

function numericScale(type: SqlType): number | null {
  if (type.name === 'decimal' || type.name === 'money') return type.scale ?? 0;
  return type.name in NUMERIC_TYPES && type.name !== 'real' && type.name !== 'float' ? 0 : null;
}

function columnRow(tableName: string, column: Column, position: number): SystemRow {
  return {
    table_name: tableName,
    column_name: column.name,
    ordinal_position: position,
    data_type: column.sqlType.name,
    type_name: formatSqlType(column.sqlType),
    max_length: characterLength(column.sqlType),
    precision: numericPrecision(column.sqlType),
    scale: numericScale(column.sqlType),
    is_nullable: column.nullable,
    is_primary_key: column.isPrimaryKey,
    is_read_only: column.readOnly,
    is_insertable: column.insertable,
    is_updatable: column.updatable,
    column_kind: column.kind,
    odata_name: column.odataName,
    edm_type: column.edmType,
    source_column: column.sourceColumn ?? null,
    lookup_targets: column.lookupTargets ? [...new Set(column.lookupTargets.map((t) => t.table))].join(',') : null,
    enum_type: column.enumType ?? null,
    description: column.description ?? null,
  };
}

function rowsOf(catalog: Catalog, name: SystemTableName, options: SystemTableOptions): SystemRow[] {
  const catalogName = options.catalogName ?? 'dynasql';
  const schemaName = options.schemaName ?? 'dbo';
  switch (name) {
    case 'sys_tables':
      return catalog.tables.map((t) => ({
        table_name: t.name,
        entity_set_name: t.entitySetName,
        entity_type: t.entityType,
        base_type: t.baseType ?? null,
        description: t.description ?? null,
        primary_key: t.primaryKey.join(','),
        column_count: t.columns.length,
        is_countable: t.capabilities.countable ?? null,
        is_searchable: t.capabilities.searchable ?? null,
        skip_supported: t.capabilities.skipSupported ?? null,
        change_tracking: t.capabilities.changeTracking ?? null,
      }));
    case 'sys_tablecolumns':
      return catalog.tables.flatMap((t) => t.columns.map((c, i) => columnRow(t.name, c, i + 1)));
    case 'sys_keycolumns':
      return catalog.tables.flatMap((t) => [
        ...t.primaryKey.map((column, i) => ({ table_name: t.name, key_name: `PK_${t.name}`, key_type: 'PRIMARY KEY', column_name: column, ordinal_position: i + 1 })),
        ...t.alternateKeys.flatMap((key) =>
          key.columns.map((column, i) => ({ table_name: t.name, key_name: key.name, key_type: 'ALTERNATE KEY', column_name: column, ordinal_position: i + 1 })),
        ),
      ]);
    case 'sys_foreignkeys':
      // One row per column pair; many-to-many relationships (no columns) get one row with nulls.
      return catalog.tables.flatMap((t) =>
        t.relationships.flatMap((r): SystemRow[] => {
          const base = {
            foreign_key_name: `${r.navigation}:${r.toTable}`,
            relationship_type: r.kind,
            table_name: r.fromTable,
            referenced_table_name: r.toTable,
            navigation_property: r.navigation,
            partner_navigation_property: r.partner ?? null,
          };
          if (r.fromColumns.length === 0) return [{ ...base, column_name: null, referenced_column_name: null, ordinal_position: 1 }];
          return r.fromColumns.map((column, i) => ({ ...base, column_name: column, referenced_column_name: r.toColumns[i] ?? null, ordinal_position: i + 1 }));
        }),
      );
    case 'sys_procedures':
      return catalog.procedures.map((p) => ({
        procedure_name: p.name,
        qualified_name: p.qualifiedName,
        procedure_type: p.kind === 'action' ? 'ACTION' : 'FUNCTION',
        is_bound: p.bound,
        binding_type: p.bindingType ?? null,
        binding_is_collection: p.bindingIsCollection ?? null,
        is_composable: p.isComposable,
        return_type: p.returnType?.edmType ?? null,
        returns_collection: p.returnType?.isCollection ?? null,
        import_name: p.importName ?? null,
        parameter_count: p.parameters.length,
      }));
    case 'sys_procedureparameters':
      return catalog.procedures.flatMap((p) => {
        const rows: SystemRow[] = p.parameters.map((parameter, i) => ({
          procedure_name: p.name,
          qualified_name: p.qualifiedName,
          parameter_name: parameter.name,
          ordinal_position: i + 1,
          direction: 'IN',
          data_type: parameter.sqlType.name,
          type_name: formatSqlType(parameter.sqlType),
          edm_type: parameter.edmType,
          is_collection: parameter.isCollection,
          is_nullable: parameter.nullable,
          is_binding: parameter.isBinding,
          is_result: false,
        }));
        // The result, as SQL Server's INFORMATION_SCHEMA.PARAMETERS shows a function's: position 0, OUT.
        if (p.returnType) {
          rows.unshift({
            procedure_name: p.name,
            qualified_name: p.qualifiedName,
            parameter_name: '',
            ordinal_position: 0,
            direction: 'OUT',
            data_type: null,
            type_name: null,
            edm_type: p.returnType.edmType,
            is_collection: p.returnType.isCollection,
            is_nullable: p.returnType.nullable,
            is_binding: false,
            is_result: true,
          });
        }
        return rows;
      });
    case 'INFORMATION_SCHEMA.TABLES':
      return catalog.tables.map((t) => ({ TABLE_CATALOG: catalogName, TABLE_SCHEMA: schemaName, TABLE_NAME: t.name, TABLE_TYPE: 'BASE TABLE' }));
    case 'INFORMATION_SCHEMA.COLUMNS':
      return catalog.tables.flatMap((t) =>
        t.columns.map((c, i) => {
          const length = characterLength(c.sqlType);
          return {
            TABLE_CATALOG: catalogName,
            TABLE_SCHEMA: schemaName,
            TABLE_NAME: t.name,
            COLUMN_NAME: c.name,
            ORDINAL_POSITION: i + 1,
            COLUMN_DEFAULT: null,
            IS_NULLABLE: c.nullable ? 'YES' : 'NO',
            DATA_TYPE: c.sqlType.name,
            CHARACTER_MAXIMUM_LENGTH: length,
            CHARACTER_OCTET_LENGTH: length === null ? null : length < 0 ? -1 : c.sqlType.name.startsWith('n') ? length * 2 : length,
            NUMERIC_PRECISION: numericPrecision(c.sqlType),
            NUMERIC_SCALE: numericScale(c.sqlType),
            DATETIME_PRECISION: c.sqlType.name === 'datetime2' || c.sqlType.name === 'time' ? (c.sqlType.precision ?? 7) : c.sqlType.name === 'date' ? 0 : null,
          };
        }),
      );
  }
}

/**
 * A system table's declared columns and rows: `systemTable(view, 'sys_tables')`.
 * Name matching is case-insensitive (`information_schema.columns` works).
 */
export function systemTable(catalog: Catalog, name: string, options: SystemTableOptions = {}): SystemTable | undefined {
  const canonical = SYSTEM_TABLE_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
  if (!canonical) return undefined;
  return { name: canonical, columns: SYSTEM_TABLE_COLUMNS[canonical], rows: rowsOf(catalog, canonical, options) };
}
