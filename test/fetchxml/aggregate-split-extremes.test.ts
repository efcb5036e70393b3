/**
 * MIN / MAX of text past the 50,000-row aggregate limit (here 40 rows; issue 18): FetchXML has no
 * MIN / MAX of text and the service refuses the `$apply` whole, so each is read as the first
 * non-null value in the column's order (one row, no aggregate, not limited), beside the other
 * aggregates answered by parts over ranges. Answers are push-down off's; rows read come from the
 * statement's progress, requests from the emulator's log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection, type Row } from '../../src/index.js';
import { comparable } from '../select/compare-rows.js';

let emulator: RunningEmulator;
let conn: Connection;
let fetchXml: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 150, aggregateLimit: 40, fuzzData: true });
  conn = await connect(`Url=${emulator.url}`);
  fetchXml = await connect(`Url=${emulator.url};Remote Language=FetchXML`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await conn?.close();
  await fetchXml?.close();
  await local?.close();
  await emulator?.close();
});

interface Run { rows: Row[]; sent: string[]; read: number }

async function compare(sql: string, on = conn): Promise<Run> {
  const before = emulator.requests().length;
  let read = 0;
  const result = await on.query(sql, undefined, { onProgress: (p) => { read = p.rows; } });
  // the statement's requests to the table, without the once-per-connection metadata and currency reads
  const sent = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).filter((url) => url.includes('/accounts?'));
  expect(result.rows.map(comparable)).toEqual((await local.query(sql)).rows.map(comparable));
  return { rows: result.rows, sent, read };
}

const firstRows = (sent: string[]) => sent.filter((u) => u.includes('top="1"') && u.includes('<attribute name="name"/>'));

describe('MIN / MAX of text past the aggregate limit', () => {
  const six = 'SELECT count(*), count(name), count(DISTINCT name), max(name), min(name), avg(numberofemployees) FROM account';

  it('issue 18\'s six aggregates: the counts and the average by ranges, the text extremes a row each, no page of every row', async () => {
    const { sent, read } = await compare(six);
    expect(sent.some((u) => u.includes('$select='))).toBe(false);
    // the refused whole (FetchXML), the ranges' two bounds, seven ranges, the two first rows
    expect(firstRows(sent)).toHaveLength(2);
    expect(sent.filter((u) => u.includes('<order attribute="name" descending="true"/>'))).toHaveLength(1);
    expect(sent).toHaveLength(1 + 2 + 7 + 2);
    // the distinct count reads the parts' groups of name; the extremes read one row each
    expect(read).toBeLessThan(150);
  });

  it('without a distinct count: a handful of rows', async () => {
    const { sent, read } = await compare('SELECT count(*) AS n, max(name) AS mx, min(name) AS mn, sum(numberofemployees) AS e FROM account');
    expect(firstRows(sent)).toHaveLength(2);
    // the two bounds, the seven ranges' one row each, the two first rows
    expect(read).toBe(2 + 7 + 2);
  });

  it('under a WHERE, kept in the first-row reads; a WHERE no row passes gives NULL, as MAX over no value does', async () => {
    const { sent } = await compare("SELECT count(*) AS n, max(address1_city) AS c, min(name) AS m FROM account WHERE numberofemployees > 100");
    expect(sent.filter((u) => u.includes('top="1"') && u.includes('operator="gt"'))).not.toHaveLength(0);
    const { rows } = await compare('SELECT count(*) AS n, max(name) AS m, min(address1_city) AS c FROM account WHERE numberofemployees < -5');
    expect(rows).toEqual([{ n: 0, m: null, c: null }]);
  });

  it('alone: its first row is the answer', async () => {
    const { sent, read } = await compare('SELECT max(name) AS m FROM account');
    // the refused $apply, then the first row
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('$apply=aggregate(name with max as a1)');
    expect(firstRows(sent)).toHaveLength(1);
    expect(read).toBe(1);
    expect(await conn.explain('SELECT max(name) AS m FROM account')).toMatch(/if the service refuses the aggregate \(50,000-row limit\): GET \S+ \(the first non-null value in the column's order: one row, no aggregate, not limited\)\n {2}last resort, if a part is refused too: GET \S+\$select=name and aggregate locally/);
  });

  it('with Remote Language=FetchXML, the same answer', async () => {
    const { sent } = await compare(six, fetchXml);
    expect(firstRows(sent)).toHaveLength(2);
  });

  it('EXPLAIN names the parts, the first-row reads and the last resort', async () => {
    const text = await conn.explain(six);
    expect(text).toContain('if the service refuses the aggregate (50,000-row limit): 1 FetchXML aggregate and 2 first-row reads (part1: count, count_2, count_3, avg; part2: max; part3: min), MIN / MAX of text, which FetchXML does not compute, read as the first non-null value in the column\'s order:');
    expect(text).toMatch(/ {4}part1: GET \S+ over ranges of createdon/);
    expect(text).toMatch(/ {4}part2: GET \S+ \(the first non-null value in the column's order: one row, no aggregate, not limited\)/);
    expect(text).toContain('last resort, if a part is refused too: GET');
  });
});
