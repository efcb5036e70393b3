/**
 * LIKE without wildcards is not equality: '=' ignores trailing blanks (SQL Server pads before
 * comparing), LIKE on nvarchar does not ('Seattle ' LIKE 'seattle' is false). Found by the randomized
 * write test: an UPDATE whose WHERE held `address1_city LIKE 'seattle'` changed a 'Seattle ' row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emu: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 20 });
  conn = await connect(`Url=${emu.url};Auth Scheme=None`);
  await conn.query("INSERT INTO account (name, address1_city) VALUES ('Blank city A', 'Trailing City '), ('Blank city B', 'TRAILING CITY')");
});
afterAll(async () => {
  await conn?.close();
  await emu?.close();
});

const names = async (where: string) => (await conn.query(`SELECT name FROM account WHERE ${where} ORDER BY name`)).rows.map((r) => r.name);

describe('LIKE without wildcards keeps trailing blanks significant', () => {
  it('= ignores the trailing blank, LIKE does not', async () => {
    expect(await names("address1_city = 'trailing city'")).toEqual(['Blank city A', 'Blank city B']);
    expect(await names("address1_city LIKE 'trailing city'")).toEqual(['Blank city B']);
    expect(await names("address1_city LIKE 'trailing city '")).toEqual(['Blank city A']);
    expect(await names("address1_city NOT LIKE 'trailing city' AND name LIKE 'Blank city%'")).toEqual(['Blank city A']);
  });

  it('an UPDATE with that LIKE changes only the row without the blank', async () => {
    const result = await conn.query("UPDATE account SET description = 'like-fix' WHERE address1_city LIKE 'trailing city'");
    expect(result.rowCount).toBe(1);
    expect(await names("description = 'like-fix'")).toEqual(['Blank city B']);
  });
});
