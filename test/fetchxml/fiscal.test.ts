/**
 * FISCAL_YEAR() / FISCAL_PERIOD() (issue 18: fiscal date grouping) under three organizations'
 * fiscal settings: the emulator's default (1 January, quarters, named by the start), 1 July with
 * quarters named by the year they end in, and 15 April with 28-day periods. Pushed (FetchXML's
 * `fiscal-year` / `fiscal-period` dategrouping, fiscal-year filters as date ranges) and local answers
 * are equal, and the emulator's own fiscal condition operators keep the rows the driver's local form
 * counts (two implementations that share nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { asMultiset } from '../select/compare-rows.js';

let emulator: RunningEmulator;
let orgUrl: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 60, now: () => new Date('2024-05-15T12:00:00Z') });
  const response = await fetch(`${emulator.url}organizations?$select=organizationid`);
  const id = ((await response.json()) as { value: { organizationid: string }[] }).value[0]!.organizationid;
  orgUrl = `${emulator.url}organizations(${id})`;
});

afterAll(async () => {
  await emulator?.close();
});

async function setFiscal(start: string, periodType: number, displayCode: number): Promise<void> {
  const response = await fetch(orgUrl, {
    method: 'PATCH', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ fiscalcalendarstart: start, fiscalperiodtype: periodType, fiscalyeardisplaycode: displayCode }),
  });
  expect(response.status).toBe(204);
}

/** the statement's requests on `conn`, decoded, and its rows as a multiset */
async function run(conn: Connection, sql: string, dialect?: 'postgresql'): Promise<{ rows: string[]; urls: string[] }> {
  const before = emulator.requests().length;
  const result = await conn.query(sql, undefined, dialect ? { dialect } : {});
  return { rows: asMultiset(result.rows), urls: emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)) };
}

