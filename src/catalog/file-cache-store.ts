/**
 * The production CacheStore: one file per org/edition/API version in the user's cache folder
 * (`$XDG_CACHE_HOME/dynasql`, else `~/.cache/dynasql`; `%LOCALAPPDATA%\dynasql\cache` on Windows).
 * This is the injected I/O edge of the catalog: the connection layer creates it and hands it to the
 * CatalogLoader; nothing in the parse path imports it.
 *
 * Writes go to a temporary file renamed into place, so a crash mid-write leaves either the old
 * file or none, never half a file under the real name (and the loader checks every file anyway).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CacheStore } from './cache-store.js';

export function defaultCacheDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'dynasql');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'dynasql', 'cache');
  return join(home, '.cache', 'dynasql');
}

/** The key holds the org URL; hashing it gives a safe, fixed-length file name. */
export function cacheFileName(key: string): string {
  return `catalog-${createHash('sha256').update(key).digest('hex').slice(0, 40)}.bin`;
}

export function createFileCacheStore(directory: string = defaultCacheDirectory()): CacheStore & { readonly directory: string; pathOf(key: string): string } {
  const pathOf = (key: string) => join(directory, cacheFileName(key));
  return {
    directory,
    pathOf,
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async set(key, bytes) {
      // The org's schema is nobody else's business: the folder and files are the user's alone.
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const target = pathOf(key);
      const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, bytes, { mode: 0o600 });
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
