/**
 * `dynasql sync` into a DuckDB file (the default target) against the real emulator: a first run copies
 * every table whole, changes made through the Web API reach the file on the next run (only the changes
 * for tracked tables, everything again for the table without change tracking), and the file equals
 * the emulator row for row each time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { Connection } from '../../src/index.js';
import { DuckDbSession } from '../../src/sync/duckdb-session.js';
import { changeRows, connectionString, connectTo, expectInSync, startSyncEmulator, syncCli, TABLES, UNTRACKED } from './sync-fixture.js';

let emulator: RunningEmulator;
let conn: Connection;
let dir: string;
let file: string;

beforeAll(async () => {
  emulator = await startSyncEmulator();
  conn = await connectTo(emulator);
  dir = mkdtempSync(join(tmpdir(), 'dynasql-sync-duckdb-'));
  file = join(dir, 'analytics.duckdb');
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sync = () => syncCli(['-c', connectionString(emulator), '--to', file, ...TABLES]);

describe('dynasql sync --to file.duckdb', () => {
  it('copies every table on the first run and says how', async () => {
    const run = await sync();
    expect(run.stderr).toContain('account: full copy (first copy)');
    expect(run.stderr).toContain(`${UNTRACKED}: full copy (no change tracking)`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout, run.stdout).toMatch(/table.*method.*runs.*read.*inserted.*updated.*deleted.*requests.*time/);
    await expectInSync(conn, 'duckdb', file);
  });

  it('applies creates, updates and deletes on the next run, reading only the changes of tracked tables', async () => {
    await changeRows(conn);
    const run = await sync();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/account: changes, 5 read: 2 inserted, 2 updated, 1 deleted · 1 request/);
    expect(run.stderr).toMatch(/contact: changes, \d+ read: 1 inserted, \d+ updated, [01] deleted/);
    expect(run.stderr).toContain(`${UNTRACKED}: full copy (no change tracking)`);
    await expectInSync(conn, 'duckdb', file);
  });

  it('a run with nothing changed writes nothing', async () => {
    const run = await sync();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/account: changes, 0 read: 0 inserted, 0 updated, 0 deleted/);
    expect(run.stderr).toMatch(new RegExp(`${UNTRACKED}: full copy \\(no change tracking\\), \\d+ read: 0 inserted, 0 updated, 0 deleted`));
    await expectInSync(conn, 'duckdb', file);
  });

  it('adds a column added in Dynamics to the table (ALTER TABLE) and copies the table once, saying why', async () => {
    // the file as an earlier version of the metadata left it: account without telephone1
    const session = await DuckDbSession.open(file);
    try {
      const [state] = await session.query(`SELECT columns FROM _dynasql_sync WHERE table_name = 'account'`);
      const columns = (JSON.parse(String(state!.columns)) as string[]).filter((c) => c !== 'telephone1');
      await session.query('ALTER TABLE account DROP COLUMN telephone1');
      await session.query(`UPDATE _dynasql_sync SET columns = $1 WHERE table_name = 'account'`, [JSON.stringify(columns)]);
    } finally {
      await session.close();
    }
    const run = await sync();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/account: full copy \(column added: telephone1\), \d+ read: 0 inserted, \d+ updated, 0 deleted/);
    expect(run.stderr).toMatch(/contact: changes/);
    await expectInSync(conn, 'duckdb', file);
    const again = await sync();
    expect(again.stderr).toMatch(/account: changes, 0 read/);
  });

  it('--watch runs again every N seconds until interrupted, then prints the summary of every run', async () => {
    const stop = new AbortController();
    const run = await syncCli(['-c', connectionString(emulator), '--to', file, '--watch', '1', 'account'], {
      interrupt: stop.signal,
      onStderr: (text) => {
        if ((text.match(/account: changes/g) ?? []).length >= 2) stop.abort();
      },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('next run in 1s');
    expect(run.stdout).toMatch(/account \| changes \|\s+2 \|/);
    // not a terminal: no status line drawn
    expect(run.stderr).not.toContain('\x1b[');
  });

  it('falls back to a full copy when the service no longer honours the token, and says so', async () => {
    await changeRows(conn);
    // reset(): the seed's rows again, and every token issued so far expires (the emulator's README)
    emulator.reset();
    const run = await sync();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/account: full copy \(change token expired\), 12 read: \d+ inserted, \d+ updated, [1-9]\d* deleted/);
    await expectInSync(conn, 'duckdb', file);
  });

  it('refuses an unknown table, or a missing target, before reading anything', async () => {
    const before = emulator.requests().length;
    const typo = await syncCli(['-c', connectionString(emulator), '--to', file, 'acount']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("DYNASQL_ERR_UNKNOWN_TABLE: Unknown table 'acount'. Did you mean 'account'?");
    expect(emulator.requests().slice(before).some((r) => /accounts/.test(r.url))).toBe(false);
    const noTarget = await syncCli(['-c', connectionString(emulator), 'account']);
    expect(noTarget.code).toBe(1);
    expect(noTarget.stderr).toContain("required option '--to <target>'");
  });
});
