export type * from './types.js';
export { parseEdmx, type ParseEdmxOptions } from './parse-edmx.js';
export { CATALOG_FORMAT_VERSION } from './format-version.js';
export { catalogView, type CatalogViewOptions } from './catalog-view.js';
export { indexCatalog, type CatalogIndex } from './catalog-index.js';
export { formatSqlType, sqlTypeOfPrimitive } from './sql-types.js';
export {
  systemTable,
  SYSTEM_TABLE_COLUMNS,
  SYSTEM_TABLE_NAMES,
  type SystemTable,
  type SystemTableColumn,
  type SystemTableName,
  type SystemRow,
  type SystemTableOptions,
} from './system-tables.js';
export { encodeCatalogFile, decodeCatalogFile, type DecodeResult } from './catalog-codec.js';
export { type CacheStore, createMemoryCacheStore } from './cache-store.js';
export {
  CatalogLoader,
  catalogCacheKey,
  DEFAULT_CATALOG_TTL_MS,
  type CatalogLoaderOptions,
  type CatalogLoadEvent,
  type LoadOptions,
  type MetadataSource,
} from './loader.js';
export { hasLabelColumn, looksLikeChoice, mayBeMultiSelect } from './dataverse-conventions.js';
