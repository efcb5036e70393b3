/**
 * The two big cases, on one emulator seeded with 10,000 accounts: a 10,000-row INSERT … SELECT in at
 * most 12 HTTP requests, and 10,000 inserts that stay exact while the emulator fails 5% of requests
 * (503s, resets before answering, and resets after a committed write).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture({ rows: 10_000 });
}, 60_000);
afterAll(async () => {
  await f?.close();
});

async function count(where: string): Promise<number> {
  return Number((await f.conn.query(`SELECT COUNT(*) AS n FROM contact WHERE ${where}`)).rows[0]!.n);
}

it('a 10,000-row INSERT … SELECT from Dynamics goes out in at most 12 HTTP requests', async () => {
  expect(Number((await f.conn.query('SELECT COUNT(*) AS n FROM account')).rows[0]!.n)).toBe(10_000);
  await f.clearLog();
  const r = await f.conn.query("INSERT INTO contact (lastname, firstname) SELECT name, 'bulk-plain' FROM account");
  expect(r.rowCount).toBe(10_000);
  const log = await f.requests();
  expect(log.length).toBeLessThanOrEqual(12);
  expect(log.filter((x) => x.method === 'POST' && x.url.endsWith('$batch'))).toHaveLength(10);
  expect(await count("firstname = 'bulk-plain'")).toBe(10_000);
}, 120_000);

it('with 5% of requests failing (resets after committed writes included), 10,000 inserts leave exactly 10,000 records', async () => {
  // seed 154 puts two resets after a committed $batch and a 503 among this statement's requests
  const faults = { seed: 154, serverErrorRate: 0.02, resetBeforeResponseRate: 0.01, resetAfterWriteRate: 0.02 };
  const put = await fetch(`${f.emu.origin}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  expect(put.ok).toBe(true);
  const before = await f.stats();
  let r;
  try {
    r = await f.conn.query("INSERT INTO contact (lastname, firstname) SELECT name, 'bulk-faults' FROM account");
  } finally {
    await fetch(`${f.emu.origin}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  }
  const after = await f.stats();
  expect((after['faults.reset-after-write'] ?? 0) - (before['faults.reset-after-write'] ?? 0)).toBeGreaterThanOrEqual(1);
  expect((after.faultsInjected ?? 0) - (before.faultsInjected ?? 0)).toBeGreaterThanOrEqual(2);
  expect(r.rowCount).toBe(10_000);
  expect(r.failures).toBeUndefined();
  expect(await count("firstname = 'bulk-faults'")).toBe(10_000);
}, 180_000);
