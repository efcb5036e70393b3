/**
 * The disk-cache codec and the loader: exact round trip, every kind of bad file rejected and
 * rebuilt, the second load served from disk (a real directory), concurrent loads merged,
 * refresh, TTL and cancellation.
 */
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCatalogFile, encodeCatalogFile } from '../../src/catalog/catalog-codec.js';
import { createMemoryCacheStore } from '../../src/catalog/cache-store.js';
import { catalogView } from '../../src/catalog/catalog-view.js';
import { createFileCacheStore, defaultCacheDirectory } from '../../src/catalog/file-cache-store.js';
import { type CatalogLoadEvent, CatalogLoader, type MetadataSource, catalogCacheKey } from '../../src/catalog/loader.js';
import { parseEdmx } from '../../src/catalog/parse-edmx.js';
import { DynasqlError } from '../../src/errors/index.js';
import type { Clock } from '../../src/util/index.js';
import { ACCOUNT_TYPE, edmx } from './edmx-builder.js';

const realXml = readFileSync(resolve(import.meta.dirname, '../fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml'), 'utf8');
const finopsXml = readFileSync(resolve(import.meta.dirname, 'fixtures/finops-small.xml'), 'utf8');
/** The real fixture parsed once for the codec tests (parsing is the slow part). */
let parsedReal: ReturnType<typeof parseEdmx> | undefined;
const realCatalog = () => (parsedReal ??= parseEdmx(realXml));
const smallXml = edmx({ types: ACCOUNT_TYPE, container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>' });

/** JSON form, so objects compare by value regardless of how they were built. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

function manualClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, sleep: async () => {}, advance: (ms) => (now += ms) };
}

function source(xml = smallXml, overrides: Partial<MetadataSource> = {}): MetadataSource & { calls: number } {
  const s = {
    orgUrl: 'https://contoso.crm.dynamics.com',
    edition: 'dataverse' as const,
    apiVersion: 'v9.2',
    calls: 0,
    fetchMetadata: async () => {
      s.calls++;
      return xml;
    },
    ...overrides,
  };
  return s;
}

describe('catalog codec', () => {
  it('round-trips the real fixture and the F&O fixture exactly', () => {
    for (const catalog of [realCatalog(), parseEdmx(finopsXml)]) {
      const decoded = decodeCatalogFile(encodeCatalogFile(catalog, 'k', 123), 'k');
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      expect(decoded.createdAt).toBe(123);
      // isDeepStrictEqual is much cheaper than toEqual on 15,000 columns; toEqual only to show a difference
      const [got, want] = [plain(decoded.catalog), plain(catalog)];
      if (!isDeepStrictEqual(got, want)) expect(got).toEqual(want);
    }
  });

  it('decodes a table only when its columns are first read, and then it is plain data', () => {
    const decoded = decodeCatalogFile(encodeCatalogFile(realCatalog(), 'k', 0), 'k');
    if (!decoded.ok) throw new Error(decoded.reason);
    const [first, second] = decoded.catalog.tables;
    expect(Object.getOwnPropertyDescriptor(first!, 'columns')?.get).toBeTypeOf('function');
    expect(first!.columns.length).toBeGreaterThan(0);
    expect(Object.getOwnPropertyDescriptor(first!, 'columns')).toMatchObject({ writable: true, enumerable: true });
    expect(Object.getOwnPropertyDescriptor(first!, 'relationships')).toMatchObject({ writable: true });
    expect(Object.getOwnPropertyDescriptor(second!, 'columns')?.get).toBeTypeOf('function');
    expect(() => {
      (first!.columns[0]!.sqlType as { name: string }).name = 'x';
    }).toThrow(TypeError);
    const view = catalogView(decoded.catalog, { includeNavigationProperties: true });
    const account = view.tables.find((t) => t.name === 'account')!;
    expect(Object.getOwnPropertyDescriptor(account, 'columns')?.get).toBeTypeOf('function');
    expect(account.columns.length).toBe(decoded.catalog.tables.find((t) => t.name === 'account')!.columns.length);
    expect(account.relationships.length).toBeGreaterThan(50);
  });

  it('is much smaller than plain JSON', () => {
    const catalog = realCatalog();
    expect(encodeCatalogFile(catalog, 'k', 0).length).toBeLessThan(JSON.stringify(catalog).length / 2);
  });

  it('rejects every kind of bad file with a reason', () => {
    const good = Buffer.from(encodeCatalogFile(parseEdmx(smallXml), 'k', 0));
    const newline = good.indexOf(10);
    const header = JSON.parse(good.subarray(0, newline).toString());
    const withHeader = (changes: object) => Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, ...changes })}\n`), good.subarray(newline + 1)]);
    const flipped = Buffer.from(good);
    flipped[newline + 20] = flipped[newline + 20]! ^ 1;
    const cases: [Uint8Array, RegExp][] = [
      [Buffer.alloc(0), /no header/],
      [Buffer.from('garbage without newline'), /no header/],
      [Buffer.from('not json\n{}'), /header is not JSON/],
      [withHeader({ magic: 'other' }), /not a dynasql catalog/],
      [withHeader({ formatVersion: 0 }), /format version 0/],
      [withHeader({ key: 'other' }), /does not match/],
      [good.subarray(0, good.length - 10), /truncated/],
      [flipped, /checksum/],
      [Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, length: 2, crc32: crc32(Buffer.from('{x')) })}\n`), Buffer.from('{x')]), /does not decode/],
      [Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, length: 2, crc32: crc32(Buffer.from('{}')) })}\n`), Buffer.from('{}')]), /wrong shape|does not decode/],
    ];
    for (const [bytes, reason] of cases) {
      const result = decodeCatalogFile(bytes, 'k');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
  });
});

describe('CatalogLoader', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dynasql-catalog-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keys by normalised org URL, edition and API version', () => {
    const key = catalogCacheKey({ orgUrl: 'https://Contoso.CRM.dynamics.com/', edition: 'dataverse', apiVersion: 'V9.2' });
    expect(key).toBe('https://contoso.crm.dynamics.com|dataverse|v9.2|f1');
    expect(catalogCacheKey({ orgUrl: 'https://contoso.crm.dynamics.com', edition: 'dataverse', apiVersion: 'v9.1' })).not.toBe(key);
  });

  it('uses the user cache folder', () => {
    expect(defaultCacheDirectory({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u')).toBe('/x/cache/dynasql');
    expect(defaultCacheDirectory({}, 'linux', '/home/u')).toBe('/home/u/.cache/dynasql');
    expect(defaultCacheDirectory({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u')).toContain('dynasql');
  });

  it('serves the second load from the disk cache, in a new loader (a new process)', async () => {
    const store = createFileCacheStore(join(directory, 'second-load'));
    const events: CatalogLoadEvent[] = [];
    const first = source(finopsXml, { edition: 'finops', apiVersion: 'data' });
    const catalog = await new CatalogLoader({ store, onEvent: (e) => events.push(e) }).load(first);
    expect(first.calls).toBe(1);
    // the fresh catalog is already the compact, lazily decoded form a later start gets
    expect(Object.getOwnPropertyDescriptor(catalog.tables[1]!, 'columns')?.get).toBeTypeOf('function');
    expect(await readdir(store.directory)).toHaveLength(1);
    if (process.platform !== 'win32') expect((await stat(store.pathOf(catalogCacheKey(first)))).mode & 0o777).toBe(0o600);
    const second = source(finopsXml, { edition: 'finops', apiVersion: 'data' });
    const again = await new CatalogLoader({ store, onEvent: (e) => events.push(e) }).load(second);
    expect(second.calls).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['fetched', 'disk-hit']);
    expect(plain(again)).toEqual(plain(catalog));
  });

  it('rebuilds a corrupt cache file instead of trusting it, and rewrites it', async () => {
    const store = createFileCacheStore(join(directory, 'corrupt'));
    const s = source();
    await new CatalogLoader({ store }).load(s);
    const path = store.pathOf(catalogCacheKey(s));
    const bytes = await readFile(path);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await writeFile(path, bytes);
    const events: CatalogLoadEvent[] = [];
    const catalog = await new CatalogLoader({ store, onEvent: (e) => events.push(e) }).load(s);
    expect(catalog.tables[0]!.name).toBe('account');
    expect(s.calls).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['disk-rejected', 'fetched']);
    expect(events[0]).toMatchObject({ reason: 'checksum mismatch' });
    await writeFile(path, (await readFile(path)).subarray(0, 100));
    await new CatalogLoader({ store }).load(s);
    expect(s.calls).toBe(3);
    const healed = decodeCatalogFile(await readFile(path), catalogCacheKey(s));
    expect(healed.ok).toBe(true);
  });

  it('treats a cache file older than the TTL as stale', async () => {
    const store = createMemoryCacheStore();
    const clock = manualClock();
    const s = source();
    await new CatalogLoader({ store, clock, ttlMs: 1000 }).load(s);
    clock.advance(500);
    await new CatalogLoader({ store, clock, ttlMs: 1000 }).load(s);
    expect(s.calls).toBe(1);
    clock.advance(1000);
    const events: CatalogLoadEvent[] = [];
    await new CatalogLoader({ store, clock, ttlMs: 1000, onEvent: (e) => events.push(e) }).load(s);
    expect(s.calls).toBe(2);
    expect(events[0]).toMatchObject({ type: 'disk-rejected', reason: expect.stringMatching(/stale/) });
  });

  it('expires catalogs in memory after the TTL too', async () => {
    const clock = manualClock();
    const s = source();
    const loader = new CatalogLoader({ clock, ttlMs: 1000 });
    const first = await loader.load(s);
    clock.advance(999);
    expect(await loader.load(s)).toBe(first);
    clock.advance(2);
    expect(await loader.load(s)).not.toBe(first);
    expect(s.calls).toBe(2);
  });

  it('starts a new load for a caller arriving after every earlier caller cancelled', async () => {
    let calls = 0;
    const s = source(smallXml, {
      fetchMetadata: (signal) => {
        calls++;
        if (calls > 1) return Promise.resolve(smallXml);
        return new Promise<string>((_, reject) => signal.addEventListener('abort', () => setTimeout(() => reject(signal.reason), 20)));
      },
    });
    const loader = new CatalogLoader();
    const gaveUp = new AbortController();
    const first = loader.load(s, { signal: gaveUp.signal });
    gaveUp.abort();
    await expect(first).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    const catalog = await loader.load(s);
    expect(catalog.tables).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('keeps catalogs in memory and merges concurrent loads into one fetch', async () => {
    const store = createMemoryCacheStore();
    let release!: (xml: string) => void;
    const s = source(smallXml, {
      fetchMetadata: () => {
        s.calls++;
        return new Promise<string>((r) => (release = r));
      },
    });
    const loader = new CatalogLoader({ store });
    const pending = [loader.load(s), loader.load(s), loader.load(s)];
    await new Promise((r) => setTimeout(r, 5));
    release(smallXml);
    const [a, b, c] = await Promise.all(pending);
    expect(s.calls).toBe(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(await loader.load(s)).toBe(a);
    expect(s.calls).toBe(1);
  });

  it('refreshes on request, replacing memory and disk', async () => {
    const store = createMemoryCacheStore();
    let xml = smallXml;
    const s = source(smallXml, {
      fetchMetadata: async () => {
        s.calls++;
        return xml;
      },
    });
    const loader = new CatalogLoader({ store });
    expect((await loader.load(s)).tables[0]!.columns).toHaveLength(3);
    xml = smallXml.replace('<Property Name="name" Type="Edm.String"/>', '<Property Name="name" Type="Edm.String"/><Property Name="extra" Type="Edm.Int64"/>');
    const refreshed = await loader.load(s, { refresh: true });
    expect(refreshed.tables[0]!.columns.map((c) => c.name)).toContain('extra');
    expect(await loader.load(s)).toBe(refreshed);
    const fromDisk = await new CatalogLoader({ store }).load(s);
    expect(fromDisk.tables[0]!.columns.map((c) => c.name)).toContain('extra');
    expect(s.calls).toBe(2);
    await loader.forget(s);
    expect(store.entries.size).toBe(0);
  });

  it('passes parse errors through and caches nothing', async () => {
    const store = createMemoryCacheStore();
    const s = source('<html>Sign in</html>');
    await expect(new CatalogLoader({ store }).load(s)).rejects.toMatchObject({ code: 'DYNASQL_ERR_METADATA' });
    expect(store.entries.size).toBe(0);
  });

  it('lets each caller cancel; aborts the fetch when every caller has', async () => {
    let fetchSignal: AbortSignal | undefined;
    const s = source(smallXml, {
      fetchMetadata: (signal) => {
        fetchSignal = signal;
        return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    const loader = new CatalogLoader();
    const one = new AbortController();
    const two = new AbortController();
    const first = loader.load(s, { signal: one.signal });
    const second = loader.load(s, { signal: two.signal });
    await new Promise((r) => setTimeout(r, 1));
    one.abort();
    await expect(first).rejects.toSatisfy((e) => DynasqlError.is(e, 'DYNASQL_ERR_CANCELLED'));
    expect(fetchSignal!.aborted).toBe(false);
    two.abort();
    await expect(second).rejects.toSatisfy((e) => DynasqlError.is(e, 'DYNASQL_ERR_CANCELLED'));
    expect(fetchSignal!.aborted).toBe(true);
  });

  it('reports a disk that cannot be written, and still returns the catalog', async () => {
    const events: CatalogLoadEvent[] = [];
    const store = { get: async () => undefined, set: async () => Promise.reject(new Error('EACCES')), delete: async () => {} };
    const catalog = await new CatalogLoader({ store, onEvent: (e) => events.push(e) }).load(source());
    expect(catalog.tables).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['fetched', 'disk-error']);
  });
});
