import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';

/**
 * msal's token cache persisted to one file readable only by its owner (mode 0600, directory 0700).
 * Written to a temporary file and renamed, so a crash never leaves half a cache.
 */
export function fileCachePlugin(path: string): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return; // no cache yet
      }
      if (text.trim() !== '') context.tokenCache.deserialize(text);
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return;
      writePrivateFile(path, context.tokenCache.serialize());
    },
  };
}

export function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
