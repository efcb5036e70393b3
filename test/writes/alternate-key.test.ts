/**
 * UPSERT by alternate key against an emulator whose metadata declares one on account.accountnumber
 * (OData.Community.Keys.V1.AlternateKeys, as Dataverse publishes them).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import { writeFixture, type WriteFixture } from './helpers.js';

const KEY = `<Annotation Term="Keys.AlternateKeys"><Collection>
  <Record Type="Keys.AlternateKey"><PropertyValue Property="Key"><Collection>
    <Record Type="Keys.PropertyRef"><PropertyValue Property="Alias" String="accountnumber"/><PropertyValue Property="Name" PropertyPath="accountnumber"/></Record>
  </Collection></PropertyValue></Record>
</Collection></Annotation>`;

const ACCOUNT = '<EntityType Name="account" BaseType="mscrm.crmbaseentity">\n        <Key>\n          <PropertyRef Name="accountid"/>\n        </Key>';

let f: WriteFixture;
beforeAll(async () => {
  expect(DATAVERSE_EDMX).toContain(ACCOUNT);
  f = await writeFixture({ metadataXml: DATAVERSE_EDMX.replace(ACCOUNT, `${ACCOUNT}\n${KEY}`) });
});
afterAll(async () => {
  await f?.close();
});

async function byNumber(n: string) {
  return (await f.conn.query('SELECT name, accountnumber FROM account WHERE accountnumber = @n', { n })).rows;
}

it('the catalog knows the alternate key', async () => {
  const account = (await f.conn.catalog()).tables.find((t) => t.name === 'account')!;
  expect(account.alternateKeys).toEqual([{ name: 'AK_account_accountnumber', columns: ['accountnumber'] }]);
});

it('UPSERT by the alternate key creates, then updates, through PATCH accounts(accountnumber=…)', async () => {
  await f.clearLog();
  expect((await f.conn.query("UPSERT INTO account (accountnumber, name) VALUES ('AK/1''x', 'first')")).rowCount).toBe(1);
  expect((await f.conn.query("UPSERT INTO account (accountnumber, name) VALUES ('AK/1''x', 'second') OPTION (KEY AK_account_accountnumber)")).rowCount).toBe(1);
  const writes = await f.writes();
  expect(writes.map((w) => `${w.method} ${w.url}`)).toEqual([
    "PATCH /api/data/v9.2/accounts(accountnumber='AK%2F1''x')",
    "PATCH /api/data/v9.2/accounts(accountnumber='AK%2F1''x')",
  ]);
  expect(JSON.parse(writes[0]!.body)).toEqual({ name: 'first' });
  expect(await byNumber("AK/1'x")).toEqual([{ name: 'second', accountnumber: "AK/1'x" }]);
});

it('several rows go in one $batch, each to its own key URL', async () => {
  await f.clearLog();
  const r = await f.conn.query("UPSERT INTO account (accountnumber, name) VALUES ('AK-2', 'two'), ('AK-3', 'three'), ('AK/1''x', 'third')");
  expect(r.rowCount).toBe(3);
  const [batch] = await f.writes();
  expect(batch!.url).toMatch(/\$batch$/);
  expect(batch!.body).toContain("PATCH http://127.0.0.1:");
  expect(await byNumber('AK-3')).toEqual([{ name: 'three', accountnumber: 'AK-3' }]);
  expect(await byNumber("AK/1'x")).toEqual([{ name: 'third', accountnumber: "AK/1'x" }]);
});
