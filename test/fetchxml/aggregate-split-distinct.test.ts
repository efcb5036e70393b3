/**
 * Distinct counts past the 50,000-row aggregate limit (here 40 rows) that no ranges of their own
 * column split (issue 18): text, counted from the parts' groups of the column merged under the
 * collation (the fuzz data's 'Contoso', 'CONTOSO', 'contoso ' fall in different parts); a lookup, a
 * GUID or a yes/no, merged by exact value; the primary key, counted as rows with no grouping; and
 * distinct counts of two columns, a part each. Answers are push-down off's; rows read come from the
 * statement's progress, requests from the emulator's log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection, type Row } from '../../src/index.js';
import { comparable } from '../select/compare-rows.js';

let emulator: RunningEmulator;
let conn: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 150, aggregateLimit: 40, fuzzData: true });
  conn = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await conn?.close();
  await local?.close();
  await emulator?.close();
});

interface Run { rows: Row[]; sent: string[]; read: number }

async function compare(sql: string): Promise<Run> {
  const before = emulator.requests().length;
  let read = 0;
  const result = await conn.query(sql, undefined, { onProgress: (p) => { read = p.rows; } });
  // without the once-per-connection currency read (pushdown/money-aggregates.ts): not the statement's requests
  const sent = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).filter((url) => !url.includes('transactioncurrencies?'));
  const expected = (await local.query(sql)).rows;
  if (/ORDER BY/i.test(sql)) expect(result.rows.map(comparable)).toEqual(expected.map(comparable));
  else expect(result.rows.map(comparable).sort()).toEqual(expected.map(comparable).sort());
  return { rows: result.rows, sent, read };
}

/** the parts group by the counted column over ranges of createdon: no page of rows */
function expectGroupedParts(sent: string[], column: string): void {
  expect(sent.every((u) => u.includes('fetchXml='))).toBe(true);
  const parts = sent.filter((u) => u.includes(`<attribute name="${column}" alias="`) && u.includes('groupby="true"') && u.includes('<condition attribute="createdon"'));
  expect(parts.length).toBeGreaterThanOrEqual(7);
}

describe('a distinct count of text past the aggregate limit', () => {
  it('counts the parts\' groups of the column, merged under the collation: fewer rows read than the table has', async () => {
    const { sent, read } = await compare('SELECT COUNT(DISTINCT name) AS d FROM account');
    expectGroupedParts(sent, 'name');
    // the refused whole, two bounds, seven ranges
    expect(sent).toHaveLength(10);
    expect(read).toBeLessThan(150);
  });

  it('under groups, beside counts, sums and minimums that roll up over the values, ordered by the distinct count', async () => {
    const sql = 'SELECT industrycode, COUNT(DISTINCT address1_city) AS d, COUNT(*) AS n, COUNT(telephone1) AS t, SUM(revenue) AS r, MIN(createdon) AS c FROM account GROUP BY industrycode ORDER BY d DESC, industrycode';
    const { sent, read } = await compare(sql);
    expectGroupedParts(sent, 'address1_city');
    expect(read).toBeLessThan(150);
  });

  it('grouped by a date part: the ranges are of that date', async () => {
    const sql = 'SELECT YEAR(createdon) AS y, COUNT(DISTINCT name) AS d, AVG(numberofemployees) AS e FROM account GROUP BY YEAR(createdon) HAVING COUNT(*) > 1';
    const { sent } = await compare(sql);
    expect(sent.some((u) => u.includes('<attribute name="name" alias="') && u.includes('groupby="true"') && u.includes('dategrouping="year"'))).toBe(true);
  });

  it('EXPLAIN says how the parts count it, and that every row is read only as the last resort', async () => {
    const text = await conn.explain('SELECT COUNT(DISTINCT name) AS d, COUNT(*) AS n FROM account');
    expect(text).toContain('over ranges of createdon, each under the limit, combined (the distinct count of name counted from the parts\' groups of name, values equal up to case and trailing blanks counted once)');
    expect(text).toContain('last resort, if a part is refused too: GET');
    expect(text).toContain('and aggregate locally (every row is read)');
  });

  it('a statement grouping by the counted column itself is not split: every row is read', async () => {
    const { sent } = await compare('SELECT name, COUNT(DISTINCT name) AS d FROM account GROUP BY name');
    expect(sent.at(-1)).toContain('$select=name');
  });
});

