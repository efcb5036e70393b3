/**
 * The PostgreSQL dialect's numeric division and AVG give PostgreSQL's digits: a scale chosen per value
 * (at least 16 significant digits, counted in base-10,000 digits) and the last digit rounded half away
 * from zero (src/local/postgres-division.ts). Found by the randomized differential test (KNOWN.md #674,
 * #1556, #43681: dynasql cut every quotient at 16 decimals). The expected values come from PostgreSQL
 * itself (PGlite), over the same raw rows read from the emulator.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;
let pg: PGlite;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 300, fuzzData: true });
  pushed = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
  pg = new PGlite();
  // the raw rows the aggregates read, as PostgreSQL holds them
  const raw = await local.query('SELECT statecode, numberofemployees, revenue FROM account');
  // money is numeric(19,4) to a PostgreSQL client (pgwire's column type)
  await pg.exec('CREATE TABLE account (statecode integer, numberofemployees integer, revenue numeric(19,4))');
  const values = raw.rows.map((row) => `(${row.statecode ?? 'NULL'}, ${row.numberofemployees ?? 'NULL'}, ${row.revenue ?? 'NULL'})`);
  await pg.exec(`INSERT INTO account VALUES ${values.join(', ')}`);
}, 60_000);

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
  await pg?.close();
});

/** a numeric's value without the trailing zeros PostgreSQL keeps (1.5000000000000000 is 1.5) */
const value = (text: unknown) => (text === null ? null : String(text).includes('.') ? String(text).replace(/0+$/, '').replace(/\.$/, '') : String(text));

async function postgres(sql: string): Promise<Record<string, unknown>[]> {
  const rows = (await pg.query<Record<string, unknown>>(sql)).rows;
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, value(v)])));
}

async function dynasql(conn: Connection, sql: string): Promise<Record<string, unknown>[]> {
  const rows = (await conn.query(sql, [], { dialect: 'postgresql' })).rows;
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, value(v)])));
}

describe('PostgreSQL dialect: numeric division picks its scale per value and rounds', () => {
  it.each([
    ['1 / 3.0', '0.33333333333333333333'],
    ['1270604 / 120.0', '10588.366666666667'],
    ['123 / 11.7', '10.5128205128205128'],
    ['-2 / 3.0', '-0.66666666666666666667'],
    ['5 / 30000.0', '0.00016666666666666667'],
    ['10.00 / 4', '2.5'],
    ['0 / 7.0', '0'],
    ['2 / 100.125', '0.01997503121098626717'],
    ['(7.5 / 2.5) / 3', '1'],
    ['(1 / 3.0) / 7', '0.04761904761904761905'],
  ])('SELECT %s', async (expression, expected) => {
    const sql = `SELECT ${expression} AS q`;
    const [theirs] = await postgres(sql);
    expect(theirs).toEqual({ q: expected });
    expect(await dynasql(local, sql)).toEqual([{ q: expected }]);
  });

  it('a quotient below 1e-4, which PostgreSQL gives 24 decimals, is rounded at 20 (documented)', async () => {
    const sql = 'SELECT 1 / 30000.0 AS q';
    expect(await postgres(sql)).toEqual([{ q: '0.000033333333333333333333' }]);
    expect(await dynasql(local, sql)).toEqual([{ q: '0.00003333333333333333' }]);
  });
});

describe('PostgreSQL dialect: AVG is the sum\'s numeric division by the count', () => {
  it.each([
    // KNOWN #43681, as the fuzzer reduced it: 10588.3675213675213675 where PostgreSQL says 10588.367521367521
    'WITH w AS (SELECT t0.statecode AS g0, AVG(t0.numberofemployees) AS a1 FROM account t0 GROUP BY t0.statecode) SELECT MAX(d.a1) AS s FROM w d',
    'SELECT statecode, AVG(numberofemployees) AS a FROM account GROUP BY statecode ORDER BY statecode',
    'SELECT AVG(numberofemployees) AS a, AVG(numberofemployees) / 3 AS b, AVG(numberofemployees) * 2 / 7 AS c FROM account',
    'SELECT AVG(numberofemployees) AS a FROM account WHERE numberofemployees < 40',
    // money: numeric(19,4) to a PostgreSQL client, so its average and quotients are numeric ones too
    'SELECT AVG(revenue) AS a, AVG(revenue) / 7 AS b FROM account',
    'SELECT statecode, SUM(revenue) / 3 AS q, AVG(revenue / 0.5) AS r FROM account GROUP BY statecode ORDER BY statecode',
    // KNOWN #36: sums past HUGEINT's 38 digits once scaled (long division); quotients of quotients
    'SELECT SUM(revenue) / SUM(revenue / 0.7) AS a, MAX((revenue / 0.5) / (revenue / 0.3)) AS b FROM account',
  ])('%s', async (sql) => {
    const expected = await postgres(sql);
    expect(expected.length).toBeGreaterThan(0);
    // whole answers only: PostgreSQL gives these 12 to 20 decimals, dynasql used to cut at 16
    expect(await dynasql(local, sql)).toEqual(expected);
    expect(await dynasql(pushed, sql)).toEqual(expected);
  });
});
