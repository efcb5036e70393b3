/**
 * The randomized differential test's open F&O class (test/fuzz/KNOWN.md F3), the statement as the
 * fuzzer wrote it, end to end against the F&O emulator with the fuzz data, push-down on and off, and
 * the emulator's refusal that made it an error (F&O compares enums with eq / ne only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 60, fuzzData: true, edition: 'finops' });
  pushed = await connect(`Url=${emulator.url};Cross Company=true`);
  local = await connect(`Url=${emulator.url};Cross Company=true;Pushdown=false`);
});

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
});

describe('KNOWN F3: an ordering comparison of an F&O enum runs locally (T-SQL compares the member names)', () => {
  it('the service refuses `le` between enum properties, as between an enum and a member', async () => {
    const response = await fetch(`${emulator.url}/CustomersV3?cross-company=true&$filter=${encodeURIComponent('IsSalesTaxIncludedInPrice le IsSalesTaxIncludedInPrice')}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('not supported on enumeration values');
  });

  it('SELECT MIN(d.a0) AS s FROM (… WHERE t0.IsSalesTaxIncludedInPrice <= t0.IsSalesTaxIncludedInPrice GROUP BY t0.IsSalesTaxIncludedInPrice) d', async () => {
    const sql = "SELECT MIN(d.a0) AS s FROM (SELECT t0.IsSalesTaxIncludedInPrice AS g0, COUNT(CHARINDEX('a', t0.CustomerAccount)) AS a0 FROM CustomersV3 t0 WHERE t0.IsSalesTaxIncludedInPrice <= t0.IsSalesTaxIncludedInPrice GROUP BY t0.IsSalesTaxIncludedInPrice) d";
    const a = await pushed.query(sql);
    const b = await local.query(sql);
    expect(b.rows).toEqual(a.rows);
    // X <= X holds for every non-null X: the smallest per-member count of CustomerAccount
    const raw = (await local.query('SELECT IsSalesTaxIncludedInPrice AS g, CustomerAccount AS c FROM CustomersV3')).rows;
    const counts = new Map<unknown, number>();
    for (const row of raw) if (row.g !== null) counts.set(row.g, (counts.get(row.g) ?? 0) + (row.c === null ? 0 : 1));
    expect(counts.size).toBeGreaterThan(1);
    expect(a.rows).toEqual([{ s: Math.min(...counts.values()) }]);
  });

  it('< and > between two enum columns of one type, and eq still pushed', async () => {
    for (const op of ['<', '>', '>=']) {
      const sql = `SELECT COUNT(*) AS n FROM CustomersV3 t0 WHERE t0.IsSalesTaxIncludedInPrice ${op} t0.IsSalesTaxIncludedInPrice`;
      const a = await pushed.query(sql);
      expect(a.rows).toEqual((await local.query(sql)).rows);
      expect(a.rows[0]!.n).toBe(op === '>=' ? (await pushed.query('SELECT COUNT(IsSalesTaxIncludedInPrice) AS n FROM CustomersV3')).rows[0]!.n : 0);
    }
    const before = emulator.requests().length;
    await pushed.query('SELECT COUNT(*) AS n FROM CustomersV3 t0 WHERE t0.IsSalesTaxIncludedInPrice = t0.IsSalesTaxIncludedInPrice');
    expect(emulator.requests().slice(before).some((r) => decodeURIComponent(r.url).includes('IsSalesTaxIncludedInPrice eq IsSalesTaxIncludedInPrice'))).toBe(true);
  });
});
