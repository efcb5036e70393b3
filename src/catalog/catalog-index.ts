/**
 * Fast, case-insensitive name resolution over a catalog, with "did you mean" errors:
 * `index.requireTable('acount')` → DYNASQL_ERR_UNKNOWN_TABLE "Unknown table 'acount'. Did you mean 'account'?".
 * Tables resolve by logical name or entity-set name (`account`, `accounts`); procedures by name,
 * import name or qualified name, overloads (same name, different binding) together.
 */
import { DynasqlError, closestName } from '../errors/index.js';
import type { Catalog, Column, Procedure, Table } from './types.js';

export interface CatalogIndex {
  readonly catalog: Catalog;
  table(name: string): Table | undefined;
  requireTable(name: string): Table;
  /** the table an entity type is exposed as (`Microsoft.Dynamics.CRM.account` → account) */
  tableOfEntityType(qualifiedName: string): Table | undefined;
  column(table: Table, name: string): Column | undefined;
  requireColumn(table: Table, name: string): Column;
  /** every overload of that name (empty when unknown) */
  procedures(name: string): Procedure[];
  requireProcedures(name: string): Procedure[];
}

const indexes = new WeakMap<Catalog, CatalogIndex>();

function didYouMean(name: string, candidates: Iterable<string>): string {
  const guess = closestName(name, candidates);
  return guess ? ` Did you mean '${guess}'?` : '';
}

export function indexCatalog(catalog: Catalog): CatalogIndex {
  const existing = indexes.get(catalog);
  if (existing) return existing;
  const tables = new Map<string, Table>();
  const byEntityType = new Map<string, Table>();
  for (const table of catalog.tables) {
    tables.set(table.name.toLowerCase(), table);
    if (!byEntityType.has(table.entityType)) byEntityType.set(table.entityType, table);
  }
  // Entity-set names are aliases: they never shadow a logical name (`activitypointer` vs a set of that name).
  for (const table of catalog.tables) {
    const alias = table.entitySetName.toLowerCase();
    if (!tables.has(alias)) tables.set(alias, table);
  }
  const procedures = new Map<string, Procedure[]>();
  const addProcedure = (name: string | undefined, procedure: Procedure) => {
    if (!name) return;
    const list = procedures.get(name.toLowerCase()) ?? [];
    if (!list.includes(procedure)) list.push(procedure);
    procedures.set(name.toLowerCase(), list);
  };
  for (const procedure of catalog.procedures) {
    addProcedure(procedure.name, procedure);
    addProcedure(procedure.importName, procedure);
    addProcedure(procedure.qualifiedName, procedure);
  }
  const columns = new WeakMap<Table, Map<string, Column>>();
  const columnsOf = (table: Table) => {
    let map = columns.get(table);
    if (!map) {
      map = new Map(table.columns.map((c) => [c.name.toLowerCase(), c]));
      columns.set(table, map);
    }
    return map;
  };

  const index: CatalogIndex = {
    catalog,
    table: (name) => tables.get(name.toLowerCase()),
    requireTable(name) {
      const table = tables.get(name.toLowerCase());
      if (table) return table;
      // T-SQL's #name is a temporary table, which the library does not keep (the Postgres adapter has them)
      const hint = name.startsWith('#') ? ` Temporary tables (${name}) are not kept by the library or the REPL: use a CTE or a derived table.` : didYouMean(name, catalog.tables.map((t) => t.name));
      throw new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', `Unknown table '${name}'.${hint}`, { details: { name } });
    },
    tableOfEntityType: (qualifiedName) => byEntityType.get(qualifiedName),
    column: (table, name) => columnsOf(table).get(name.toLowerCase()),
    requireColumn(table, name) {
      const column = columnsOf(table).get(name.toLowerCase());
      if (column) return column;
      const hint = didYouMean(name, table.columns.map((c) => c.name));
      throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', `Unknown column '${name}' in table '${table.name}'.${hint}`, { details: { name } });
    },
    procedures: (name) => procedures.get(name.toLowerCase()) ?? [],
    requireProcedures(name) {
      const found = procedures.get(name.toLowerCase());
      if (found) return found;
      const hint = didYouMean(name, new Set(catalog.procedures.map((p) => p.name)));
      throw new DynasqlError('DYNASQL_ERR_UNKNOWN_PROCEDURE', `Unknown procedure '${name}'.${hint}`);
    },
  };
  indexes.set(catalog, index);
  return index;
}