describe('a distinct count of a key past the aggregate limit', () => {
  it('of a lookup: the GUIDs of the parts\' groups, each counted once', async () => {
    const { sent, read } = await compare('SELECT COUNT(DISTINCT primarycontactid) AS d, COUNT(*) AS n FROM account');
    expectGroupedParts(sent, 'primarycontactid');
    expect(read).toBeLessThan(150);
    expect(await conn.explain('SELECT COUNT(DISTINCT primarycontactid) AS d FROM account')).toContain('each value counted once');
  });

  it('of a polymorphic lookup on a table of 300 rows', async () => {
    expectGroupedParts((await compare('SELECT COUNT(DISTINCT parentcustomerid) AS d FROM contact')).sent, 'parentcustomerid');
  });

  it('of a yes/no column', async () => {
    const { sent, read } = await compare('SELECT COUNT(DISTINCT creditonhold) AS d FROM account');
    expectGroupedParts(sent, 'creditonhold');
    expect(read).toBeLessThan(30);
  });

  it('of the primary key: counted as rows, with no grouping at all', async () => {
    const { sent, read } = await compare('SELECT COUNT(DISTINCT accountid) AS d, COUNT(*) AS n FROM account');
    expect(sent.some((u) => u.includes('groupby'))).toBe(false);
    expect(sent.filter((u) => u.includes('<condition attribute="createdon" operator="ge"')).length).toBeGreaterThanOrEqual(6);
    // two bounds and the seven parts' one row each
    expect(read).toBe(9);
  });
});

describe('distinct counts of two columns past the aggregate limit', () => {
  const sql = 'SELECT COUNT(DISTINCT address1_city) AS a, COUNT(DISTINCT creditonhold) AS b, COUNT(*) AS n, MAX(revenue) AS m FROM account';

  it('are a part each, each answered by its own parts, set side by side', async () => {
    const { sent, read } = await compare(sql);
    // the refused whole, then each part by ranges from the start (the whole was refused over the same rows)
    expect(sent[0]).toContain('distinct="true"');
    expect(sent.filter((u) => u.includes('<attribute name="address1_city" alias="a1" groupby="true"/>'))).toHaveLength(7);
    expect(sent.filter((u) => u.includes('<attribute name="creditonhold" alias="a1" groupby="true"/>'))).toHaveLength(7);
    expect(sent.some((u) => u.includes('$select='))).toBe(false);
    // both parts range the same rows by createdon: its first and last value read once
    expect(sent.filter((u) => u.includes('top="1"'))).toHaveLength(2);
    expect(sent).toHaveLength(1 + 2 + 7 + 7);
    // the parts' groups (cities and yes/no per range) and the bounds, not the 150 rows
    expect(read).toBeLessThan(150);
  });

  it('of a number and a text: the number by its own ranges, the text by groups', async () => {
    const { sent } = await compare('SELECT COUNT(DISTINCT numberofemployees) AS e, COUNT(DISTINCT address1_city) AS c FROM account');
    expect(sent.some((u) => u.includes('<condition attribute="numberofemployees" operator="ge"'))).toBe(true);
    expectGroupedParts(sent, 'address1_city');
  });

  it('EXPLAIN names the parts and the last resort', async () => {
    const text = await conn.explain(sql);
    expect(text).toContain('if the service refuses the aggregate (50,000-row limit): 2 FetchXML aggregates (part1: a, n, m; part2: b), each by parts, no one split answering them all:');
    expect(text).toMatch(/ {4}part2: GET \S+ over ranges of createdon/);
    expect(text).toContain('last resort, if a part is refused too: GET');
  });

  it('under GROUP BY: no parts (the rule of independent aggregates does not hold), every row read, and EXPLAIN says so', async () => {
    const grouped = 'SELECT statecode, COUNT(DISTINCT name) AS a, COUNT(DISTINCT address1_city) AS b FROM account GROUP BY statecode';
    expect((await compare(grouped)).sent.at(-1)).toContain('$select=');
    const text = await conn.explain(grouped);
    expect(text).toContain('the aggregate cannot be split into parts combined exactly');
    expect(text).toContain('and aggregate locally (every row is read)');
  });
});
