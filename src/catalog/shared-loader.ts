/**
 * The one call the connection layer makes to get an org's catalog, with the production edges
 * wired in: a process-wide CatalogLoader (so connections to the same org share one catalog and
 * one `$metadata` fetch) over the file cache in the user's cache folder.
 *
 *   const catalog = await sharedCatalogLoader().load({
 *     orgUrl, edition, apiVersion,
 *     fetchMetadata: async (signal) => (await executor.send({ method: 'GET', url: '$metadata', signal })).text(),
 *   }, { refresh: options.refreshMetadata });
 *
 * Like file-cache-store.ts this touches the disk, so it is not exported from catalog/index.ts.
 */
import { CatalogLoader, DEFAULT_CATALOG_TTL_MS } from './loader.js';
import { createFileCacheStore, defaultCacheDirectory } from './file-cache-store.js';

export interface SharedLoaderOptions {
  /** cache folder; `false` for no disk cache; default: the user's cache folder */
  directory?: string | false;
  ttlMs?: number;
}

const loaders = new Map<string, CatalogLoader>();

export function sharedCatalogLoader(options: SharedLoaderOptions = {}): CatalogLoader {
  const directory = options.directory === false ? false : (options.directory ?? defaultCacheDirectory());
  const ttlMs = options.ttlMs ?? DEFAULT_CATALOG_TTL_MS;
  const key = `${directory === false ? '' : directory}|${ttlMs}`;
  let loader = loaders.get(key);
  if (!loader) {
    // Without a disk cache (a loopback emulator's catalog is fetched afresh on every connect), the last two
    // texts parsed are kept: a process connecting to emulator after emulator (a test suite: hundreds) parses
    // the built-in schema once, not ~80 ms of CPU each time.
    loader = new CatalogLoader({ ttlMs, ...(directory === false ? { keepParsed: 2 } : { store: createFileCacheStore(directory) }) });
    loaders.set(key, loader);
  }
  return loader;
}
