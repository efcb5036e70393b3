/**
 * `SELECT … FROM fetchxml('<fetch …>')`: the user's FetchXML is sent as written, every page read,
 * and its rows typed from metadata; the same answer as the equivalent SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { asMultiset } from '../select/compare-rows.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 40 });
  conn = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

describe('fetchxml() passthrough', () => {
  it('reads a FetchXML with a link, typed from metadata, equal to the SQL', async () => {
    const fetch = '<fetch><entity name="account"><attribute name="name"/><attribute name="revenue"/>'
      + '<filter><condition attribute="name" operator="like" value="%e%"/></filter>'
      + '<link-entity name="contact" from="contactid" to="primarycontactid" alias="pc" link-type="outer"><attribute name="fullname"/></link-entity></entity></fetch>';
    const result = await conn.query(`SELECT * FROM fetchxml('${fetch}')`);
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([['name', 'nvarchar'], ['revenue', 'money'], ['pc.fullname', 'nvarchar'], ['accountid', 'uniqueidentifier']]);
    const sql = await conn.query("SELECT a.name, a.revenue, c.fullname AS [pc.fullname], a.accountid FROM account a LEFT JOIN contact c ON c.contactid = a.primarycontactid WHERE a.name LIKE '%e%'");
    expect(asMultiset(result.rows)).toEqual(asMultiset(sql.rows));
    expect(result.rowCount).toBeGreaterThan(0);
  });

  it('an aggregate FetchXML, and SQL over its rows', async () => {
    const result = await conn.query(`SELECT f.n FROM fetchxml('<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="n" aggregate="count"/></entity></fetch>') f`);
    expect(result.rows).toEqual([{ n: 40 }]);
    expect(result.columns[0]!.type).toBe('int');
  });

  it('EXPLAIN shows the request and sends nothing; bad FetchXML is a coded error before any request', async () => {
    const before = emulator.requests().length;
    expect(await conn.explain(`SELECT name FROM fetchxml('<fetch><entity name="account"><attribute name="name"/></entity></fetch>')`)).toContain('FetchXML  GET ');
    await expect(conn.query("SELECT * FROM fetchxml('<fetch><entity name=\"account\">')")).rejects.toMatchObject({ code: 'DYNASQL_ERR_SYNTAX' });
    await expect(conn.query("SELECT * FROM fetchxml('<fetch><entity name=\"nosuch\"/></fetch>')")).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_TABLE' });
    await expect(conn.query("SELECT * FROM fetchxml('<fetch><entity name=\"account\"><attribute name=\"nosuch\"/></entity></fetch>')")).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_COLUMN' });
    expect(emulator.requests().length).toBe(before);
  });
});
