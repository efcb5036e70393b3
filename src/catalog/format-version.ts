/**
 * Version of the Catalog shape. Bump it whenever parseEdmx would produce different data for the
 * same `$metadata` (a field added, a mapping changed): disk caches of another version are rebuilt.
 */
export const CATALOG_FORMAT_VERSION = 1;
