/**
 * `dynasql sync --to parquet:DIR` against the real emulator: one folder per table, its manifest naming
 * the current files; each run adds a file, rewrites the files holding rows it changes or deletes, and
 * compacts past MAX_FILES; the files the manifest names equal the emulator's rows after every run.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { Connection } from '../../src/index.js';
import { MANIFEST, readManifest } from '../../src/sync/parquet-manifest.js';
import { MAX_FILES } from '../../src/sync/parquet-target.js';
import { changeRows, connectionString, connectTo, expectInSync, startSyncEmulator, syncCli, TABLES, UNTRACKED } from './sync-fixture.js';

let emulator: RunningEmulator;
let conn: Connection;
let dir: string;

beforeAll(async () => {
  emulator = await startSyncEmulator();
  conn = await connectTo(emulator);
  dir = mkdtempSync(join(tmpdir(), 'dynasql-sync-parquet-'));
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** the folder holds exactly the manifest and the files it names */
function expectOnlyListedFiles(table: string): string[] {
  const folder = join(dir, table);
  const files = readManifest(folder)!.files;
  expect(readdirSync(folder).sort()).toEqual([MANIFEST, ...files].sort());
  return files;
}

describe('dynasql sync --to parquet:DIR', () => {
  it('copies, then applies changes run after run, each run a consistent set of files', async () => {
    const target = `parquet:${dir}`;
    const first = await syncCli(['-c', connectionString(emulator), '--to', target, ...TABLES]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('(Parquet)');
    expect(first.stderr).toContain('account: full copy (first copy)');
    await expectInSync(conn, 'parquet', dir);
    expect(expectOnlyListedFiles('account')).toEqual(['part-1-0.parquet']);
    expect(readManifest(join(dir, 'account'))!.token).toBeTruthy();
    expect(readManifest(join(dir, UNTRACKED))!.method).toBe('full');

    await changeRows(conn);
    const run = await syncCli(['-c', connectionString(emulator), '--to', target, ...TABLES]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/account: changes, 5 read: 2 inserted, 2 updated, 1 deleted/);
    await expectInSync(conn, 'parquet', dir);
    for (const table of TABLES) expectOnlyListedFiles(table);
    // a run adds the file of its changed rows (part-N-0) beside the untouched ones
    expect(expectOnlyListedFiles('account')).toContain('part-2-0.parquet');
  });

  it('compacts the files of a table past MAX_FILES into one', async () => {
    // single-row batches: every change its own batch, so files pile up within one run
    for (let i = 0; i < MAX_FILES + 2; i++) await conn.query(`INSERT INTO account (name) VALUES ('Pile ${i}')`);
    const run = await syncCli(['-c', connectionString(emulator), '--to', `parquet:${dir}`, '--batch-size', '1', 'account']);
    expect(run.code, run.stderr).toBe(0);
    const files = expectOnlyListedFiles('account');
    expect(files.length).toBeLessThanOrEqual(MAX_FILES);
    expect(files.some((f) => f.endsWith('-merged.parquet'))).toBe(true);
    await expectInSync(conn, 'parquet', dir, ['account']);
  });

  it('a run that fails leaves the last state, and the next run completes it', async () => {
    const folder = join(dir, 'account');
    const before = readManifest(folder)!;
    await changeRows(conn);
    // a folder where the run writes its new manifest first: the run cannot clear the way, and stops
    const obstacle = join(folder, `.${MANIFEST}.tmp`);
    mkdirSync(obstacle);
    const failed = await syncCli(['-c', connectionString(emulator), '--to', `parquet:${dir}`, 'account']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('DYNASQL_ERR_SYNC_TARGET');
    expect(readManifest(folder)).toEqual(before);
    for (const file of before.files) expect(existsSync(join(folder, file))).toBe(true);
    rmSync(obstacle, { recursive: true });
    const run = await syncCli(['-c', connectionString(emulator), '--to', `parquet:${dir}`, 'account']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/account: changes, 5 read: 2 inserted, 2 updated, 1 deleted/);
    expectOnlyListedFiles('account');
    await expectInSync(conn, 'parquet', dir, ['account']);
  });
});
