/**
 * The metadata API's answers the driver reads for filters on display columns (issue 18): a table's
 * primary name column and a choice's option labels (fetchxml-delta-metadata doc §3.1, §3.3). Then
 * the connection: it reads each once, and a choice the service gives no labels for stays local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 20 });
});

afterAll(async () => {
  await emulator?.close();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('EntityDefinitions on the Dataverse emulator', () => {
  it("answers a table's primary name column", async () => {
    const { status, body } = await get("EntityDefinitions(LogicalName='contact')?$select=PrimaryNameAttribute");
    expect(status).toBe(200);
    expect(body.PrimaryNameAttribute).toBe('fullname');
    expect(body.MetadataId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).not.toHaveProperty('EntitySetName');
  });

  it("answers a picklist's options under OptionSet, GlobalOptionSet null (a local choice)", async () => {
    const { status, body } = await get("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='industrycode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)");
    expect(status).toBe(200);
    expect(body.GlobalOptionSet).toBeNull();
    const options = (body.OptionSet as { Options: { Value: number; Label: { UserLocalizedLabel: { Label: string } } }[] }).Options;
    expect(options[0]).toMatchObject({ Value: 1, Label: { UserLocalizedLabel: { Label: 'Accounting', LanguageCode: 1033 } } });
  });

  it("answers a yes/no column as BooleanAttributeMetadata: TrueOption 1 and FalseOption 0, labelled as its FormattedValues", async () => {
    const { status, body } = await get("EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='donotemail')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet");
    expect(status).toBe(200);
    expect(body.GlobalOptionSet).toBeNull();
    expect(body.OptionSet).toMatchObject({
      OptionSetType: 'Boolean', TrueOption: { Value: 1, Label: { UserLocalizedLabel: { Label: 'Yes' } } }, FalseOption: { Value: 0, Label: { UserLocalizedLabel: { Label: 'No' } } },
    });
    expect((await get("EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='donotemail')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata")).status).toBe(404);
    expect((await get("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='industrycode')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata")).status).toBe(404);
  });

  it("lists a table's columns with their AttributeType: the choices its labels know, lookups by their logical name", async () => {
    const { status, body } = await get("EntityDefinitions(LogicalName='systemuser')/Attributes?$select=LogicalName,AttributeType,AttributeTypeName");
    expect(status).toBe(200);
    expect(body['@odata.context']).toMatch(/\$metadata#EntityDefinitions\('systemuser'\)\/Attributes\(LogicalName,AttributeType,AttributeTypeName\)$/);
    const byName = new Map((body.value as Record<string, unknown>[]).map((a) => [a.LogicalName, a]));
    expect(byName.get('accessmode')).toMatchObject({ '@odata.type': '#Microsoft.Dynamics.CRM.PicklistAttributeMetadata', AttributeType: 'Picklist', AttributeTypeName: { Value: 'PicklistType' } });
    expect(byName.get('isdisabled')).toMatchObject({ AttributeType: 'Boolean' });
    expect(byName.get('fullname')).toMatchObject({ AttributeType: 'String', AttributeTypeName: { Value: 'StringType' } });
    expect(byName.get('businessunitid')).toMatchObject({ AttributeType: 'Lookup' });
    expect(byName.get('accessmode')).not.toHaveProperty('DisplayName');
    expect((await get("EntityDefinitions(LogicalName='systemuser')/Attributes?$filter=AttributeType eq 'Picklist'")).status).toBe(400);
  });

  it('answers statecode only as StateAttributeMetadata, and a column that is no choice not at all', async () => {
    expect((await get("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='statecode')/Microsoft.Dynamics.CRM.StateAttributeMetadata?$expand=OptionSet")).status).toBe(200);
    expect((await get("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='statecode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata")).status).toBe(404);
    expect((await get("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='name')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata")).status).toBe(404);
    expect((await get("EntityDefinitions(LogicalName='nosuchtable')?$select=PrimaryNameAttribute")).status).toBe(404);
  });
});

describe('the connection reads labels and primary names once, as filters need them', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await connect(`Url=${emulator.url}`);
  });
  afterAll(async () => {
    await conn?.close();
  });

  const metadataRequests = (from: number) => emulator.requests().slice(from).map((r) => r.url).filter((url) => url.includes('EntityDefinitions('));

  it('one request per choice column and per target table, the first time only', async () => {
    let before = emulator.requests().length;
    await conn.query("SELECT name FROM account WHERE industrycodename = 'Consulting' AND primarycontactidname = 'x'");
    expect(metadataRequests(before)).toHaveLength(2);
    before = emulator.requests().length;
    await conn.query("SELECT name FROM account WHERE industrycodename IN ('Brokers') AND primarycontactidname <> 'y'");
    expect(metadataRequests(before)).toHaveLength(0);
  });

  it("a yes/no label reads the column's BooleanAttributeMetadata once and filters by its value", async () => {
    let before = emulator.requests().length;
    const rows = (await conn.query("SELECT name, creditonholdname FROM account WHERE creditonholdname = 'Yes'")).rows;
    expect(metadataRequests(before)).toEqual([expect.stringContaining("Attributes(LogicalName='creditonhold')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata")]);
    expect(decodeURIComponent(emulator.requests().at(-1)!.url)).toContain('$filter=creditonhold eq true');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.creditonholdname === 'Yes')).toBe(true);
    before = emulator.requests().length;
    await conn.query("SELECT name FROM account WHERE creditonholdname <> 'no'");
    expect(metadataRequests(before)).toHaveLength(0);
  });

  it("a polymorphic lookup's name and an OR of display columns are sent by the first statement that needs them", async () => {
    const fresh = await connect(`Url=${emulator.url}`);
    try {
      const plan = async (sql: string) => (await fresh.query(`EXPLAIN ${sql}`)).rows.map((r) => r.plan).join('\n');
      expect(await plan("SELECT fullname FROM contact WHERE parentcustomeridname = 'x'"))
        .toContain("$filter parentcustomerid_account/name eq 'x' or parentcustomerid_contact/fullname eq 'x'");
      expect(await plan("SELECT fullname FROM contact WHERE gendercodename = 'Male' OR familystatuscodename = 'Single'"))
        .toContain('$filter gendercode eq 1 or familystatuscode eq 1');
    } finally {
      await fresh.close();
    }
  });

  it('a choice the service gives no labels for is compared locally', async () => {
    // accountrolecode is a choice by its name (dataverse-conventions.ts); the emulator has no labels for it
    const before = emulator.requests().length;
    const sql = "SELECT fullname FROM contact WHERE preferredcontactmethodcodename = 'Email' OR accountrolecodename = 'x'";
    const explained = (await conn.query(`EXPLAIN ${sql}`)).rows.map((r) => r.plan).join('\n');
    expect(explained).toMatch(/labels of accountrolecode are not known/);
    expect(metadataRequests(before).length).toBeGreaterThan(0);
  });
});
