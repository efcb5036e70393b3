/**
 * `conn.choiceOptions(table, column)` on the emulator: a Dataverse choice's labels from the metadata
 * API (read once, then kept), a yes/no column's two, nothing for a column that is no choice, and a
 * Finance & Operations enum's members from the catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { connect, DynasqlError, type Connection } from '../../src/index.js';

let dataverse: Awaited<ReturnType<typeof startEmulator>>;
let finops: Awaited<ReturnType<typeof startEmulator>>;
let conn: Connection;
let fo: Connection;

beforeAll(async () => {
  [dataverse, finops] = await Promise.all([startEmulator({ port: 0 }), startEmulator({ port: 0, edition: 'finops' })]);
  [conn, fo] = await Promise.all([connect(`Url=${dataverse.url};Auth Scheme=None`), connect(`Url=${finops.url};Auth Scheme=None;Edition=FinOpsOnline`)]);
});
afterAll(async () => {
  await Promise.all([conn?.close(), fo?.close()]);
  await Promise.all([dataverse?.close(), finops?.close()]);
});

const metadataRequests = async () =>
  ((await (await fetch(`${dataverse.origin}/_emulator/requests`)).json()) as { url: string }[]).filter((r) => r.url.includes('EntityDefinitions')).length;

describe('conn.choiceOptions', () => {
  it("reads a Dataverse choice's labels once, a yes/no column's two, and none for other columns", async () => {
    expect(await conn.choiceOptions('contacts', 'gendercode')).toEqual([{ value: 1, label: 'Male' }, { value: 2, label: 'Female' }]);
    const asked = await metadataRequests();
    expect(await conn.choiceOptions('contact', 'GenderCode')).toEqual([{ value: 1, label: 'Male' }, { value: 2, label: 'Female' }]);
    expect(await metadataRequests()).toBe(asked);
    expect(await conn.choiceOptions('contact', 'statecode')).toEqual([{ value: 0, label: 'Active' }, { value: 1, label: 'Inactive' }]);
    const yesNo = await conn.choiceOptions('contact', 'donotemail');
    expect(yesNo?.map((o) => o.value)).toEqual([1, 0]);
    expect(await conn.choiceOptions('contact', 'firstname')).toBeNull();
    expect(await conn.choiceOptions('contact', 'gendercodename')).toBeNull();
    await expect(conn.choiceOptions('contact', 'gendercod')).rejects.toSatisfy((e) => DynasqlError.is(e, 'DYNASQL_ERR_UNKNOWN_COLUMN'));
  });

  it("gives a Finance & Operations enum's members from the catalog", async () => {
    const catalog = await fo.catalog();
    const table = catalog.tables.find((t) => t.columns.some((c) => c.options?.length))!;
    const column = table.columns.find((c) => c.options?.length)!;
    const options = await fo.choiceOptions(table.name, column.name);
    expect(options).toEqual(column.options);
    expect(options!.length).toBeGreaterThan(1);
  });
});
