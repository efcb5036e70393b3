/**
 * `COUNT_BIG(*)` counts rows as a bigint (T-SQL). node-sql-parser's T-SQL grammar allows `*` in COUNT
 * only, so it reached users as a syntax error (fuzz KNOWN #30).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 60 });
  conn = await connect(`Url=${emulator.url}`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

describe('COUNT_BIG(*)', () => {
  it('counts each group as COUNT(*) does, typed bigint', async () => {
    const big = await conn.query('SELECT t0.familystatuscode AS g, COUNT_BIG(*) AS a0 FROM contact t0 GROUP BY t0.familystatuscode ORDER BY g');
    const plain = await conn.query('SELECT t0.familystatuscode AS g, COUNT(*) AS a0 FROM contact t0 GROUP BY t0.familystatuscode ORDER BY g');
    expect(big.rows).toEqual(plain.rows);
    expect(big.rows.length).toBeGreaterThan(1);
    expect(big.columns.find((c) => c.name === 'a0')?.type).toBe('bigint');
  });

  it('works over a window and beside a column named count_big', async () => {
    const { rows } = await conn.query('SELECT TOP 1 COUNT_BIG(*) OVER () AS n, COUNT_BIG(t0.contactid) AS m FROM contact t0 GROUP BY t0.contactid');
    const total = (await conn.query('SELECT COUNT(*) AS n FROM contact')).rows[0]!.n;
    expect(rows).toEqual([{ n: total, m: 1 }]);
  });
});
