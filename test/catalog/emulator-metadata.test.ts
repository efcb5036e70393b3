/**
 * End to end: the emulator's Dataverse and F&O `$metadata`, fetched over a real socket with undici,
 * through the CatalogLoader with a real file cache; the second load comes from disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexCatalog } from '../../src/catalog/catalog-index.js';
import { createFileCacheStore } from '../../src/catalog/file-cache-store.js';
import { type CatalogLoadEvent, CatalogLoader, type MetadataSource } from '../../src/catalog/loader.js';
import { type RunningEmulator, startEmulator } from '../../src/emulator/index.js';
import type { Edition } from '../../src/catalog/types.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dynasql-emulator-catalog-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function sourceFor(emulator: RunningEmulator, edition: Edition): MetadataSource & { fetches: number } {
  const source = {
    orgUrl: emulator.origin,
    edition,
    apiVersion: edition === 'dataverse' ? 'v9.2' : 'data',
    fetches: 0,
    async fetchMetadata(signal: AbortSignal) {
      source.fetches++;
      const response = await request(`${emulator.url}$metadata`, { signal });
      expect(response.statusCode).toBe(200);
      return response.body.text();
    },
  };
  return source;
}

describe.each([
  ['dataverse', 'account', ['accountid']],
  ['finops', 'CustomersV3', ['dataAreaId', 'CustomerAccount']],
] as const)('the %s emulator metadata', (edition, tableName, key) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, edition, rows: 5 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('loads over HTTP, then from the disk cache', async () => {
    const store = createFileCacheStore(join(directory, edition));
    const events: CatalogLoadEvent[] = [];
    const source = sourceFor(emulator, edition);
    const catalog = await new CatalogLoader({ store, onEvent: (e) => events.push(e) }).load(source);
    expect(catalog.edition).toBe(edition);
    expect(catalog.warnings).toEqual([]);
    const table = indexCatalog(catalog).requireTable(tableName);
    expect(table.primaryKey).toEqual(key);
    const again = await new CatalogLoader({ store, onEvent: (e) => events.push(e) }).load(source);
    expect(source.fetches).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['fetched', 'disk-hit']);
    expect(indexCatalog(again).requireTable(tableName).columns.map((c) => c.name)).toEqual(table.columns.map((c) => c.name));
  });
});

describe('sharedCatalogLoader', () => {
  it('is one loader per cache folder and TTL, shared by every connection', async () => {
    const { sharedCatalogLoader } = await import('../../src/catalog/shared-loader.js');
    const folder = join(directory, 'shared');
    expect(sharedCatalogLoader({ directory: folder })).toBe(sharedCatalogLoader({ directory: folder }));
    expect(sharedCatalogLoader({ directory: folder, ttlMs: 5 })).not.toBe(sharedCatalogLoader({ directory: folder }));
    expect(sharedCatalogLoader({ directory: false })).toBe(sharedCatalogLoader({ directory: false }));
  });
});
