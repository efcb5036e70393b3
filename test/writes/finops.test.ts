/**
 * Finance & Operations writes against the emulator's F&O mode: natural keys with `dataAreaId`, key
 * URLs `Entity(dataAreaId='usmf',Key='x')`, Cross Company, enums by member name, and the catalog's
 * lengths and keys checked before sending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture({ edition: 'finops' });
});
afterAll(async () => {
  await f?.close();
});

async function customer(company: string, account: string, cross = false) {
  const conn = cross ? await f.connectWith('Cross Company=true') : f.conn;
  return (await conn.query('SELECT OrganizationName, CreditLimit, OnHoldStatus FROM CustomersV3 WHERE dataAreaId = @c AND CustomerAccount = @a', { c: company, a: account })).rows;
}

describe('F&O writes', () => {
  it('inserts with the natural key in the body (no generated id) and enums by member name', async () => {
    await f.clearLog();
    const r = await f.conn.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName, OnHoldStatus) VALUES ('usmf', 'W-1', 'Writer One', 'invoice')");
    expect(r.rowCount).toBe(1);
    const [post] = await f.writes();
    expect(`${post!.method} ${post!.url}`).toBe('POST /data/CustomersV3');
    expect(JSON.parse(post!.body)).toEqual({ dataAreaId: 'usmf', CustomerAccount: 'W-1', OrganizationName: 'Writer One', OnHoldStatus: 'Invoice' });
    expect(await customer('usmf', 'W-1')).toEqual([{ OrganizationName: 'Writer One', CreditLimit: '0', OnHoldStatus: 'Invoice' }]);
  });

  it('updates by the full key (read first) with a PATCH to Entity(dataAreaId=…,Key=…)', async () => {
    await f.clearLog();
    const r = await f.conn.query("UPDATE CustomersV3 SET OrganizationName = 'Writer 1' WHERE dataAreaId = 'usmf' AND CustomerAccount = 'W-1'");
    expect(r.rowCount).toBe(1);
    expect((await f.writes()).map((x) => `${x.method} ${x.url}`)).toEqual(["PATCH /data/CustomersV3(dataAreaId='usmf',CustomerAccount='W-1')"]);
    expect(await customer('usmf', 'W-1')).toMatchObject([{ OrganizationName: 'Writer 1' }]);
  });

  it('updates and deletes by a non-key WHERE, row by row', async () => {
    await f.conn.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'W-2', 'Writer batch'), ('usmf', 'W-3', 'Writer batch')");
    const r = await f.conn.query("UPDATE CustomersV3 SET CreditLimit = 1234.5 WHERE OrganizationName = 'Writer batch'");
    expect(r.rowCount).toBe(2);
    expect(await customer('usmf', 'W-3')).toMatchObject([{ CreditLimit: '1234.5' }]);
    const d = await f.conn.query("DELETE FROM CustomersV3 WHERE OrganizationName = 'Writer batch'");
    expect(d.rowCount).toBe(2);
    expect(await customer('usmf', 'W-2')).toEqual([]);
  });

  it('with Cross Company, writes another company\'s rows with ?cross-company=true', async () => {
    const cross = await f.connectWith('Cross Company=true');
    await cross.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usrt', 'W-9', 'Retail writer')");
    await f.clearLog();
    const r = await cross.query("UPDATE CustomersV3 SET OrganizationName = 'Retail writer 2' WHERE CustomerAccount = 'W-9'");
    expect(r.rowCount).toBe(1);
    const log = await f.requests();
    expect(log[0]!.url).toMatch(/^\/data\/CustomersV3\?cross-company=true&/);
    expect(log[1]!.method).toBe('PATCH');
    expect(log[1]!.url).toBe("/data/CustomersV3(dataAreaId='usrt',CustomerAccount='W-9')?cross-company=true");
    expect(await customer('usrt', 'W-9', true)).toMatchObject([{ OrganizationName: 'Retail writer 2' }]);
  });

  it.each([
    ["INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'W-4', @long)", 'DYNASQL_ERR_VALUE_TOO_LONG', /at most 100/],
    ["INSERT INTO CustomersV3 (dataAreaId, OrganizationName) VALUES ('usmf', 'no key')", 'DYNASQL_ERR_NOT_NULL', /CustomerAccount/],
    ["INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OnHoldStatus) VALUES ('usmf', 'W-5', 'Sometimes')", 'DYNASQL_ERR_TYPE', /OnHoldStatus/],
  ])('%s → %s before sending', async (sql, code, message) => {
    await f.clearLog();
    const error = await f.conn.query(sql, { long: 'z'.repeat(101) }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DynasqlError);
    expect((error as DynasqlError).code).toBe(code);
    expect((error as DynasqlError).message).toMatch(message);
    expect(await f.writes()).toEqual([]);
  });

  it('maps the service\'s refusal of a duplicate natural key (HTTP 500) to a clear error', async () => {
    const error = await f.conn.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'W-1', 'again')").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DynasqlError);
    expect((error as DynasqlError).message).toMatch(/already exists/);
    expect((error as DynasqlError).message).toMatch(/nothing was written/);
  });
});

describe('F&O transactions', () => {
  it('sends a transaction at COMMIT as one change set to /data/$batch, and a refused one writes nothing', async () => {
    await f.clearLog();
    await f.conn.query('BEGIN TRAN');
    await f.conn.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'TX-1', 'Tx one'), ('usmf', 'TX-2', 'Tx two')");
    expect(await f.writes()).toEqual([]);
    expect((await f.conn.query('COMMIT')).rowCount).toBe(2);
    expect((await f.writes()).map((w) => `${w.method} ${w.url}`)).toEqual(['POST /data/$batch']);
    expect(await customer('usmf', 'TX-2')).toHaveLength(1);

    // the second insert repeats an existing key: the service refuses the change set, and TX-3 is not created either
    await f.conn.query('BEGIN TRAN');
    await f.conn.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'TX-3', 'Tx three')");
    await f.conn.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'TX-1', 'Tx one again')");
    const error = await f.conn.query('COMMIT').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DynasqlError);
    expect((error as DynasqlError).message).toMatch(/statement 2 \(INSERT\)[\s\S]*nothing was written/);
    expect(await customer('usmf', 'TX-3')).toEqual([]);
  });
});
