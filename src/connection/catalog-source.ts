/**
 * Where a connection's catalog comes from: `$metadata` fetched once through the connection's
 * executor, kept by the catalog loader in memory (process-wide) and on disk (the user's cache folder,
 * or `cacheDir`), so a second connection to the same org starts without downloading megabytes of
 * metadata. Loopback services (the emulator, a local test server) are fetched fresh every time unless
 * a `cacheDir` is given: their port and schema change from run to run.
 */
import { CatalogLoader, parseEdmx, type Catalog } from '../catalog/index.js';
import { createFileCacheStore, defaultCacheDirectory } from '../catalog/file-cache-store.js';
import type { ConnectionOptions } from '../config/index.js';
import { DynasqlError } from '../errors/index.js';
import type { Executor } from '../http/index.js';

const loaders = new Map<string, CatalogLoader>();

function loaderFor(directory: string): CatalogLoader {
  let loader = loaders.get(directory);
  if (!loader) loaders.set(directory, (loader = new CatalogLoader({ store: createFileCacheStore(directory) })));
  return loader;
}

async function fetchMetadata(executor: Executor, signal?: AbortSignal): Promise<string> {
  const response = await executor.send({ method: 'GET', url: '$metadata', headers: { accept: 'application/xml' }, ...(signal ? { signal } : {}) });
  return response.text();
}

export async function loadCatalog(executor: Executor, options: ConnectionOptions, cacheDir: string | undefined): Promise<Catalog> {
  try {
    if (options.isLoopback && cacheDir === undefined) return parseEdmx(await fetchMetadata(executor), { edition: options.platform });
    return await loaderFor(cacheDir ?? defaultCacheDirectory()).load({
      orgUrl: options.serviceRoot, edition: options.platform, apiVersion: options.platform === 'finops' ? 'data' : `v${options.apiVersion}`,
      fetchMetadata: (signal) => fetchMetadata(executor, signal),
    });
  } catch (error) {
    if (error instanceof DynasqlError) throw error;
    throw new DynasqlError('DYNASQL_ERR_METADATA', `The service's $metadata could not be read: ${(error as Error).message}`, { cause: error });
  }
}
