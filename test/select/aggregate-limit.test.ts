/**
 * Aggregates go out as `$apply`; when the service refuses with its aggregate record limit
 * (0x8004E023, here lowered to 5 rows in the emulator), the same aggregate as FetchXML by parts over
 * ranges (Dataverse, Remote Language=Auto), and, as the last resort, the statement reads the rows and
 * aggregates locally, with the same result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 20, aggregateLimit: 5 });
  conn = await connect(`Url=${emulator.url}`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

/** the URLs sent since `before`, without the once-per-connection currency read (pushdown/money-aggregates.ts) */
const sentSince = (before: number): string[] =>
  emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).filter((url) => !url.includes('transactioncurrencies?'));

describe('the 50,000-row aggregate limit', () => {
  it('falls back to local aggregation and still answers', async () => {
    // OData forced: with Auto, FetchXML answers it by parts first (the next test)
    const odata = await connect(`Url=${emulator.url};Remote Language=OData`);
    const before = emulator.requests().length;
    const result = await odata.query('SELECT statecode, COUNT(*) AS n, SUM(revenue) AS total FROM account GROUP BY statecode');
    await odata.close();
    // the $apply request is refused (over 5 rows), then the rows are read and aggregated locally
    const sent = sentSince(before);
    expect(sent).toEqual([
      '/api/data/v9.2/accounts?$apply=groupby((statecode),aggregate($count as a1,revenue with sum as a2,revenue with max as a3))',
      '/api/data/v9.2/accounts?$select=revenue,statecode',
    ]);
    const rows = (await conn.query('SELECT statecode, revenue FROM account')).rows;
    const expected = new Map<unknown, number>();
    for (const row of rows) expected.set(row.statecode, (expected.get(row.statecode) ?? 0) + 1);
    expect(new Map(result.rows.map((r) => [r.statecode, r.n]))).toEqual(expected);
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([['statecode', 'int'], ['n', 'int'], ['total', 'money']]);
  });

  it('a refused $apply aggregate whose groups are the result: FetchXML by ranges of createdon before every row is read', async () => {
    const sql = 'SELECT statecode, COUNT(*) AS n, SUM(revenue) AS total FROM account GROUP BY statecode';
    const before = emulator.requests().length;
    const result = await conn.query(sql);
    const sent = sentSince(before);
    expect(sent[0]).toContain('$apply=groupby((statecode)');
    expect(sent.slice(1).every((u) => u.includes('fetchXml='))).toBe(true);
    // the whole is not asked again as FetchXML: the two bounds come next
    expect(sent.slice(1, 3).every((u) => u.includes('top="1"'))).toBe(true);
    expect(sent.filter((u) => u.includes('<condition attribute="createdon" operator="ge"')).length).toBeGreaterThanOrEqual(6);
    const off = await connect(`Url=${emulator.url};Pushdown=false`);
    const expected = (await off.query(sql)).rows;
    await off.close();
    const sorted = (rows: typeof expected) => rows.map((r) => JSON.stringify(r)).sort();
    expect(sorted(result.rows)).toEqual(sorted(expected));
    const text = await conn.explain(sql);
    expect(text).toMatch(/if the service refuses the aggregate \(50,000-row limit\): GET \S+accounts\?fetchXml=\S+ \(FetchXML\) over ranges of createdon, each under the limit, combined/);
    expect(text).toContain('last resort, if a part is refused too: GET');
  });

  it('HAVING over a refused $apply aggregate: the rows are read and grouped locally, HAVING applied once', async () => {
    // OData forced: with Auto, FetchXML answers this one by date-range parts (fetchxml-aggregate.ts)
    const odata = await connect(`Url=${emulator.url};Remote Language=OData`);
    const before = emulator.requests().length;
    const result = await odata.query('SELECT statecode, COUNT(*) AS n FROM account GROUP BY statecode HAVING COUNT(*) > 1');
    await odata.close();
    expect(sentSince(before)).toEqual([
      '/api/data/v9.2/accounts?$apply=groupby((statecode),aggregate($count as a1))',
      '/api/data/v9.2/accounts?$select=statecode',
    ]);
    const counts = new Map<unknown, number>();
    for (const row of (await conn.query('SELECT statecode FROM account')).rows) counts.set(row.statecode, (counts.get(row.statecode) ?? 0) + 1);
    expect(new Map(result.rows.map((r) => [r.statecode, r.n]))).toEqual(new Map([...counts].filter(([, n]) => n > 1)));
  });

  it('under the limit the service aggregates', async () => {
    const before = emulator.requests().length;
    const result = await conn.query("SELECT COUNT(*) AS n FROM account WHERE name = 'Fourth Coffee (sample)'");
    expect(sentSince(before)).toEqual([
      "/api/data/v9.2/accounts?$apply=filter(name eq 'Fourth Coffee (sample)')/aggregate($count as a1)",
    ]);
    expect(result.rows).toEqual([{ n: 1 }]);
  });

  it('EXPLAIN names the fallback', async () => {
    const text = await conn.explain('SELECT COUNT(*) AS n FROM account');
    expect(text).toContain(`Remote  GET ${emulator.url}accounts?$apply=aggregate($count%20as%20a1)`);
    expect(text).toContain("if the service refuses the aggregate (50,000-row limit)");
    expect(text).toContain('Result  straight from the service');
  });
});
