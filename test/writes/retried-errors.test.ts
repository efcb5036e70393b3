/**
 * A retry never turns a real error into a reported success (issue 22, item 2): with user-supplied
 * keys, a duplicate-key INSERT and a DELETE of a missing key stay what they are (an error, 0 rows)
 * under every fault kind at 50 %, for 100 seeds each; and what a retry does blur is settled by reading
 * the row back: a create whose key dynasql chose, an OPTIMISTIC update whose etag its own earlier
 * attempt moved on. A clock whose sleeps return at once keeps the backoffs from costing real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { connect, type Connection } from '../../src/index.js';
import { writeFixture, type WriteFixture } from './helpers.js';
import { instantClock } from '../support/instant-clock.js';

let f: WriteFixture;
let conn: Connection;

beforeAll(async () => {
  f = await writeFixture({ rows: 20 });
  conn = await connect({ organizationUrl: f.emu.url, authScheme: 'None', maxRetries: 6, clock: instantClock() });
});
afterAll(async () => {
  await conn?.close();
  await f?.close();
});

async function setFaults(faults: Record<string, number>): Promise<void> {
  const r = await fetch(`${f.emu.origin}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  expect(r.status).toBeLessThan(300);
}

async function outcome(run: () => Promise<{ rowCount: number }>): Promise<number | DynasqlError> {
  try {
    return (await run()).rowCount;
  } catch (error) {
    expect(error).toBeInstanceOf(DynasqlError);
    return error as DynasqlError;
  }
}

const KINDS = ['serverErrorRate', 'resetBeforeResponseRate', 'resetAfterWriteRate', 'truncateBodyRate', 'slowBodyRate', 'throttleBurstRate'] as const;
const SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);
const MISSING = '00000000-0000-4000-8000-0000000dead1';

describe('user-supplied keys under faults at 50 %', () => {
  it.each(KINDS)('%s: a duplicate-key INSERT is an error and a missing-key DELETE changes 0 rows, for 100 seeds', async (kind) => {
    const existing = (await f.conn.query('SELECT TOP 1 accountid, name FROM account ORDER BY accountid')).rows[0]!;
    const successes: string[] = [];
    for (const seed of SEEDS) {
      await setFaults({ seed, [kind]: 0.5, slowBodyChunkDelayMs: 0, throttleRetryAfterSeconds: 1, throttleBurstLength: 2 });
      const inserted = await outcome(() => conn.query('INSERT INTO account (accountid, name) VALUES (@id, @n)', { id: existing.accountid, n: `dup-${seed}` }));
      if (typeof inserted === 'number') successes.push(`seed ${seed}: INSERT of an existing key reported rowCount ${inserted}`);
      const deleted = await outcome(() => conn.query('DELETE FROM account WHERE accountid = @id', { id: MISSING }));
      if (typeof deleted === 'number' && deleted !== 0) successes.push(`seed ${seed}: DELETE of a missing key reported rowCount ${deleted}`);
      const deletedAtomic = await outcome(() => conn.query(`DELETE FROM account WHERE accountid IN (@id, '${MISSING}') OPTION (ATOMIC)`, { id: '00000000-0000-4000-8000-0000000dead2' }));
      if (typeof deletedAtomic === 'number' && deletedAtomic !== 0) successes.push(`seed ${seed}: atomic DELETE of missing keys reported rowCount ${deletedAtomic}`);
    }
    await setFaults({});
    expect(successes).toEqual([]);
    // the existing row is as it was: no attempt overwrote it
    expect((await f.conn.query('SELECT name FROM account WHERE accountid = @id', { id: existing.accountid })).rows).toEqual([{ name: existing.name }]);
  }, 120_000);
});

describe('what a retry blurs is settled by reading the row', () => {
  /** seed 1 with resetAfterWriteRate 0.5 loses the answer to the first write; seed 4 the first write after one read */
  async function loseFirstAnswer<T>(seed: number, run: () => Promise<T>): Promise<T> {
    const before = (await f.stats())['faults.reset-after-write'] ?? 0;
    await setFaults({ seed, resetAfterWriteRate: 0.5 });
    try {
      return await run();
    } finally {
      await setFaults({});
      expect(((await f.stats())['faults.reset-after-write'] ?? 0) - before).toBe(1);
    }
  }

  it('an INSERT with a user-supplied key whose answer was lost is not reported written on the duplicate answer', async () => {
    const id = '7a1d0c3e-5b2f-4c8a-9e6d-1f2a3b4c5d6e';
    const result = await outcome(() => loseFirstAnswer(1, () => conn.query("INSERT INTO account (accountid, name) VALUES (@id, 'lost-user-key')", { id })));
    // it was in fact created by the first attempt: the answer may be "not confirmed", never a plain success nor a duplicate of another row
    expect(result).toBeInstanceOf(DynasqlError);
    expect((result as DynasqlError).message).toMatch(/not confirmed/);
    expect((await f.conn.query('SELECT name FROM account WHERE accountid = @id', { id })).rows).toEqual([{ name: 'lost-user-key' }]);
  });

  it('an INSERT whose key dynasql chose is confirmed by reading the row back', async () => {
    const r = await loseFirstAnswer(1, () => conn.query("INSERT INTO account (name) VALUES ('lost-own-key')"));
    expect(r.rowCount).toBe(1);
    expect((await f.conn.query("SELECT COUNT(*) AS n FROM account WHERE name = 'lost-own-key'")).rows[0]!.n).toBe(1);
  });

  it('a COMMIT whose answer was lost counts as committed only once every row reads back as the change set leaves it', async () => {
    await conn.query('BEGIN TRAN');
    await conn.query("INSERT INTO account (name) VALUES ('lost-tx-1'), ('lost-tx-2')");
    await conn.query("UPDATE account SET description = 'in tx' WHERE name = 'lost-own-key'");
    const r = await loseFirstAnswer(1, () => conn.query('COMMIT'));
    expect(r.rowCount).toBe(3);
    expect((await f.conn.query("SELECT COUNT(*) AS n FROM account WHERE name LIKE 'lost-tx-%'")).rows[0]!.n).toBe(2);
    expect((await f.conn.query("SELECT description FROM account WHERE name = 'lost-own-key'")).rows).toEqual([{ description: 'in tx' }]);
  });

  it('an OPTIMISTIC UPDATE retried after its answer was lost is confirmed by the row\'s values, not failed on 412', async () => {
    await f.conn.query("INSERT INTO account (name) VALUES ('optimistic-lost')");
    const r = await loseFirstAnswer(4, () => conn.query("UPDATE account SET description = 'moved on' WHERE name = 'optimistic-lost' OPTION (OPTIMISTIC)"));
    expect(r.rowCount).toBe(1);
    expect((await f.conn.query("SELECT description FROM account WHERE name = 'optimistic-lost'")).rows).toEqual([{ description: 'moved on' }]);
  });
});
