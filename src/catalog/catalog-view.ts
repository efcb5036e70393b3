/**
 * What users see of a catalog under the connection's settings. `parseEdmx` keeps everything once;
 * the view drops what a setting turns off:
 * - `includeFormattedValues` (default on): the `xname` / `xtype` virtual columns of lookups and choices;
 * - `includeNavigationProperties` (default off): navigation properties as columns;
 * - `useDynamicStoredProcedures` (default off): actions and functions as procedures. Query functions
 *   (`In`, `LastXDays` ...) are never procedures: they exist only inside `$filter`.
 * Views are memoised per catalog and settings, so asking again is free.
 */
import type { Catalog, Column, Table } from './types.js';

export interface CatalogViewOptions {
  includeFormattedValues?: boolean;
  includeNavigationProperties?: boolean;
  useDynamicStoredProcedures?: boolean;
}

const views = new WeakMap<Catalog, Map<string, Catalog>>();

const VIRTUAL_KINDS = new Set<Column['kind']>(['lookupName', 'lookupType', 'choiceLabel']);

export function catalogView(catalog: Catalog, options: CatalogViewOptions = {}): Catalog {
  const formatted = options.includeFormattedValues ?? true;
  const navigation = options.includeNavigationProperties ?? false;
  const procedures = options.useDynamicStoredProcedures ?? false;
  const key = `${+formatted}${+navigation}${+procedures}`;
  let cache = views.get(catalog);
  if (!cache) {
    cache = new Map();
    views.set(catalog, cache);
  }
  const cached = cache.get(key);
  if (cached) return cached;
  const keep = (column: Column) => (column.kind === 'navigation' ? navigation : VIRTUAL_KINDS.has(column.kind) ? formatted : true);
  const view: Catalog = {
    ...catalog,
    tables: catalog.tables.map((table): Table => ({ ...table, columns: table.columns.filter(keep) })),
    procedures: procedures ? catalog.procedures.filter((p) => !p.isQueryFunction) : [],
  };
  cache.set(key, view);
  return view;
}
