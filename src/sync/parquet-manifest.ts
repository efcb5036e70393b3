/**
 * The Parquet target's commit record: `<folder>/<table>/_dynasql_state.json` names the Parquet files
 * that make up the table now, beside the sync state (method, token, columns). Data files are written
 * first under names never reused, then the manifest is replaced in one rename, which is atomic: a
 * reader that lists the table's files from the manifest sees the state before a run or after it,
 * never a mix, and a crash before the rename leaves the previous state whole (the new files, named
 * by no manifest, are removed by the next run).
 *
 *   { "table": "account", "method": "changes", "token": "919042!…", "columns": ["accountid", …],
 *     "syncedAt": "2026-12-07T23:50:00.000Z", "run": 7, "files": ["part-7-0.parquet", "part-6-0.parquet"] }
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableState } from './types.js';

export const MANIFEST = '_dynasql_state.json';

export interface Manifest extends TableState {
  /** the number of the last run that wrote files (file names carry it, so no name is written twice) */
  run: number;
  /** the table's Parquet files, relative to its folder */
  files: string[];
}

export function readManifest(folder: string): Manifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(folder, MANIFEST), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as Manifest;
}

/** flushes a file (or a folder's entries) to the disk */
export function syncToDisk(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** replaces the manifest atomically: written beside it, flushed, renamed over it, the folder flushed */
export function writeManifest(folder: string, manifest: Manifest): void {
  const temporary = join(folder, `.${MANIFEST}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  syncToDisk(temporary);
  renameSync(temporary, join(folder, MANIFEST));
  syncToDisk(folder);
}
