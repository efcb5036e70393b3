/**
 * SUM / AVG / MIN / MAX of a choice or a yes/no column, end to end: the service refuses them
 * (the emulator as it does: emulator/query/value-aggregates.ts), so push-down keeps them local
 * (pushdown/value-aggregates.ts) in every Remote Language, and the statements answer as push-down
 * off does; COUNT and GROUP BY of those columns still go to the service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

/** the statements as the note found them, and their grouped, HAVING, by-parts and yes/no kin */
const STATEMENTS = [
  'SELECT MAX(industrycode), MIN(industrycode) FROM account',
  'SELECT SUM(industrycode) AS s, AVG(statecode) AS a FROM account WHERE statecode = 0',
  'SELECT statecode, MAX(statuscode) AS m, SUM(statuscode) AS s FROM account GROUP BY statecode ORDER BY statecode',
  'SELECT industrycode, COUNT(*) AS n FROM account GROUP BY industrycode HAVING MAX(statuscode) >= 1 ORDER BY industrycode',
  'SELECT count(*) AS n, count(DISTINCT name) AS d, max(statecode) AS m FROM account',
  'SELECT name, MAX(CAST(creditonhold AS int)) AS m, SUM(CAST(donotemail AS int)) AS s FROM account GROUP BY name ORDER BY name',
];

let emulator: RunningEmulator;
const conns: Connection[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 60 });
});

afterAll(async () => {
  for (const c of conns) await c.close();
  await emulator?.close();
});

async function open(settings: string): Promise<Connection> {
  const conn = await connect(`Url=${emulator.url};${settings}`);
  conns.push(conn);
  return conn;
}

/** each statement's rows with push-down off */
const expected = new Map<string, unknown[]>();

describe('aggregates of choice and yes/no columns', () => {
  beforeAll(async () => {
    const off = await open('Pushdown=false');
    for (const sql of STATEMENTS) expected.set(sql, (await off.query(sql)).rows);
  });

  it.each(['OData', 'FetchXML', 'Auto'])('answer as push-down off does with Remote Language=%s, no aggregate of them sent', async (language) => {
    const conn = await open(`Remote Language=${language}`);
    for (const sql of STATEMENTS) {
      const before = emulator.requests().length;
      const { rows } = await conn.query(sql);
      expect(rows, sql).toEqual(expected.get(sql));
      const sent = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).join('\n');
      expect(sent, sql).not.toMatch(/(code|creditonhold|donotemail) with (sum|average|min|max)|(code|creditonhold|donotemail)" alias="[^"]*" aggregate="(sum|avg|min|max)"/);
    }
  });

  it("MAX and MIN of a choice are the rows' own extremes", async () => {
    const conn = await open('');
    const { rows } = await conn.query('SELECT MAX(industrycode) AS hi, MIN(industrycode) AS lo FROM account');
    const codes = (await conn.query('SELECT industrycode FROM account WHERE industrycode IS NOT NULL')).rows.map((r) => r.industrycode as number);
    expect(codes.length).toBeGreaterThan(1);
    expect(rows).toEqual([{ hi: Math.max(...codes), lo: Math.min(...codes) }]);
  });

  it('COUNT, COUNT(DISTINCT) and GROUP BY of a choice still go to the service', async () => {
    const conn = await open('Remote Language=Auto');
    const before = emulator.requests().length;
    const sql = 'SELECT industrycode, COUNT(*) AS n, COUNT(DISTINCT statuscode) AS d FROM account GROUP BY industrycode';
    const { rows } = await conn.query(sql);
    expect(decodeURIComponent(emulator.requests()[before]!.url)).toContain('aggregate="countcolumn" distinct="true"');
    expect(rows.reduce((s, r) => s + (r.n as number), 0)).toBe(60);
  });
});
