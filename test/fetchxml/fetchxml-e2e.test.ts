/**
 * FetchXML end to end against the emulator: each kind of statement FetchXML answers whole (filters,
 * paging with cookies, semi- and anti-joins, joins on any columns, date-bucketed and distinct
 * aggregates) gives the same rows with `Remote Language=FetchXML`, `=OData`, `=Auto` and with
 * push-down off, and the FetchXML connection sends the FetchXML request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { asMultiset, comparable } from '../select/compare-rows.js';

let emulator: RunningEmulator;
const conns: Record<'fetchxml' | 'odata' | 'auto' | 'off', Connection> = {} as never;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 120 });
  // a small page, so that reads of a few dozen rows page with cookies
  conns.fetchxml = await connect(`Url=${emulator.url};Remote Language=FetchXML;Page Size=17`);
  conns.odata = await connect(`Url=${emulator.url};Remote Language=OData;Page Size=17`);
  conns.auto = await connect(`Url=${emulator.url};Page Size=17`);
  conns.off = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  for (const conn of Object.values(conns)) await conn?.close();
  await emulator?.close();
});

/** the statement's FetchXML requests, decoded, when run on `conn` */
async function fetchRequests(conn: Connection, sql: string): Promise<{ rows: string[]; fetches: string[] }> {
  const before = emulator.requests().length;
  const result = await conn.query(sql);
  const fetches = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).filter((u) => u.includes('fetchXml='));
  return { rows: /\bORDER BY\b/i.test(sql) && !/GROUP BY/i.test(sql) ? result.rows.map(comparable) : asMultiset(result.rows), fetches };
}

