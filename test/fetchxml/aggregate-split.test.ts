/**
 * The 50,000-row aggregate limit (here lowered to 40 rows in the emulator): a FetchXML aggregate the
 * service refuses is answered by parts over date ranges, combined exactly (distinct counts:
 * aggregate-split-keys.test.ts, aggregate-split-distinct.test.ts), and EXPLAIN says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { asMultiset, comparable } from '../select/compare-rows.js';

let emulator: RunningEmulator;
let conn: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 150, aggregateLimit: 40 });
  conn = await connect(`Url=${emulator.url};Remote Language=FetchXML`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await conn?.close();
  await local?.close();
  await emulator?.close();
});

async function run(sql: string): Promise<{ rows: string[]; sent: string[] }> {
  const before = emulator.requests().length;
  const result = await conn.query(sql);
  // the metadata API's one read per table (is numberofemployees a choice? pushdown/column-kinds.ts) is not the aggregate's
  const sent = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).filter((url) => !url.includes('EntityDefinitions(') && !url.includes('transactioncurrencies?'));
  return { rows: /ORDER BY/i.test(sql) ? result.rows.map(comparable) : asMultiset(result.rows), sent };
}

describe('a FetchXML aggregate over the service limit', () => {
  it('is split into date ranges, aggregated remotely and combined', async () => {
    const sql = 'SELECT YEAR(createdon) AS y, MONTH(createdon) AS m, COUNT(*) AS n, SUM(revenue) AS r, MIN(numberofemployees) AS lo, MAX(createdon) AS last FROM account GROUP BY YEAR(createdon), MONTH(createdon) ORDER BY y DESC, m';
    const { rows, sent } = await run(sql);
    expect(rows).toEqual((await local.query(sql)).rows.map(comparable));
    // the refused whole, two bounds, seven ranges (some halved again): no page of rows is read
    expect(sent.every((u) => u.includes('fetchXml='))).toBe(true);
    expect(sent.filter((u) => u.includes('top="1"'))).toHaveLength(2);
    expect(sent.filter((u) => u.includes('aggregate="true"')).length).toBeGreaterThanOrEqual(8);
    expect(sent.some((u) => /operator="ge" value="\d{4}-/.test(u))).toBe(true);
  });

  it('an ungrouped count over a filter is split too', async () => {
    const sql = "SELECT COUNT(*) AS n, COUNT(telephone1) AS t FROM account WHERE name NOT LIKE '%[0-9]'";
    expect((await run(sql)).rows).toEqual(asMultiset((await local.query(sql)).rows));
  });

  it('an aggregate finished locally (HAVING, AVG) is split the same way, and its local step runs over the combined groups', async () => {
    const sql = 'SELECT DATEPART(month, createdon) AS q, AVG(numberofemployees) AS e, COUNT(*) AS n FROM account GROUP BY DATEPART(month, createdon) HAVING COUNT(*) > 1 ORDER BY q';
    const { rows, sent } = await run(sql);
    expect(rows).toEqual((await local.query(sql)).rows.map(comparable));
    expect(rows.length).toBeGreaterThan(1);
    expect(sent.every((u) => u.includes('fetchXml='))).toBe(true);
    expect(sent.filter((u) => u.includes('aggregate="true"')).length).toBeGreaterThanOrEqual(8);
  });

  it('a distinct count of text finished locally (HAVING) is counted from the parts\' groups of the column, no row read', async () => {
    const sql = 'SELECT industrycode, COUNT(DISTINCT name) AS d FROM account GROUP BY industrycode HAVING COUNT(*) > 2';
    const { rows, sent } = await run(sql);
    expect(rows).toEqual(asMultiset((await local.query(sql)).rows));
    expect(sent.every((u) => u.includes('fetchXml='))).toBe(true);
    expect(sent.filter((u) => u.includes('<attribute name="name" alias="a1" groupby="true"/>')).length).toBeGreaterThanOrEqual(7);
  });

  it('EXPLAIN names the split', async () => {
    const text = await conn.explain('SELECT YEAR(createdon) AS y, COUNT(*) AS n FROM account GROUP BY YEAR(createdon)');
    expect(text).toContain('the same FetchXML over ranges of createdon, each under the limit, combined');
  });
});
