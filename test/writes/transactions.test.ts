/**
 * Transactions against the Dataverse emulator over real HTTP: writes are held until COMMIT and sent
 * as one change set; ROLLBACK sends nothing; a COMMIT the service refuses writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(async () => {
  await f?.close();
});

async function errorOf(promise: Promise<unknown>): Promise<DynasqlError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DynasqlError);
  return error as DynasqlError;
}

async function count(where: string): Promise<number> {
  return (await f.conn.query(`SELECT accountid FROM account WHERE ${where}`)).rowCount;
}

describe('BEGIN TRAN … COMMIT through query', () => {
  it('holds the writes, reports exact counts, and sends them at COMMIT as one change set', async () => {
    await f.conn.query("INSERT INTO account (name, revenue) VALUES ('tx-seed-1', 1), ('tx-seed-2', 2)");
    await f.clearLog();
    expect((await f.conn.query('BEGIN TRAN')).command).toBe('BEGIN');
    const inserted = await f.conn.query("INSERT INTO account (name) OUTPUT INSERTED.accountid, INSERTED.name VALUES ('tx-a'), ('tx-b')");
    expect(inserted.rowCount).toBe(2);
    expect(inserted.rows.map((r) => r.name)).toEqual(['tx-a', 'tx-b']);
    const updated = await f.conn.query("UPDATE account SET revenue = 99 WHERE name LIKE 'tx-seed-%'");
    expect(updated.rowCount).toBe(2);
    // nothing has changed yet, and reads do not see the held writes
    expect(await f.writes()).toEqual([]);
    expect(await count("name = 'tx-a'")).toBe(0);
    const commit = await f.conn.query('COMMIT');
    expect(commit).toMatchObject({ command: 'COMMIT', rowCount: 4 });
    const writes = await f.writes();
    expect(writes.map((w) => `${w.method} ${w.url}`)).toEqual(['POST /api/data/v9.2/$batch']);
    expect(writes[0]!.body).toContain('changeset_');
    expect(await count("name IN ('tx-a', 'tx-b')")).toBe(2);
    const ids = inserted.rows.map((r) => r.accountid);
    expect((await f.conn.query(`SELECT accountid FROM account WHERE name IN ('tx-a', 'tx-b') ORDER BY name`)).rows.map((r) => r.accountid)).toEqual(ids);
    expect((await f.conn.query("SELECT revenue FROM account WHERE name LIKE 'tx-seed-%'")).rows).toEqual([{ revenue: '99' }, { revenue: '99' }]);
  });

  it('ROLLBACK sends nothing; the connection is back to writing at once', async () => {
    await f.clearLog();
    await f.conn.query('BEGIN TRANSACTION');
    await f.conn.query("INSERT INTO account (name) VALUES ('tx-rolled-back')");
    await f.conn.query("DELETE FROM account WHERE name LIKE 'tx-seed-%'");
    expect((await f.conn.query('ROLLBACK')).command).toBe('ROLLBACK');
    expect(await f.writes()).toEqual([]);
    expect(await count("name = 'tx-rolled-back'")).toBe(0);
    expect(await count("name LIKE 'tx-seed-%'")).toBe(2);
    await f.conn.query("INSERT INTO account (name) VALUES ('tx-after')");
    expect((await f.writes()).map((w) => w.method)).toEqual(['POST']);
  });

  it('savepoints: ROLLBACK TO drops what came after the mark', async () => {
    await f.conn.query('BEGIN TRAN');
    await f.conn.query("INSERT INTO account (name) VALUES ('tx-sp-kept')");
    await f.conn.query('SAVE TRAN s1');
    await f.conn.query("INSERT INTO account (name) VALUES ('tx-sp-dropped-1'), ('tx-sp-dropped-2')");
    await f.conn.query('ROLLBACK TRAN s1');
    await f.conn.query("INSERT INTO account (name) VALUES ('tx-sp-kept-2')");
    expect((await f.conn.query('COMMIT TRAN')).rowCount).toBe(2);
    expect(await count("name LIKE 'tx-sp-kept%'")).toBe(2);
    expect(await count("name LIKE 'tx-sp-dropped%'")).toBe(0);
  });

  it('a COMMIT the service refuses writes nothing, names the statement, and ends the transaction', async () => {
    const [victim] = (await f.conn.query("INSERT INTO account (name) OUTPUT INSERTED.accountid VALUES ('tx-victim')")).rows;
    await f.conn.query('BEGIN TRAN');
    await f.conn.query("INSERT INTO account (name) VALUES ('tx-never')");
    expect((await f.conn.query("UPDATE account SET revenue = 5 WHERE name = 'tx-victim'")).rowCount).toBe(1);
    // another client deletes the row between the statement and COMMIT
    const other = await f.connectWith('');
    await other.query('DELETE FROM account WHERE accountid = @id', { id: victim!.accountid });
    const error = await errorOf(f.conn.query('COMMIT'));
    expect(error.code).toBe('DYNASQL_ERR_NOT_FOUND');
    expect(error.message).toMatch(/statement 2 \(UPDATE\).*nothing was written/);
    expect(await count("name = 'tx-never'")).toBe(0);
    // the transaction is over: the next write goes out at once
    await f.conn.query("INSERT INTO account (name) VALUES ('tx-after-failed-commit')");
    expect(await count("name = 'tx-after-failed-commit'")).toBe(1);
  });

  it('refuses what it cannot hold, and stays open', async () => {
    const conn = await f.connectWith('Use Dynamic Stored Procedures=true');
    await conn.query('BEGIN TRAN');
    try {
      expect((await errorOf(conn.query("EXEC WinOpportunity @OpportunityClose = '{}', @Status = 3"))).code).toBe('DYNASQL_ERR_TRANSACTION');
      const associate = "EXEC Associate 'account', '00000000-0000-0000-0000-000000000001', 'contact_customer_accounts', '00000000-0000-0000-0000-000000000002'";
      expect((await errorOf(conn.query(associate))).code).toBe('DYNASQL_ERR_TRANSACTION');
      expect((await errorOf(conn.query("INSERT INTO account (name) VALUES ('x') OPTION (CONTINUE_ON_ERROR)"))).code).toBe('DYNASQL_ERR_TRANSACTION');
      const returning = await errorOf(conn.query("INSERT INTO account (name) OUTPUT INSERTED.createdon VALUES ('x')"));
      expect(returning.code).toBe('DYNASQL_ERR_TRANSACTION');
      expect(returning.message).toContain('createdon');
      expect((await errorOf(conn.query('UPDATE account SET revenue = 1 OUTPUT INSERTED.revenue WHERE name = \'x\''))).code).toBe('DYNASQL_ERR_TRANSACTION');
      expect((await errorOf(conn.query('BEGIN TRAN'))).code).toBe('DYNASQL_ERR_TRANSACTION');
      // functions read, so they run
      expect((await conn.query('EXEC WhoAmI')).rowCount).toBe(1);
      expect((await conn.query("INSERT INTO account (name) VALUES ('tx-still-open')")).rowCount).toBe(1);
    } finally {
      await conn.query('ROLLBACK');
    }
    expect(await count("name = 'tx-still-open'")).toBe(0);
  });

  it('holds UPSERTs and by-key deletes; a key that is not there counts 0 and holds nothing', async () => {
    const id = '0b0c0d0e-0000-4000-8000-00000000abcd';
    await f.clearLog();
    await f.conn.query('BEGIN TRAN');
    expect((await f.conn.query('UPSERT INTO account (accountid, name) VALUES (@id, @n)', { id, n: 'tx-upserted' })).rowCount).toBe(1);
    expect((await f.conn.query("DELETE FROM account WHERE accountid = '0b0c0d0e-0000-4000-8000-00000000ffff'")).rowCount).toBe(0);
    expect(f.conn.transaction?.pendingOperations).toBe(1);
    expect((await f.writes()).length).toBe(0);
    expect((await f.conn.query('COMMIT')).rowCount).toBe(1);
    expect((await f.conn.query('SELECT name FROM account WHERE accountid = @id', { id })).rows).toEqual([{ name: 'tx-upserted' }]);
    expect(f.conn.transaction).toBeUndefined();
  });

  it('warns on COMMIT without BEGIN and refuses a savepoint outside a transaction', async () => {
    expect((await f.conn.query('COMMIT')).warnings).toEqual(['there is no transaction in progress']);
    expect((await errorOf(f.conn.query('SAVEPOINT s'))).code).toBe('DYNASQL_ERR_TRANSACTION');
  });
});

describe('conn.begin()', () => {
  it('runs independent transactions side by side; a READ ONLY one refuses writes', async () => {
    const one = f.conn.begin();
    const two = f.conn.begin();
    await one.query("INSERT INTO account (name) VALUES ('tx-one')");
    await two.query("INSERT INTO account (name) VALUES ('tx-two-1'), ('tx-two-2')");
    expect([one.pendingOperations, two.pendingOperations]).toEqual([1, 2]);
    two.rollback();
    expect((await one.commit()).rowCount).toBe(1);
    expect(one.isOpen).toBe(false);
    expect((await errorOf(one.query('SELECT 1 AS x'))).code).toBe('DYNASQL_ERR_TRANSACTION');
    expect(await count("name = 'tx-one'")).toBe(1);
    expect(await count("name LIKE 'tx-two-%'")).toBe(0);

    const reader = f.conn.begin({ readOnly: true });
    expect((await reader.query("SELECT name FROM account WHERE name = 'tx-one'")).rowCount).toBe(1);
    expect((await errorOf(reader.query("DELETE FROM account WHERE name = 'tx-one'"))).code).toBe('DYNASQL_ERR_READ_ONLY_CONNECTION');
  });

  it('refuses a statement that would overflow one change set, and keeps what it held', async () => {
    const tx = f.conn.begin();
    await tx.query("INSERT INTO account (name) VALUES ('tx-big-0')");
    const rows = Array.from({ length: 1000 }, (_, i) => `('tx-big-${i + 1}')`).join(', ');
    const error = await errorOf(tx.query(`INSERT INTO account (name) VALUES ${rows}`));
    expect(error.code).toBe('DYNASQL_ERR_ATOMIC_LIMIT');
    expect(error.details).toMatchObject({ rows: 1001, max: 1000 });
    expect(tx.pendingOperations).toBe(1);
    expect((await tx.commit()).rowCount).toBe(1);
    expect(await count("name LIKE 'tx-big-%'")).toBe(1);
  });
});
