/**
 * `x IN (SELECT y FROM other WHERE …)` that no relationship answers (src/connection/subquery-keys.ts):
 * the subquery is read first and its keys go into the outer scan's `$filter` (in chunks of 100 when
 * there are more), with the same rows as with push-down off; NOT IN, a correlated subquery and too
 * many keys keep the plan they had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { both, emulator, local, pushed, sentSince, usePushedAndLocal } from './pushed-and-local.js';
import { asMultiset } from './compare-rows.js';

usePushedAndLocal();

describe('IN (SELECT …) without a relationship: the keys read first', () => {
  it("issue 18's name IN (SELECT lastname FROM contact WHERE firstname = …): two requests, the keys in the second's $filter", async () => {
    const mark = (await local.query("SELECT TOP 1 c.firstname FROM contact c JOIN account a ON a.name = c.lastname ORDER BY c.firstname")).rows[0]?.firstname as string | undefined;
    expect(mark).toBeDefined();
    const sql = `SELECT name FROM account WHERE name IN (SELECT lastname FROM contact WHERE firstname = '${mark!.replace(/'/g, "''")}')`;
    const { rows, expected, sent } = await both(sql);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^contacts\?\$select=lastname&\$filter=firstname eq '/);
    expect(sent[1]).toMatch(/^accounts\?\$select=name&\$filter=(Microsoft\.Dynamics\.CRM\.In\(PropertyName='name',PropertyValues=\[|name eq )/);
    expect(sent[1]).not.toMatch(/ in \(/);
    expect(rows.length).toBeGreaterThan(0);
    expect(asMultiset(rows)).toEqual(asMultiset(expected));
  });

  it('GUID keys from a filtered read of another scan of the table: one In with every key', async () => {
    const sql = "SELECT name FROM account WHERE accountid IN (SELECT accountid FROM account WHERE name LIKE '%a%') AND name IS NOT NULL";
    const { rows, expected, sent } = await both(sql);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe("accounts?$select=accountid&$filter=contains(name,'a')");
    expect(sent[1]).toMatch(/^accounts\?\$select=name&\$filter=Microsoft\.Dynamics\.CRM\.In\(PropertyName='accountid',PropertyValues=\["[0-9a-f-]{36}"(,"[0-9a-f-]{36}")*\]\) and name ne null$/);
    expect(rows.length).toBeGreaterThan(1);
    expect(asMultiset(rows)).toEqual(asMultiset(expected));
  });

  it('strings compare as SQL does: case and trailing blanks of the keys do not matter, NULL keys match nothing', async () => {
    const upper = await both("SELECT fullname, lastname FROM contact WHERE lastname IN (SELECT UPPER(lastname) FROM contact WHERE firstname LIKE 'M%')");
    expect(upper.sent).toHaveLength(2);
    expect(upper.sent[1]).toContain('CRM.In');
    expect(upper.rows.length).toBeGreaterThan(0);
    expect(asMultiset(upper.rows)).toEqual(asMultiset(upper.expected));
    const withNulls = await both("SELECT fullname FROM contact WHERE firstname IN (SELECT firstname FROM contact WHERE lastname LIKE '%o%' OR firstname IS NULL)");
    expect(withNulls.sent).toHaveLength(2);
    expect(withNulls.sent[1]).toContain('CRM.In');
    expect(withNulls.sent[1]).not.toContain('null');
    expect(asMultiset(withNulls.rows)).toEqual(asMultiset(withNulls.expected));
  });

  it('NOT IN keeps its plan (a NULL in the list empties it), and so does a correlated subquery', async () => {
    const notIn = await both('SELECT name FROM account WHERE name NOT IN (SELECT lastname FROM contact)');
    expect(notIn.sent).toEqual(['accounts?$select=name', 'contacts?$select=lastname']);
    expect(asMultiset(notIn.rows)).toEqual(asMultiset(notIn.expected));
    const correlated = await both('SELECT name FROM account a WHERE a.name IN (SELECT c.lastname FROM contact c WHERE c.firstname <> a.name)');
    expect(correlated.sent).toHaveLength(2);
    expect(correlated.sent.every((u) => !u.includes('CRM.In'))).toBe(true);
    expect(asMultiset(correlated.rows)).toEqual(asMultiset(correlated.expected));
  });

  it('more GUID keys than one request takes: the keys in chunks of 100, one request each, each row once', async () => {
    const many = await both('SELECT COUNT(*) AS n FROM contact WHERE contactid IN (SELECT contactid FROM contact)');
    // 160 contacts: the keys are read, then sent as 100 and 60; the count runs locally over the two chunks' rows
    expect(many.sent).toHaveLength(3);
    expect(many.sent[0]).toBe('contacts?$select=contactid');
    const inList = /^contacts\?\$select=contactid&\$filter=Microsoft\.Dynamics\.CRM\.In\(PropertyName='contactid',PropertyValues=\[(.*)\]\)$/;
    const chunks = many.sent.slice(1).map((u) => JSON.parse(`[${inList.exec(u)![1]}]`) as string[]);
    expect(chunks.map((c) => c.length)).toEqual([100, 60]);
    expect(new Set(chunks.flat()).size).toBe(160);
    expect(many.rows).toEqual([{ n: 160 }]);
    expect(many.rows).toEqual(many.expected);
    // EXPLAIN reads nothing: it says what a run does first
    expect(await pushed.explain('SELECT COUNT(*) AS n FROM contact WHERE contactid IN (SELECT contactid FROM contact)')).toMatch(
      /^Keys {4}contactid IN \(SELECT …\) is read first and its keys sent as a condition of contactid: up to 100 keys in one request, up to 2000 in requests of 100; with more, the plan below runs\n/,
    );
  });

  it('more than 1,000 integer keys: 15 requests of 100, ORDER BY and TOP finished locally', async () => {
    const keys = 'SELECT TOP 1500 ROW_NUMBER() OVER (ORDER BY a.accountid, b.accountid) FROM account a CROSS JOIN account b';
    const sql = `SELECT TOP 7 name, numberofemployees FROM account WHERE numberofemployees IN (${keys}) AND name IS NOT NULL ORDER BY numberofemployees DESC, name`;
    const { rows, expected, sent } = await both(sql);
    // the subquery's two reads of account, then one request per chunk of keys 1–100, 101–200, …
    expect(sent).toHaveLength(2 + 15);
    expect(sent.slice(0, 2)).toEqual(['accounts?$select=accountid', 'accounts?$select=accountid']);
    sent.slice(2).forEach((url, i) => {
      const values = Array.from({ length: 100 }, (_, k) => `"${i * 100 + k + 1}"`).join(',');
      expect(url).toBe(`accounts?$select=numberofemployees,name&$filter=Microsoft.Dynamics.CRM.In(PropertyName='numberofemployees',PropertyValues=[${values}]) and name ne null`);
    });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(expected);
  });

  it('more keys than 20 requests of 100, or more than 100 strings: the plan it had (the outer table read whole)', async () => {
    const keys = 'SELECT TOP 2001 ROW_NUMBER() OVER (ORDER BY a.accountid, b.accountid) FROM account a CROSS JOIN account b';
    const ints = await both(`SELECT COUNT(*) AS n FROM account WHERE numberofemployees IN (${keys})`);
    expect(ints.sent).toEqual(['accounts?$select=accountid', 'accounts?$select=accountid', 'accounts?$select=numberofemployees', 'accounts?$select=accountid', 'accounts?$select=accountid']);
    expect(ints.rows).toEqual(ints.expected);
    // Remote Language=FetchXML: the chunks would go as OData, so the plan stays as it was
    const fetchXml = await connect(`Url=${emulator.url};Remote Language=FetchXML`);
    try {
      const before = emulator.requests().length;
      const forced = await fetchXml.query(`SELECT COUNT(*) AS n FROM account WHERE numberofemployees IN (${keys.replace('2001', '150')})`);
      const sent = sentSince(before);
      expect(sent).toHaveLength(5);
      expect(sent.some((u) => u.includes('CRM.In'))).toBe(false);
      expect(forced.rows).toEqual((await local.query(`SELECT COUNT(*) AS n FROM account WHERE numberofemployees IN (${keys.replace('2001', '150')})`)).rows);
    } finally {
      await fetchXml.close();
    }
    // strings equal under the collation ('Mark', 'MARK ') could fall in two chunks and match one row twice
    const strings = await both('SELECT COUNT(*) AS n FROM contact WHERE lastname IN (SELECT fullname FROM contact)');
    expect(strings.sent).toEqual(['contacts?$select=fullname', 'contacts?$select=lastname', 'contacts?$select=fullname']);
    expect(strings.rows).toEqual(strings.expected);
  });
});

describe('F&O: the keys as an or chain of eq', () => {
  let finops: RunningEmulator;
  let on: Connection;
  let off: Connection;
  beforeAll(async () => {
    finops = await startEmulator({ port: 0, rows: 40, edition: 'finops' });
    on = await connect(`Url=${finops.url}`);
    off = await connect(`Url=${finops.url};Pushdown=false`);
  });
  afterAll(async () => {
    await on?.close();
    await off?.close();
    await finops?.close();
  });

  it('customers with a sales order of theirs read by the orders\' account numbers', async () => {
    const sql = "SELECT CustomerAccount FROM CustomersV3 WHERE CustomerAccount IN (SELECT OrderingCustomerAccountNumber FROM SalesOrderHeadersV2 WHERE SalesOrderNumber LIKE '%1%')";
    const before = finops.requests().length;
    const rows = (await on.query(sql)).rows;
    const sent = finops.requests().slice(before).map((r) => decodeURIComponent(r.url));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatch(/CustomersV3\?.*\$filter=.*CustomerAccount eq '/);
    expect(sent[1]).not.toMatch(/ in \(/);
    expect(rows.length).toBeGreaterThan(0);
    expect(asMultiset(rows)).toEqual(asMultiset((await off.query(sql)).rows));
  });
});