/** the row count of a FetchXML filter on account.createdon, asked of the emulator directly */
async function fetchCount(condition: string): Promise<number> {
  const fetchXml = `<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="n" aggregate="count"/><filter>${condition}</filter></entity></fetch>`;
  const response = await fetch(`${emulator.url}accounts?fetchXml=${encodeURIComponent(fetchXml)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { value: { n: number }[] }).value[0]!.n;
}

const SETTINGS: { title: string; start: string; type: number; code: number; year: number; periods: number }[] = [
  { title: '1 January, quarters', start: '2000-01-01T00:00:00Z', type: 2002, code: 1, year: 2023, periods: 4 },
  { title: '1 July, quarters, named by the end', start: '2019-07-01T00:00:00Z', type: 2002, code: 2, year: 2024, periods: 4 },
  { title: '15 April, 28-day periods', start: '2010-04-15T00:00:00Z', type: 2004, code: 1, year: 2023, periods: 13 },
];

for (const s of SETTINGS) {
  describe(`fiscal functions: ${s.title}`, () => {
    const conns: Record<'auto' | 'fetchxml' | 'odata' | 'off', Connection> = {} as never;

    beforeAll(async () => {
      await setFiscal(s.start, s.type, s.code);
      conns.auto = await connect(`Url=${emulator.url}`);
      conns.fetchxml = await connect(`Url=${emulator.url};Remote Language=FetchXML`);
      conns.odata = await connect(`Url=${emulator.url};Remote Language=OData`);
      conns.off = await connect(`Url=${emulator.url};Pushdown=false`);
    });

    afterAll(async () => {
      for (const conn of Object.values(conns)) await conn?.close();
    });

    async function same(sql: string, dialect?: 'postgresql'): Promise<Record<keyof typeof conns, { rows: string[]; urls: string[] }>> {
      const out = {} as Record<keyof typeof conns, { rows: string[]; urls: string[] }>;
      for (const name of ['off', 'auto', 'fetchxml', 'odata'] as const) out[name] = await run(conns[name], sql, dialect);
      expect(out.off.rows.length).toBeGreaterThan(0);
      for (const name of ['auto', 'fetchxml', 'odata'] as const) expect(out[name].rows, name).toEqual(out.off.rows);
      return out;
    }

    it('GROUP BY fiscal year and period is FetchXML dategrouping, equal to the local answer', async () => {
      const sql = 'SELECT FISCAL_YEAR(createdon) AS y, FISCAL_PERIOD(createdon) AS p, COUNT(*) AS n, SUM(numberofemployees) AS e FROM account GROUP BY FISCAL_YEAR(createdon), FISCAL_PERIOD(createdon)';
      const out = await same(sql);
      expect(await conns.auto.explain(sql)).toContain('<attribute name="createdon" alias="g2" groupby="true" dategrouping="fiscal-period" usertimezone="false" />');
      const fetches = out.auto.urls.filter((u) => u.includes('fetchXml='));
      expect(fetches.join('\n')).toMatch(/dategrouping="fiscal-year" usertimezone="false"/);
      expect(fetches.join('\n')).toMatch(/dategrouping="fiscal-period" usertimezone="false"/);
      // the settings are read once per connection, before the first statement that uses them
      expect(out.off.urls.filter((u) => u.includes('organizations')).length).toBe(1);
      for (const row of (await conns.off.query('SELECT DISTINCT FISCAL_PERIOD(createdon) AS p FROM account')).rows) {
        expect(row.p).toBeGreaterThanOrEqual(1);
        expect(row.p).toBeLessThanOrEqual(s.periods);
      }
    });

    it('ORDER BY over fiscal groups, and FISCAL_YEAR grouped alone', async () => {
      await same('SELECT FISCAL_YEAR(createdon) AS y, COUNT(*) AS n, MAX(createdon) AS last FROM account GROUP BY FISCAL_YEAR(createdon) ORDER BY y DESC');
    });

    it('FISCAL_PERIOD grouped without the year stays local, with the same answer', async () => {
      const out = await same('SELECT FISCAL_PERIOD(createdon) AS p, COUNT(*) AS n FROM account GROUP BY FISCAL_PERIOD(createdon)');
      expect(out.fetchxml.urls.join('\n')).not.toMatch(/fiscal-period/);
      expect(await conns.fetchxml.explain('SELECT FISCAL_PERIOD(createdon) AS p, COUNT(*) AS n FROM account GROUP BY FISCAL_PERIOD(createdon)'))
        .toContain('FISCAL_PERIOD without FISCAL_YEAR');
    });

    it('a fiscal year in WHERE is a range of the date, in both languages', async () => {
      const sql = `SELECT name, createdon FROM account WHERE FISCAL_YEAR(createdon) = ${s.year}`;
      const out = await same(sql);
      const range = await conns.odata.explain(sql);
      expect(range).toMatch(/createdon ge \d{4}-\d{2}-\d{2}T00:00:00(\.000)?Z and createdon lt \d{4}-\d{2}-\d{2}T00:00:00(\.000)?Z/);
      expect(out.odata.urls.join('\n')).not.toContain('FISCAL');
      expect(await conns.fetchxml.explain(sql)).toMatch(/operator="ge"[^\n]*\n[^\n]*operator="lt"|operator="ge".*operator="lt"/s);
    });

    it('<>, <, >= and BETWEEN of fiscal years, a period condition beside them, and the mirrored form', async () => {
      await same(`SELECT name FROM account WHERE FISCAL_YEAR(createdon) <> ${s.year + 5} AND FISCAL_PERIOD(createdon) = 2`);
      await same(`SELECT name FROM account WHERE FISCAL_YEAR(createdon) < ${s.year} OR ${s.year} <= FISCAL_YEAR(createdon) AND FISCAL_PERIOD(createdon) >= 2`);
      await same(`SELECT COUNT(*) AS n FROM account WHERE FISCAL_YEAR(createdon) BETWEEN ${s.year - 1} AND ${s.year}`);
      await same(`SELECT name FROM account WHERE NOT (FISCAL_YEAR(createdon) >= ${s.year + 1})`);
    });

    it('PostgreSQL spells them fiscal_year / fiscal_period', async () => {
      await same(`SELECT fiscal_year(createdon) AS y, fiscal_period(createdon) AS p, count(*) AS n FROM account WHERE fiscal_year(createdon) >= ${s.year - 1} GROUP BY fiscal_year(createdon), fiscal_period(createdon)`, 'postgresql');
    });

    it('the emulator\'s fiscal operators keep the rows the local form counts', async () => {
      const local = async (where: string) => Number(Object.values((await conns.off.query(`SELECT COUNT(*) AS n FROM account WHERE ${where}`)).rows[0]!)[0]);
      const cond = (op: string, ...values: number[]) => (values.length < 2
        ? `<condition attribute="createdon" operator="${op}"${values.length ? ` value="${values[0]}"` : ''}/>`
        : `<condition attribute="createdon" operator="${op}">${values.map((v) => `<value>${v}</value>`).join('')}</condition>`);
      const yearCount = await local(`FISCAL_YEAR(createdon) = ${s.year}`);
      expect(yearCount).toBeGreaterThan(0);
      expect(await fetchCount(cond('in-fiscal-year', s.year))).toBe(yearCount);
      expect(await fetchCount(cond('in-fiscal-period', 2))).toBe(await local('FISCAL_PERIOD(createdon) = 2'));
      expect(await fetchCount(cond('in-fiscal-period-and-year', 2, s.year))).toBe(await local(`FISCAL_YEAR(createdon) = ${s.year} AND FISCAL_PERIOD(createdon) = 2`));
      expect(await fetchCount(cond('in-or-before-fiscal-period-and-year', 2, s.year)))
        .toBe(await local(`FISCAL_YEAR(createdon) < ${s.year} OR FISCAL_YEAR(createdon) = ${s.year} AND FISCAL_PERIOD(createdon) <= 2`));
      expect(await fetchCount(cond('in-or-after-fiscal-period-and-year', 2, s.year)))
        .toBe(await local(`FISCAL_YEAR(createdon) > ${s.year} OR FISCAL_YEAR(createdon) = ${s.year} AND FISCAL_PERIOD(createdon) >= 2`));
      // the emulator's clock: 15 May 2024
      const now = "CAST('2024-05-15T12:00:00' AS datetime2)";
      expect(await fetchCount(cond('this-fiscal-year'))).toBe(await local(`FISCAL_YEAR(createdon) = FISCAL_YEAR(${now})`));
      expect(await fetchCount(cond('last-fiscal-year'))).toBe(await local(`FISCAL_YEAR(createdon) = FISCAL_YEAR(${now}) - 1`));
      expect(await fetchCount(cond('this-fiscal-period')))
        .toBe(await local(`FISCAL_YEAR(createdon) = FISCAL_YEAR(${now}) AND FISCAL_PERIOD(createdon) = FISCAL_PERIOD(${now})`));
      expect(await fetchCount(cond('in-fiscal-period', s.periods + 1))).toBe(0);
    });

    it('the fiscal operators as SQL predicates go as FetchXML conditions', async () => {
      const count = async (conn: Connection, where: string) => Number(Object.values((await conn.query(`SELECT COUNT(*) AS n FROM account WHERE ${where}`)).rows[0]!)[0]);
      const cases: [string, string][] = [
        [`IN_FISCAL_YEAR(createdon, ${s.year})`, `FISCAL_YEAR(createdon) = ${s.year}`],
        [`INFISCALPERIODANDYEAR(createdon, 2, ${s.year})`, `FISCAL_YEAR(createdon) = ${s.year} AND FISCAL_PERIOD(createdon) = 2`],
        ['IN_FISCAL_PERIOD(createdon, 1)', 'FISCAL_PERIOD(createdon) = 1'],
        ['THIS_FISCAL_YEAR(createdon)', "FISCAL_YEAR(createdon) = FISCAL_YEAR(CAST('2024-05-15T12:00:00' AS datetime2))"],
      ];
      for (const [predicate, local] of cases) {
        const before = emulator.requests().length;
        expect(await count(conns.auto, predicate), predicate).toBe(await count(conns.off, local));
        expect(emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).join('\n')).toContain('operator="');
      }
      expect(await conns.auto.explain(`SELECT name FROM account WHERE IN_OR_AFTER_FISCAL_PERIOD_AND_YEAR(createdon, 3, ${s.year})`))
        .toMatch(new RegExp(`<condition attribute="createdon" operator="in-or-after-fiscal-period-and-year">\\s*<value>3</value>\\s*<value>${s.year}</value>\\s*</condition>`));
    });
  });
}

describe('fiscal functions: writes and refusals', () => {
  it('a write\'s WHERE reads the settings too (a fresh connection): the rows it changes are those FISCAL_YEAR / FISCAL_PERIOD select', async () => {
    await setFiscal('2019-07-01T00:00:00Z', 2002, 2);
    const conn = await connect(`Url=${emulator.url}`);
    try {
      const where = 'FISCAL_YEAR(createdon) = 2024 AND FISCAL_PERIOD(createdon) = 2';
      const expected = Number(Object.values((await conn.query(`SELECT COUNT(*) AS n FROM account WHERE ${where}`)).rows[0]!)[0]);
      expect(expected).toBeGreaterThan(0);
      const fresh = await connect(`Url=${emulator.url}`);
      try {
        const result = await fresh.query(`UPDATE account SET description = 'FY2024 Q2' WHERE ${where}`);
        expect(result.rowCount).toBe(expected);
      } finally {
        await fresh.close();
      }
      const marked = await conn.query("SELECT COUNT(*) AS n FROM account WHERE description = 'FY2024 Q2'");
      expect(Number(Object.values(marked.rows[0]!)[0])).toBe(expected);
    } finally {
      await conn.close();
    }
  });

  it('F&O has no fiscal settings: refused with a code, naming the function', async () => {
    const finops = await startEmulator({ port: 0, edition: 'finops', rows: 5 });
    const conn = await connect(`Url=${finops.url}`);
    try {
      await expect(conn.query('SELECT FISCAL_YEAR(CreatedDateTime) AS y FROM CustomersV3')).rejects.toMatchObject({
        code: 'DYNASQL_ERR_UNSUPPORTED_SQL', message: expect.stringContaining('FISCAL_YEAR()'),
      });
    } finally {
      await conn.close();
      await finops.close();
    }
  });

  it('startEmulator({ fiscal }) seeds the organization\'s settings, and reset() keeps them', async () => {
    const own = await startEmulator({ port: 0, rows: 5, fiscal: { fiscalcalendarstart: '2020-04-01T00:00:00Z', fiscalperiodtype: 2003, fiscalyeardisplaycode: 2 } });
    try {
      const read = async () => ((await (await fetch(`${own.url}organizations?$select=fiscalcalendarstart,fiscalperiodtype,fiscalyeardisplaycode`)).json()) as { value: Record<string, unknown>[] }).value[0];
      expect(await read()).toMatchObject({ fiscalperiodtype: 2003, fiscalyeardisplaycode: 2 });
      own.reset();
      expect(await read()).toMatchObject({ fiscalperiodtype: 2003, fiscalyeardisplaycode: 2 });
    } finally {
      await own.close();
    }
  });

  it('wrong arity is a syntax error before any request', async () => {
    const conn = await connect(`Url=${emulator.url}`);
    try {
      const before = emulator.requests().length;
      await expect(conn.query('SELECT FISCAL_YEAR(createdon, 1) FROM account')).rejects.toMatchObject({ code: 'DYNASQL_ERR_SYNTAX' });
      expect(emulator.requests().length).toBe(before);
    } finally {
      await conn.close();
    }
  });
});
