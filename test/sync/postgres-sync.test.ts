/**
 * `dynasql sync --to postgres://…` against the real emulator and a real PostgreSQL server started
 * for this file (Debian's `postgresql` package: test/sync/postgres-server.ts). Skipped without the
 * server binaries on a developer's machine; in CI (`CI` set) a missing server fails instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { Connection } from '../../src/index.js';
import { postgresAvailable, startPostgres, type PostgresServer } from './postgres-server.js';
import { changeRows, connectionString, connectTo, expectInSync, startSyncEmulator, syncCli, TABLES, UNTRACKED } from './sync-fixture.js';

let emulator: RunningEmulator;
let conn: Connection;
let server: PostgresServer;

describe.runIf(postgresAvailable())('dynasql sync --to postgres://', () => {
  beforeAll(async () => {
    [emulator, server] = await Promise.all([startSyncEmulator(), startPostgres()]);
    conn = await connectTo(emulator);
  }, 60_000);

  afterAll(async () => {
    await conn?.close();
    await emulator?.close();
    await server?.stop();
  });

  it('copies, then applies creates, updates and deletes; the database equals the emulator row for row', async () => {
    const sync = () => syncCli(['-c', connectionString(emulator), '--to', server.url, ...TABLES]);
    const first = await sync();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('(PostgreSQL)');
    expect(first.stderr).toContain(`${UNTRACKED}: full copy (no change tracking)`);
    await expectInSync(conn, 'postgres', server.url);

    await changeRows(conn);
    const second = await sync();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/account: changes, 5 read: 2 inserted, 2 updated, 1 deleted/);
    await expectInSync(conn, 'postgres', server.url);
  });

  it('keeps views over a synced table working across full copies, and its key as the primary key', async () => {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`CREATE VIEW rivals AS SELECT name FROM ${UNTRACKED}`);
      await conn.query(`INSERT INTO ${UNTRACKED} (name) VALUES ('Rival seen through a view')`);
      const run = await syncCli(['-c', connectionString(emulator), '--to', server.url, UNTRACKED]);
      expect(run.code, run.stderr).toBe(0);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM rivals WHERE name = 'Rival seen through a view'`);
      expect(rows[0].n).toBe(1);
      const key = await client.query(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'account'::regclass AND i.indisprimary`);
      expect(key.rows.map((r) => r.attname)).toEqual(['accountid']);
    } finally {
      await client.end();
    }
  });
});