const CASES: [string, string, RegExp][] = [
  ['comparisons, LIKE, IN, BETWEEN, NULL, NOT and OR',
    "SELECT name, revenue, numberofemployees FROM account WHERE (name LIKE 'A%' OR name LIKE '%e_' OR revenue BETWEEN 1000 AND 500000) AND NOT (numberofemployees < 10) AND industrycode IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AND telephone1 IS NOT NULL AND revenue <> 7",
    /operator="like" value="A%"/],
  ['paging with cookies, ordered', 'SELECT name, accountid FROM account ORDER BY name DESC', /<order attribute="name" descending="true"\/>/],
  ['TOP with ORDER BY', 'SELECT TOP 5 name, revenue FROM account WHERE revenue IS NOT NULL ORDER BY revenue, name', /top="5"/],
  ['lookup and choice display values', 'SELECT name, primarycontactid, primarycontactidname, industrycodename FROM account WHERE industrycode IS NOT NULL', /<attribute name="primarycontactid"\/>/],
  ['EXISTS', "SELECT a.name FROM account a WHERE EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid AND c.lastname LIKE '%a%')", /link-type="exists"/],
  ['NOT EXISTS', 'SELECT a.name FROM account a WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid)', /link-type="not any"/],
  ['IN (subquery)', "SELECT name FROM account WHERE primarycontactid IN (SELECT contactid FROM contact WHERE firstname LIKE '[A-M]%')", /link-type="in"/],
  ['a join on columns that are no lookup', "SELECT a.name, c.fullname FROM account a JOIN contact c ON c.address1_city = a.address1_city WHERE a.name LIKE '[a-f]%' AND c.firstname LIKE '[a-c]%'", /link-type="inner"/],
  ['three tables, an outer link nested in an inner one', "SELECT a.name, c.fullname, u.fullname AS owner FROM account a JOIN contact c ON c.parentcustomerid = a.accountid LEFT JOIN systemuser u ON u.systemuserid = c.ownerid WHERE c.lastname LIKE '%a%'", /alias="l2" link-type="outer"/],
  ['WHERE on an outer-joined table', "SELECT a.name, c.fullname FROM account a LEFT JOIN contact c ON c.contactid = a.primarycontactid WHERE c.fullname IS NULL OR c.fullname LIKE '[a-j]%'", /entityname="l1"/],
  ['BETWEEN and NOT BETWEEN', 'SELECT name FROM account WHERE revenue BETWEEN 10000 AND 900000 AND numberofemployees NOT BETWEEN 100 AND 5000', /operator="not-between"/],
  ['a left join', "SELECT a.name, c.fullname, c.parentcustomeridname FROM account a LEFT JOIN contact c ON c.parentcustomerid = a.accountid AND c.firstname LIKE 'J%'", /link-type="outer"/],
  ['date-bucketed GROUP BY', 'SELECT YEAR(createdon) AS y, MONTH(createdon) AS m, DATEPART(day, createdon) AS d, COUNT(*) AS n FROM account GROUP BY YEAR(createdon), MONTH(createdon), DATEPART(day, createdon)', /dategrouping="month"/],
  ['distinct counts and ungrouped aggregates', 'SELECT COUNT(*) AS n, COUNT(name) AS c, COUNT(DISTINCT name) AS d, MIN(revenue) AS lo, MAX(revenue) AS hi, SUM(numberofemployees) AS e, SUM(revenue) AS money FROM account', /distinct="true"/],
  ['GROUP BY a choice, ordered by an aggregate', 'SELECT industrycode, COUNT(*) AS n, MAX(createdon) AS last FROM account GROUP BY industrycode ORDER BY n DESC, industrycode', /<order alias="a1" descending="true"\/>/],
  ['HAVING over the groups (issue 18)', 'SELECT address1_city, count(*) FROM account GROUP BY address1_city HAVING count(*) > 1', /<attribute name="address1_city" alias="g1" groupby="true"\/>/],
  ['AVG as sum and count, in T-SQL\'s result types', 'SELECT industrycode, AVG(numberofemployees) AS e, AVG(revenue) AS r, COUNT(numberofemployees) AS c FROM account GROUP BY industrycode', /alias="s2" aggregate="countcolumn"/],
  ['an expression over groups, HAVING on an aggregate not selected, TOP', 'SELECT TOP 4 industrycode, MAX(revenue) - MIN(revenue) AS spread FROM account GROUP BY industrycode HAVING SUM(numberofemployees) > 100 ORDER BY spread DESC, industrycode', /aggregate="max"/],
  ['week date groups', 'SELECT YEAR(createdon) AS y, DATEPART(week, createdon) AS w, COUNT(*) AS n FROM account GROUP BY YEAR(createdon), DATEPART(week, createdon)', /dategrouping="week"/],
  ['a hostile value stays one value', `SELECT name FROM account WHERE name = 'x"/><condition attribute="name" operator="not-null"/><x a="' OR name = N'Fourth Coffee (sample)'`, /value="x&quot;\/&gt;&lt;condition/],
];

describe('FetchXML end to end', () => {
  for (const [title, sql, expected] of CASES) {
    it(title, async () => {
      const reference = await fetchRequests(conns.off, sql);
      const fetched = await fetchRequests(conns.fetchxml, sql);
      expect(fetched.fetches.length, 'a FetchXML request was sent').toBeGreaterThan(0);
      expect(fetched.fetches.join('\n')).toMatch(expected);
      expect(fetched.rows).toEqual(reference.rows);
      expect((await fetchRequests(conns.odata, sql)).rows).toEqual(reference.rows);
      expect((await fetchRequests(conns.auto, sql)).rows).toEqual(reference.rows);
      expect(reference.rows.length).toBeGreaterThan(0);
    });
  }

  it('pages follow the paging cookie, page by page', async () => {
    const { fetches } = await fetchRequests(conns.fetchxml, 'SELECT name FROM account');
    expect(fetches.length).toBe(Math.ceil(120 / 17) + (120 % 17 === 0 ? 1 : 0));
    expect(fetches[1]).toMatch(/page="2" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;/);
  });

  it('a join that repeats root rows pages by the root key: a page ending inside a root is cut before it, a root with more rows than a page is read alone', async () => {
    // each account matches many contacts of its city, more than the 17 rows of a page
    const sql = "SELECT a.name, c.fullname FROM account a JOIN contact c ON c.address1_city = a.address1_city WHERE a.name LIKE '[a-e]%'";
    const reference = await fetchRequests(conns.off, sql);
    const fetched = await fetchRequests(conns.fetchxml, sql);
    expect(fetched.rows).toEqual(reference.rows);
    expect(reference.rows.length).toBeGreaterThan(17 * 3);
    expect(fetched.fetches.some((f) => /<condition attribute="accountid" operator="eq" value="[^"]+"\/><\/filter><link-entity[^>]*><attribute name="fullname"\/><order attribute="contactid"\/>/.test(f))).toBe(true);
    expect(fetched.fetches.some((f) => /page="\d+" paging-cookie="&lt;cookie page=/.test(f))).toBe(true);
    // a 1:N join over lookups: every page but the last ends at a whole root
    const byParent = "SELECT a.accountid, c.contactid FROM account a JOIN contact c ON c.parentcustomerid = a.accountid";
    expect((await fetchRequests(conns.fetchxml, byParent)).rows).toEqual((await fetchRequests(conns.off, byParent)).rows);
  });

  it('a FetchXML query longer than a GET line takes goes inside $batch, with the same rows', async () => {
    const ids = (await conns.off.query('SELECT accountid FROM account')).rows.map((r) => String(r.accountid));
    const padding = Array.from({ length: 700 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const sql = `SELECT name FROM account WHERE accountid IN (${[...ids.slice(0, 30), ...padding].map((id) => `'${id}'`).join(', ')}) AND name LIKE '%e_'`;
    const before = emulator.requests().length;
    const rows = asMultiset((await conns.auto.query(sql)).rows);
    const sent = emulator.requests().slice(before);
    expect(sent.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`)).toEqual([`POST ${new URL(emulator.url).pathname}$batch`]);
    expect(rows).toEqual(asMultiset((await conns.off.query(sql)).rows));
    expect(rows.length).toBeGreaterThan(0);
    expect(await conns.auto.explain(sql)).toContain('FetchXML (sent inside $batch: the URL is longer than a GET takes)');
  });

  it('Auto keeps OData where OData answers the whole statement, and EXPLAIN says why FetchXML is chosen', async () => {
    expect(await conns.auto.explain('SELECT TOP 3 name FROM account ORDER BY name')).not.toContain('FetchXML');
    const text = await conns.auto.explain('SELECT YEAR(createdon) AS y, COUNT(*) AS n FROM account GROUP BY YEAR(createdon)');
    expect(text).toContain('FetchXML, because it answers the whole statement (aggregate) in one request');
    expect(text).toContain('<attribute name="createdon" alias="g1" groupby="true" dategrouping="year" usertimezone="false" />');
  });

  it('Remote Language=FetchXML on a statement FetchXML cannot express whole keeps OData and says so', async () => {
    const text = await conns.fetchxml.explain('SELECT name, COUNT(*) OVER () AS n FROM account');
    expect(text).toContain('Remote Language=FetchXML, but OData is used');
  });
});
