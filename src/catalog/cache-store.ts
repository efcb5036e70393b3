/**
 * Where serialized catalogs are kept between runs. The loader only sees this interface; the
 * production implementation is file-cache-store.ts (the one catalog file that touches the disk),
 * and tests pass an in-memory one.
 */
export interface CacheStore {
  /** the bytes stored under `key`, or undefined when there are none */
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A CacheStore in a Map: for tests, and for callers that want no disk cache but one interface. */
export function createMemoryCacheStore(): CacheStore & { readonly entries: Map<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>();
  return {
    entries,
    get: async (key) => entries.get(key),
    set: async (key, bytes) => {
      entries.set(key, bytes);
    },
    delete: async (key) => {
      entries.delete(key);
    },
  };
}
