import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes, scryptSync } from 'node:crypto';
import { dirname } from 'node:path';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';

/** The file's shape: msal's serialized cache per credential, keyed by a salted hash of the credential. */
interface CacheFile {
  dynasqlTokenCache: 1;
  /** per file, so equal credentials in two files have unrelated keys */
  salt: string;
  partitions: Record<string, string>;
}

/**
 * msal's token cache persisted to one file readable only by its owner (mode 0600, directory 0700).
 * Written to a temporary file and renamed, so a crash never leaves half a cache.
 *
 * msal keys its entries by client id, authority and scopes, not by the secret: with one cache shared
 * by all credentials, a wrong Client Secret would still "sign in" from a warm cache. So the file keeps
 * one msal cache per credential, under scrypt(credential, the file's salt): a changed secret,
 * certificate or refresh token finds no entry and signs in again. Neither the credential nor an
 * unsalted hash of it is stored. A file in the older single-cache format is not read (one new sign-in).
 *
 *   fileCachePlugin('/home/me/.dynasql/tokens.json', credentialKeyMaterial(...))
 */
export function fileCachePlugin(path: string, credential: string): ICachePlugin {
  let keyed: { salt: string; key: string } | undefined;
  const keyFor = (salt: string) => {
    if (keyed?.salt !== salt) keyed = { salt, key: scryptSync(credential, Buffer.from(salt, 'base64'), 32).toString('base64url') };
    return keyed.key;
  };
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      const file = readCacheFile(path);
      const entry = file?.partitions[keyFor(file.salt)];
      if (entry !== undefined && entry.trim() !== '') context.tokenCache.deserialize(entry);
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return;
      // read again: another connection may have written its own credential's partition meanwhile
      const file = readCacheFile(path) ?? { dynasqlTokenCache: 1, salt: randomBytes(16).toString('base64'), partitions: {} };
      file.partitions[keyFor(file.salt)] = context.tokenCache.serialize();
      writePrivateFile(path, JSON.stringify(file));
    },
  };
}

/** What identifies the credential a cache entry was obtained with (hashed before it is used as a key). */
export function credentialKeyMaterial(parts: Record<string, string | undefined>): string {
  return JSON.stringify(Object.entries(parts).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function readCacheFile(path: string): CacheFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // no cache yet
  }
  try {
    const parsed = JSON.parse(text) as Partial<CacheFile>;
    if (parsed.dynasqlTokenCache === 1 && typeof parsed.salt === 'string' && parsed.partitions && typeof parsed.partitions === 'object') {
      return parsed as CacheFile;
    }
  } catch {
    // unreadable: start over
  }
  return undefined;
}

export function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
