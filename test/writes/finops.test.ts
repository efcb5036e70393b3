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

describe('F&O UPSERT: create when the update finds nothing', () => {
  it('a new row: PATCH to the key URL answers 404, then POST creates it; an existing row: the PATCH alone', async () => {
    await f.clearLog();
    const created = await f.conn.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'UP-1', 'Upserted')");
    expect(created.rowCount).toBe(1);
    expect((await f.writes()).map((w) => `${w.method} ${w.url}`)).toEqual(["PATCH /data/CustomersV3(dataAreaId='usmf',CustomerAccount='UP-1')", 'POST /data/CustomersV3']);
    expect(await customer('usmf', 'UP-1')).toMatchObject([{ OrganizationName: 'Upserted' }]);
    await f.clearLog();
    const updated = await f.conn.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'UP-1', 'Upserted again')");
    expect(updated.rowCount).toBe(1);
    expect((await f.writes()).map((w) => w.method)).toEqual(['PATCH']);
    expect(await customer('usmf', 'UP-1')).toMatchObject([{ OrganizationName: 'Upserted again' }]);
  });

  it('several rows, new and existing, each as its own requests; EXPLAIN says a new row takes two', async () => {
    const r = await f.conn.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'UP-1', 'Third'), ('usmf', 'UP-2', 'Second new')");
    expect(r.rowCount).toBe(2);
    expect(await customer('usmf', 'UP-2')).toMatchObject([{ OrganizationName: 'Second new' }]);
    const plan = await f.conn.explain("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'UP-3', 'x')");
    expect(plan).toContain("PATCH");
    expect(plan).toMatch(/when the PATCH finds no row \(404\), POST .*CustomersV3: two requests for a new row/);
  });

  it('INSERT_ONLY is the POST alone (an existing key is an error); UPDATE_ONLY the PATCH alone (a new key is 0 rows)', async () => {
    await expect(f.conn.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'UP-1', 'no') OPTION (INSERT_ONLY)")).rejects.toThrow(/already exists/);
    const none = await f.conn.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'UP-9', 'no') OPTION (UPDATE_ONLY)");
    expect(none.rowCount).toBe(0);
    expect(await customer('usmf', 'UP-9')).toEqual([]);
  });

  it('cannot be part of a change set, and says so before sending', async () => {
    await f.clearLog();
    const error = await f.conn.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usmf', 'UP-4', 'a'), ('usmf', 'UP-5', 'b') OPTION (ATOMIC)").then(() => undefined, (e: unknown) => e);
    expect((error as DynasqlError).code).toBe('DYNASQL_ERR_UNSUPPORTED_SQL');
    expect((error as DynasqlError).message).toMatch(/two requests/);
    expect(await f.writes()).toEqual([]);
  });
});

describe('F&O companies: with Cross Company off, every write form acts in the default company only', () => {
  // the rule (protocol §8, F&O "Cross-company"): without cross-company=true only the default company's rows are seen
  const other = "dataAreaId = 'usrt' AND CustomerAccount = 'RT-001'";

  it('a SELECT by another company\'s full key sees nothing, and so UPDATE and DELETE by it change nothing', async () => {
    const before = await customer('usrt', 'RT-001', true);
    expect(before).toHaveLength(1);
    expect((await f.conn.query(`SELECT CustomerAccount FROM CustomersV3 WHERE ${other}`)).rows).toEqual([]);
    await f.clearLog();
    expect((await f.conn.query(`UPDATE CustomersV3 SET OrganizationName = 'crossed' WHERE ${other}`)).rowCount).toBe(0);
    expect((await f.conn.query(`DELETE FROM CustomersV3 WHERE ${other}`)).rowCount).toBe(0);
    expect((await f.conn.query(`DELETE FROM CustomersV3 WHERE ${other} OPTION (ATOMIC)`)).rowCount).toBe(0);
    expect(await f.writes()).toEqual([]);
    expect(await customer('usrt', 'RT-001', true)).toEqual(before);
  });

  it('an INSERT or UPSERT naming another company is refused and writes nothing', async () => {
    await expect(f.conn.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usrt', 'X-1', 'crossed')")).rejects.toThrow(/not the current company/);
    await expect(f.conn.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usrt', 'RT-001', 'crossed')")).rejects.toThrow(/not the current company/);
    expect(await customer('usrt', 'X-1', true)).toEqual([]);
    expect(await customer('usrt', 'RT-001', true)).not.toMatchObject([{ OrganizationName: 'crossed' }]);
  });

  it('with Cross Company on, the same statements reach the other company (creates carry ?cross-company=true)', async () => {
    const cross = await f.connectWith('Cross Company=true');
    await f.clearLog();
    expect((await cross.query("INSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usrt', 'X-2', 'crossed')")).rowCount).toBe(1);
    expect((await f.writes()).map((w) => `${w.method} ${w.url}`)).toEqual(['POST /data/CustomersV3?cross-company=true']);
    expect((await cross.query("UPDATE CustomersV3 SET OrganizationName = 'crossed 2' WHERE dataAreaId = 'usrt' AND CustomerAccount = 'X-2'")).rowCount).toBe(1);
    expect((await cross.query("UPSERT INTO CustomersV3 (dataAreaId, CustomerAccount, OrganizationName) VALUES ('usrt', 'X-3', 'crossed 3')")).rowCount).toBe(1);
    expect((await cross.query("DELETE FROM CustomersV3 WHERE dataAreaId = 'usrt' AND CustomerAccount IN ('X-2', 'X-3')")).rowCount).toBe(2);
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
