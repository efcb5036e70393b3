/**
 * SUM / AVG / MIN / MAX of a money column in an org with more than one currency (issue 18;
 * src/pushdown/money-aggregates.ts), end to end against the emulator's two modes: with several
 * currencies the service aggregates the base-currency values, so these stay local and give the sums
 * of the records' own values; with one currency they go to the service as before. Whether there is
 * more than one currency is one request per connection, made only by a statement that needs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { startLoopbackServer, type LoopbackServer } from '../http/loopback-server.js';

/** the statements as the brief found them wrong */
const AS_FOUND = [
  'SELECT SUM(revenue) FROM account',
  'SELECT AVG(revenue), MAX(revenue) FROM account GROUP BY address1_city',
];
/** their kin: every value aggregate, grouped and not, with a filter, and a second money table */
const KIN = [
  'SELECT MIN(revenue) AS lo, MAX(revenue) AS hi, COUNT(*) AS n FROM account',
  "SELECT address1_city, SUM(revenue) AS s FROM account WHERE address1_city <> 'Seattle' GROUP BY address1_city ORDER BY address1_city",
  'SELECT statecode, AVG(estimatedvalue) AS a, SUM(estimatedvalue) AS s FROM opportunity GROUP BY statecode ORDER BY statecode',
];

let single: RunningEmulator;
let multi: RunningEmulator;
const conns: Connection[] = [];

beforeAll(async () => {
  [single, multi] = await Promise.all([startEmulator({ port: 0, rows: 60, seed: 3 }), startEmulator({ port: 0, rows: 60, seed: 3, multiCurrency: true })]);
});

afterAll(async () => {
  for (const c of conns) await c.close();
  await Promise.all([single, multi].map((e) => e?.close()));
});

async function open(url: string, settings = ''): Promise<Connection> {
  const conn = await connect(`Url=${url};${settings}`);
  conns.push(conn);
  return conn;
}

/** the statement's rows and the URLs it sent, decoded */
async function run(on: RunningEmulator, conn: Connection, sql: string): Promise<{ rows: Record<string, unknown>[]; sent: string[] }> {
  const before = on.requests().length;
  const { rows } = await conn.query(sql);
  return { rows, sent: on.requests().slice(before).map((r) => decodeURIComponent(r.url)) };
}

const CURRENCY_CHECK = 'transactioncurrencies?$select=transactioncurrencyid&$top=2';
const currencyChecks = (sent: string[]) => sent.filter((url) => url.includes('transactioncurrencies?'));
const MONEY_AGGREGATE_SENT = /(revenue|estimatedvalue) with (sum|average|min|max)|"(revenue|estimatedvalue)" alias="[^"]*" aggregate="(sum|avg|min|max)"/;

/** exact sum of 4-decimal values */
const sum4 = (values: number[]) => values.reduce((s, v) => s + Math.round(v * 10_000), 0) / 10_000;

