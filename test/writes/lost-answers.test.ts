/**
 * A write the server committed but whose answer was lost (the emulator resets the connection after
 * committing): the retry must neither write twice nor report a failure. With resetAfterWriteRate 0.5,
 * seed 1 loses the answer to the first request and lets the retry through; seed 4 does the same for the
 * first write after one read (reads are never reset).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(async () => {
  await f?.close();
});

async function loseFirstAnswer<T>(run: () => Promise<T>, readsFirst = false): Promise<T> {
  const set = (body: string) => fetch(`${f.emu.origin}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
  const before = (await f.stats())['faults.reset-after-write'] ?? 0;
  await set(JSON.stringify({ seed: readsFirst ? 4 : 1, resetAfterWriteRate: 0.5 }));
  try {
    return await run();
  } finally {
    await set('{}');
    expect(((await f.stats())['faults.reset-after-write'] ?? 0) - before).toBe(1);
  }
}

async function count(prefix: string): Promise<number> {
  return Number((await f.conn.query('SELECT COUNT(*) AS n FROM account WHERE name LIKE @p', { p: `${prefix}%` })).rows[0]!.n);
}

describe('answers lost after a committed write', () => {
  it('a single create is retried and counted once', async () => {
    const r = await loseFirstAnswer(() => f.conn.query("INSERT INTO account (name) VALUES ('lost-single')"));
    expect(r.rowCount).toBe(1);
    expect(await count('lost-single')).toBe(1);
  });

  it('a batch of creates is retried and each row counted once', async () => {
    const r = await loseFirstAnswer(() => f.conn.query("INSERT INTO account (name) VALUES ('lost-batch-1'), ('lost-batch-2'), ('lost-batch-3')"));
    expect(r).toMatchObject({ rowCount: 3 });
    expect(r.failures).toBeUndefined();
    expect(await count('lost-batch-')).toBe(3);
  });

  it('an atomic change set of creates is retried and reported written', async () => {
    const r = await loseFirstAnswer(() => f.conn.query("INSERT INTO account (name) VALUES ('lost-atomic-1'), ('lost-atomic-2') OPTION (ATOMIC)"));
    expect(r.rowCount).toBe(2);
    expect(await count('lost-atomic-')).toBe(2);
  });

  it('an atomic change set of deletes is retried and reported written', async () => {
    const r = await loseFirstAnswer(() => f.conn.query("DELETE FROM account WHERE name LIKE 'lost-atomic-%' OPTION (ATOMIC)"), true);
    expect(r.rowCount).toBe(2);
    expect(await count('lost-atomic-')).toBe(0);
  });

  it('updates are simply sent again', async () => {
    const r = await loseFirstAnswer(() => f.conn.query("UPDATE account SET description = 'again' WHERE name LIKE 'lost-batch-%'"), true);
    expect(r.rowCount).toBe(3);
  });

  it('deletes in a batch are retried and counted once each', async () => {
    const r = await loseFirstAnswer(() => f.conn.query("DELETE FROM account WHERE name LIKE 'lost-batch-%'"), true);
    expect(r.rowCount).toBe(3);
    expect(await count('lost-batch-')).toBe(0);
  });
});
