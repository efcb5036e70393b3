/**
 * A write's WHERE is typed like the same SELECT's: by the statement's dialect and its parameters'
 * values (the randomized write test, test/fuzz/KNOWN.md #27-#29). Before, the rows a write read were
 * bound without either: a Date parameter was taken for an int, PostgreSQL's AVG(int) was truncated as
 * in T-SQL, and NULLIF with a string parameter compared without the collation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emu: RunningEmulator;
let tsql: Connection;
let pg: Connection;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 100, fuzzData: true });
  tsql = await connect(`Url=${emu.url};Auth Scheme=None`);
  pg = await connect({ organizationUrl: emu.url, authScheme: 'None', dialect: 'postgresql' });
});
afterAll(async () => {
  await tsql?.close();
  await pg?.close();
  await emu?.close();
});

async function countWhere(conn: Connection, table: string, where: string, params?: Record<string, unknown> | unknown[]): Promise<number> {
  return Number((await conn.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params)).rows[0]!.n);
}

describe('a write reads its rows typed as the SELECT with the same WHERE', () => {
  it('PostgreSQL: AVG of an int is numeric in the WHERE of a DELETE, as in the SELECT (#28)', async () => {
    const where = 'familystatuscode = (SELECT AVG(s1.familystatuscode) FROM contact s1)';
    const avg = Number((await pg.query('SELECT AVG(familystatuscode) AS a FROM contact')).rows[0]!.a);
    expect(Number.isInteger(avg)).toBe(false);
    expect(await countWhere(pg, 'contact', where)).toBe(0);
    try {
      expect((await pg.query(`DELETE FROM contact WHERE ${where}`)).rowCount).toBe(0);
    } finally {
      emu.reset();
    }
  });

  it('T-SQL: NULLIF with a string parameter compares under the collation in an UPDATE (#27)', async () => {
    const where = "NULLIF(contact.jobtitle, @p1) LIKE '%'";
    const params = { p1: 'Prefers email ' };
    const expected = await countWhere(tsql, 'contact', where, params);
    const all = await countWhere(tsql, 'contact', 'contact.jobtitle IS NOT NULL');
    // the collation makes every spelling of 'Prefers email' equal to the parameter: those rows are NULL
    expect(expected).toBeLessThan(all);
    try {
      expect((await tsql.query(`UPDATE contact SET jobtitle = 'nullif-typed' WHERE ${where}`, params)).rowCount).toBe(expected);
    } finally {
      emu.reset();
    }
  });

  it('Date parameters in a write\'s WHERE are dates, not ints (#29)', async () => {
    const where = "COALESCE(@p1, @p2) IN ('2024-07-15T12:00:00', '1980-01-01') AND name = 'no such account'";
    const params = { p1: new Date('2024-07-15T12:00:00Z'), p2: new Date('1980-01-01T00:00:00Z') };
    expect(await countWhere(tsql, 'account', where, params)).toBe(0);
    expect((await tsql.query(`UPDATE account SET description = 'date-typed' WHERE ${where}`, params)).rowCount).toBe(0);
  });
});
