/**
 * The first vertical slice end to end: connect() to the emulator over a real socket, SELECT with
 * WHERE / ORDER BY / TOP pushed down, typed rows; a join and an aggregate through the local engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, DynasqlError, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 40 });
  conn = await connect(`Url=${emulator.url};Remote Language=OData`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

function lastRequests(n: number): string[] {
  return emulator.requests().slice(-n).map((r) => decodeURIComponent(r.url));
}

describe('SELECT against the emulator', () => {
  it('pushes WHERE, ORDER BY and TOP into one request and types the rows', async () => {
    const result = await conn.query('SELECT TOP 3 name, revenue, createdon, accountid, statecode FROM account WHERE revenue > 1000 ORDER BY name DESC');
    expect(lastRequests(1)).toEqual([
      "/api/data/v9.2/accounts?$select=revenue,statecode,createdon,name,accountid&$filter=revenue gt 1000&$orderby=name desc&$top=3",
    ]);
    expect(result.command).toBe('SELECT');
    expect(result.rowCount).toBe(3);
    expect(result.columns.map((c) => c.name)).toEqual(['name', 'revenue', 'createdon', 'accountid', 'statecode']);
    for (const row of result.rows) {
      expect(typeof row.revenue).toBe('string');
      expect(Number(row.revenue)).toBeGreaterThan(1000);
      expect(row.createdon).toBeInstanceOf(Date);
      expect(row.accountid).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof row.statecode).toBe('number');
    }
  });

  it('runs a join locally over two filtered reads', async () => {
    const result = await conn.query(
      'SELECT a.name, c.fullname FROM account a JOIN contact c ON c.parentcustomerid = a.accountid WHERE a.statecode = @state',
      { state: 0 },
    );
    expect(result.rowCount).toBeGreaterThan(0);
    expect(lastRequests(2)).toEqual([
      '/api/data/v9.2/accounts?$select=name,accountid&$filter=statecode eq 0',
      '/api/data/v9.2/contacts?$select=_parentcustomerid_value,fullname',
    ]);
  });

  it('aggregates locally with exact decimals', async () => {
    const all = await conn.query('SELECT revenue FROM account');
    const grouped = await conn.query('SELECT COUNT(*) AS n, SUM(revenue) AS total FROM account');
    expect(grouped.rows[0]!.n).toBe(all.rowCount);
    const expected = all.rows.reduce((sum, r) => sum + (r.revenue === null ? 0 : Number(r.revenue)), 0);
    expect(Number(grouped.rows[0]!.total)).toBeCloseTo(expected, 2);
  });

  it('keeps every column when a name repeats', async () => {
    const result = await conn.query("SELECT TOP 1 a.name, c.fullname AS name FROM account a JOIN contact c ON c.parentcustomerid = a.accountid");
    expect(result.columns.map((c) => c.name)).toEqual(['name', 'name_2']);
    expect(Object.keys(result.rows[0]!)).toEqual(['name', 'name_2']);
  });

  it('matches T-SQL LIKE character classes locally', async () => {
    const result = await conn.query("SELECT name FROM account WHERE name LIKE '[AB]%'");
    expect(result.rowCount).toBeGreaterThan(0);
    for (const row of result.rows) expect(String(row.name)).toMatch(/^[ab]/i);
  });

  it('sends nothing for a statement that fails to bind', async () => {
    const before = emulator.requests().length;
    await expect(conn.query('SELECT nme FROM account')).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_COLUMN', message: expect.stringContaining("Did you mean 'name'") });
    await expect(conn.query('SELECT name FROM acount')).rejects.toSatisfy((e: unknown) => DynasqlError.is(e, 'DYNASQL_ERR_UNKNOWN_TABLE'));
    expect(emulator.requests().length).toBe(before);
  });
});
