/**
 * Where a connection's catalog comes from: `$metadata` fetched through the connection's executor,
 * kept by the shared catalog loader (catalog/shared-loader.ts) in memory (process-wide) and on disk
 * (the user's cache folder, or `cacheDir`), so a second connection to the same org starts without
 * downloading megabytes of metadata. Loopback services (the emulator, a local test server) are
 * fetched fresh every time unless a `cacheDir` is given: their port and schema change from run to run.
 * `refresh` (the RefreshMetadata procedure) bypasses both caches and replaces them.
 *
 * What users see of it is `userCatalog(...)`: the view their settings ask for, plus the built-in procedures.
 */
import { catalogView, type Catalog } from '../catalog/index.js';
import { sharedCatalogLoader } from '../catalog/shared-loader.js';
import type { ConnectionOptions } from '../config/index.js';
import { DynasqlError } from '../errors/index.js';
import type { Executor } from '../http/index.js';
import { withBuiltinProcedures } from '../procedures/index.js';

async function fetchMetadata(executor: Executor, signal?: AbortSignal): Promise<string> {
  const response = await executor.send({ method: 'GET', url: '$metadata', headers: { accept: 'application/xml' }, ...(signal ? { signal } : {}) });
  return response.text();
}

export interface CatalogLoadOptions {
  refresh?: boolean;
  signal?: AbortSignal;
}

export async function loadCatalog(executor: Executor, options: ConnectionOptions, cacheDir: string | undefined, load: CatalogLoadOptions = {}): Promise<Catalog> {
  const fresh = options.isLoopback && cacheDir === undefined;
  try {
    const loader = sharedCatalogLoader(fresh ? { directory: false } : cacheDir !== undefined ? { directory: cacheDir } : {});
    return await loader.load({
      orgUrl: options.serviceRoot, edition: options.platform, apiVersion: options.platform === 'finops' ? 'data' : `v${options.apiVersion}`,
      fetchMetadata: (signal) => fetchMetadata(executor, signal),
    }, { refresh: fresh || (load.refresh ?? false), ...(load.signal ? { signal: load.signal } : {}) });
  } catch (error) {
    if (error instanceof DynasqlError) throw error;
    throw new DynasqlError('DYNASQL_ERR_METADATA', `The service's $metadata could not be read: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The catalog statements and `conn.catalog()` see: navigation-property columns and the service's
 * actions and functions only when their settings are on (catalogView), the built-in procedures always.
 * Formatted-value columns stay: the binder decides whether `SELECT *` shows them.
 */
export function userCatalog(catalog: Catalog, options: ConnectionOptions): Catalog {
  return withBuiltinProcedures(catalogView(catalog, {
    includeFormattedValues: true,
    includeNavigationProperties: options.includeNavigationProperties,
    useDynamicStoredProcedures: options.useDynamicStoredProcedures,
  }));
}
