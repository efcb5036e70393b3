/**
 * What users see of a catalog under the connection's settings. `parseEdmx` keeps everything once;
 * the view drops what a setting turns off:
 * - `includeFormattedValues` (default on): the `xname` / `xtype` virtual columns of lookups and choices;
 * - `includeNavigationProperties` (default off): navigation properties as columns;
 * - `useDynamicStoredProcedures` (default off): actions and functions as procedures. Query functions
 *   (`In`, `LastXDays` ...) are never procedures: they exist only inside `$filter`.
 * Views are memoised per catalog and settings, so asking again is free, and a view's columns are
 * filtered when first read, so a view of a cached 1,500-table org costs only the tables used.
 */
import { defineLazy } from './lazy-property.js';
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
    tables: catalog.tables.map((source): Table => {
      // Copy every field but the columns without reading them; columns are filtered on first use.
      const table = {} as Table;
      for (const key of Object.keys(source) as (keyof Table)[]) {
        if (key === 'columns') continue;
        const descriptor = Object.getOwnPropertyDescriptor(source, key)!;
        if (descriptor.get) defineLazy(table, key, () => source[key]);
        else Object.defineProperty(table, key, descriptor);
      }
      defineLazy(table, 'columns', () => source.columns.filter(keep));
      return table;
    }),
    procedures: procedures ? catalog.procedures.filter((p) => !p.isQueryFunction) : [],
  };
  cache.set(key, view);
  return view;
}