describe('an org with more than one currency', () => {
  it.each(['OData', 'FetchXML', 'Auto'])('answers SUM(revenue) with the sum of the records\' own values (Remote Language=%s)', async (language) => {
    const conn = await open(multi.url, `Remote Language=${language}`);
    const own = (await open(multi.url, 'Pushdown=false')).query('SELECT revenue, revenue_base FROM account WHERE revenue IS NOT NULL');
    const values = (await own).rows;
    const { rows, sent } = await run(multi, conn, AS_FOUND[0]!);
    expect(Number(Object.values(rows[0]!)[0])).toBe(sum4(values.map((r) => Number(r.revenue))));
    // the service's answer would have been the base values' sum
    expect(sum4(values.map((r) => Number(r.revenue_base)))).not.toBe(sum4(values.map((r) => Number(r.revenue))));
    expect(sent.join('\n')).not.toMatch(MONEY_AGGREGATE_SENT);
  });

  it.each(['OData', 'FetchXML', 'Auto'])('gives push-down off\'s rows for every money aggregate (Remote Language=%s)', async (language) => {
    const off = await open(multi.url, 'Pushdown=false');
    const conn = await open(multi.url, `Remote Language=${language}`);
    for (const sql of [...AS_FOUND, ...KIN]) {
      const { rows, sent } = await run(multi, conn, sql);
      expect(rows, sql).toEqual((await off.query(sql)).rows);
      expect(sent.join('\n'), sql).not.toMatch(MONEY_AGGREGATE_SENT);
    }
  });

  it('asks once per connection, and only for a statement that would send such an aggregate', async () => {
    const conn = await open(multi.url);
    for (const sql of [
      'SELECT SUM(numberofemployees) AS s FROM account',
      'SELECT COUNT(revenue) AS n FROM account',
      'SELECT SUM(revenue_base) AS s FROM account',
      'SELECT revenue FROM account WHERE revenue > 1000000',
    ]) {
      const { sent } = await run(multi, conn, sql);
      expect(currencyChecks(sent), sql).toEqual([]);
    }
    // a base-currency column's aggregate is exact: it still goes to the service
    expect((await run(multi, conn, 'SELECT SUM(revenue_base) AS s FROM account')).sent.at(-1)).toContain('revenue_base with sum');
    let { sent } = await run(multi, conn, AS_FOUND[0]!);
    expect(currencyChecks(sent)).toEqual([expect.stringContaining(CURRENCY_CHECK)]);
    for (const sql of [...AS_FOUND, ...KIN]) {
      ({ sent } = await run(multi, conn, sql));
      expect(currencyChecks(sent), sql).toEqual([]);
    }
  });

  it('still sends the filter and reads only the columns the local aggregate needs', async () => {
    const conn = await open(multi.url, 'Remote Language=OData');
    const { sent } = await run(multi, conn, "SELECT SUM(revenue) AS s FROM account WHERE address1_city = 'Redmond'");
    expect(sent.at(-1)).toMatch(/accounts\?\$select=revenue&\$filter=address1_city eq 'Redmond'/);
  });

  it('EXPLAIN says why', async () => {
    const conn = await open(multi.url, 'Remote Language=FetchXML');
    const plan = (await conn.query('EXPLAIN SELECT SUM(revenue) FROM account')).rows.map((r) => r.plan).join('\n');
    expect(plan).toContain('revenue is money in each record\'s currency and the org has more than one currency');
  });
});

describe('an org with one currency', () => {
  it('sends the aggregates to the service as before, after one currency request', async () => {
    const conn = await open(single.url, 'Remote Language=OData');
    let { sent } = await run(single, conn, AS_FOUND[0]!);
    expect(currencyChecks(sent)).toHaveLength(1);
    expect(sent.at(-1)).toContain('$apply=aggregate(revenue with sum as a1');
    ({ sent } = await run(single, conn, 'SELECT address1_city, MAX(revenue) AS m FROM account GROUP BY address1_city'));
    expect(currencyChecks(sent)).toEqual([]);
    expect(sent.at(-1)).toContain('groupby((address1_city),aggregate(revenue with max as');
    const fetch = await open(single.url, 'Remote Language=FetchXML');
    ({ sent } = await run(single, fetch, AS_FOUND[1]!));
    expect(sent.join('\n')).toMatch(/"revenue" alias="[^"]*" aggregate="max"/);
  });
});

describe('when the service does not answer the currency request', () => {
  let proxy: LoopbackServer;

  beforeAll(async () => {
    // a single-currency org behind a proxy that refuses the currency read
    proxy = await startLoopbackServer(async (req, res, body) => {
      if (req.url!.includes('/transactioncurrencies?')) {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: '0x80040220', message: 'Principal user is missing prvReadTransactionCurrency privilege.' } }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      const answer = await fetch(`${single.origin}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      const kept = ['content-type', 'odata-version', 'preference-applied', 'odata-entityid'];
      res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([k]) => kept.includes(k)))).end(Buffer.from(await answer.arrayBuffer()));
    });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('computes the money aggregates locally, with the right rows, and asks once', async () => {
    const conn = await open(`${proxy.url}/api/data/v9.2/`);
    const off = await open(single.url, 'Pushdown=false');
    for (const sql of [...AS_FOUND, ...KIN]) {
      const { rows, sent } = await run(single, conn, sql);
      expect(rows, sql).toEqual((await off.query(sql)).rows);
      expect(sent.join('\n'), sql).not.toMatch(MONEY_AGGREGATE_SENT);
    }
    expect(proxy.requests.filter((r) => r.url.includes('/transactioncurrencies?'))).toHaveLength(1);
  });
});
