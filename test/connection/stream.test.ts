/**
 * Streaming reads at most one page ahead of the caller, cancellation stops a statement, the PostgreSQL dialect and
 * positional parameters work through connect(), and EXPLAIN shows full URLs without sending them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 60 });
  // page after page: these tests are about paging one link after another (Parallel Reads: partitioned-reads.test.ts)
  conn = await connect(`Url=${emulator.url};Page Size=10;Parallel Reads=Off`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

describe('Connection', () => {
  it('stream() reads at most one page beyond what the caller consumed', async () => {
    const before = emulator.requests().length;
    const seen: unknown[] = [];
    for await (const row of conn.stream('SELECT name FROM account')) {
      seen.push(row.name);
      if (seen.length === 12) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = emulator.requests().slice(before);
    expect(seen).toHaveLength(12);
    // pages 1 and 2 were consumed; page 3 may have been asked for ahead (then aborted), never page 4
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(sent[0]!.headers.prefer).toBe('odata.maxpagesize=10');
  });

  it('stream() fetches the next page while the caller holds the current one, and stops when closed', async () => {
    const before = emulator.requests().length;
    const rows = conn.stream('SELECT name FROM account')[Symbol.asyncIterator]();
    expect((await rows.next()).done).toBe(false);
    // the caller is still on page 1: page 2 is requested without being asked for
    for (let i = 0; i < 100 && emulator.requests().length - before < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(emulator.requests().length - before).toBe(2);
    await rows.return?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emulator.requests().length - before).toBe(2);
  });

  it('cancelling mid-stream, with a page read ahead, stops with DYNASQL_ERR_CANCELLED and asks for no further page', async () => {
    const before = emulator.requests().length;
    const controller = new AbortController();
    const seen: unknown[] = [];
    let requestedAtAbort = 0;
    const run = async () => {
      for await (const row of conn.stream('SELECT name FROM account', undefined, { signal: controller.signal })) {
        seen.push(row.name);
        if (seen.length === 15) {
          // the caller is on page 2; page 3 may be on its way (read ahead), page 4 never
          for (let i = 0; i < 100 && emulator.requests().length - before < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
          requestedAtAbort = emulator.requests().length - before;
          controller.abort();
        }
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    expect(seen.length).toBeLessThanOrEqual(20);
    expect(requestedAtAbort).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(emulator.requests().length - before).toBe(3);
  });

  it('query() follows every nextLink', async () => {
    const before = emulator.requests().length;
    const result = await conn.query('SELECT name FROM account');
    expect(result.rowCount).toBe(60);
    expect(emulator.requests().length - before).toBe(6);
  });

  it('a cancelled statement stops with DYNASQL_ERR_CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(conn.query('SELECT name FROM account', undefined, { signal: controller.signal })).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
  });

  it('takes the PostgreSQL dialect per statement, with $1 parameters', async () => {
    const result = await conn.query('SELECT "name" FROM account WHERE "name" = $1 LIMIT 1', ['Fourth Coffee (sample)'], { dialect: 'postgresql' });
    expect(result.rows).toEqual([{ name: 'Fourth Coffee (sample)' }]);
  });

  it('EXPLAIN shows each request with its full URL and each local step, and sends nothing', async () => {
    const before = emulator.requests().length;
    const text = await conn.explain('SELECT a.name, COUNT(*) AS n FROM account a JOIN contact c ON c.parentcustomerid = a.accountid WHERE a.name LIKE @p GROUP BY a.name', { p: 'A_%' });
    expect(emulator.requests().length).toBe(before);
    expect(text).toContain(`Remote  GET ${emulator.url}contacts?$select=_parentcustomerid_value&$expand=parentcustomerid_account($select%3Dname,accountid)`);
    expect(text).toContain('expanded: account AS a through parentcustomerid_account (no request of its own)');
    expect(text).toContain("local:  a: LIKE 'A_%' has a shape the service cannot match exactly");
    expect(text).toContain('because: joins run locally');
    expect(text).toMatch(/sql: SELECT .*ILIKE/);
  });

  it('EXPLAIN as a statement returns the plan as rows', async () => {
    const result = await conn.query('EXPLAIN SELECT TOP 2 name FROM account ORDER BY name');
    expect(result.command).toBe('EXPLAIN');
    expect(result.rows[0]).toEqual({ plan: `Remote  GET ${emulator.url}accounts?$select=name&$orderby=name&$top=2` });
  });

  it('types result columns from the catalog, lookups and labels included', async () => {
    const result = await conn.query('SELECT TOP 1 accountid, name, revenue, statecode, statecodename, primarycontactid, primarycontactidname, createdon, creditonhold, versionnumber FROM account');
    expect(Object.fromEntries(result.columns.map((c) => [c.name, c.type]))).toEqual({
      accountid: 'uniqueidentifier', name: 'nvarchar', revenue: 'money', statecode: 'int', statecodename: 'nvarchar',
      primarycontactid: 'uniqueidentifier', primarycontactidname: 'nvarchar', createdon: 'datetime2', creditonhold: 'bit', versionnumber: 'bigint',
    });
    const row = result.rows[0]!;
    // Edm.Int64: a number when it fits one exactly, else its exact digits (docs/values-and-types.md)
    expect(typeof row.versionnumber === 'number' ? Number.isSafeInteger(row.versionnumber) : /^-?\d{16,}$/.test(String(row.versionnumber))).toBe(true);
    expect(typeof row.creditonhold).toBe('boolean');
    expect(row.statecodename).toBe('Active');
  });
});
