import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { errorOf, get } from './helpers.js';

let emu: RunningEmulator;
let root: string;
const ALL = { Prefer: 'odata.include-annotations="*"' };

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 120, aggregateLimit: 100 });
  root = emu.url;
});
afterAll(async () => emu?.close());

const fx = (set: string, xml: string, headers: Record<string, string> = {}) => get(`${root}${set}?fetchXml=${encodeURIComponent(xml)}`, headers);

interface Account { name: string; accountid: string; revenue: number | null; address1_city: string | null; numberofemployees: number | null; statecode: number; createdon: string; _primarycontactid_value: string | null }
async function accounts(): Promise<Account[]> {
  const r = await get(`${root}accounts?$select=name,revenue,address1_city,numberofemployees,statecode,createdon,_primarycontactid_value`);
  return r.json.value;
}
const ids = (rows: { accountid: string }[]) => rows.map((r) => r.accountid).sort();

describe('FetchXML on the entity set (FetchXML doc §1.5, §1.6)', () => {
  it('returns the listed attributes, the key and an etag, omitting null columns', async () => {
    const r = await fx('accounts', '<fetch top="200"><entity name="account"><attribute name="name"/><attribute name="numberofemployees"/></entity></fetch>');
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts(name,numberofemployees,accountid)`);
    expect(r.json.value).toHaveLength(120);
    for (const row of r.json.value) {
      expect(row['@odata.etag']).toMatch(/^W\/"\d+"$/);
      expect(Object.keys(row).filter((k) => !k.startsWith('@')).every((k) => ['name', 'numberofemployees', 'accountid'].includes(k))).toBe(true);
      expect(Object.values(row)).not.toContain(null);
    }
    const all = await accounts();
    const withoutEmployees = all.filter((a) => a.numberofemployees === null).length;
    expect(withoutEmployees).toBeGreaterThan(0);
    expect(r.json.value.filter((row: object) => !('numberofemployees' in row))).toHaveLength(withoutEmployees);
  });

  it('returns every column for <all-attributes/> or no attributes, lookups as _x_value', async () => {
    for (const body of ['<all-attributes/>', '']) {
      const r = await fx('accounts', `<fetch top="1"><entity name="account">${body}<filter><condition attribute="primarycontactid" operator="not-null"/></filter></entity></fetch>`);
      expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts`);
      const [row] = r.json.value;
      expect(row._primarycontactid_value).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.name).toBeTypeOf('string');
      expect(row).not.toHaveProperty('primarycontactid');
    }
  });

  it('filters with each common operator as the service compares strings', async () => {
    const all = await accounts();
    const litware = all.find((a) => a.name.startsWith('Litware'))!;
    const city = all.find((a) => a.address1_city)!.address1_city!;
    const cases: [string, (a: Account) => boolean][] = [
      [`<condition attribute="name" operator="eq" value="${litware.name.toUpperCase()}   "/>`, (a) => a.name === litware.name],
      [`<condition attribute="address1_city" operator="ne" value="${city.toLowerCase()}"/>`, (a) => a.address1_city?.toLowerCase() !== city.toLowerCase()],
      ['<condition attribute="revenue" operator="gt" value="1000000"/>', (a) => a.revenue !== null && a.revenue > 1_000_000],
      ['<condition attribute="revenue" operator="ge" value="353000"/>', (a) => a.revenue !== null && a.revenue >= 353_000],
      ['<condition attribute="revenue" operator="lt" value="353000"/>', (a) => a.revenue !== null && a.revenue < 353_000],
      ['<condition attribute="revenue" operator="le" value="353000"/>', (a) => a.revenue !== null && a.revenue <= 353_000],
      ['<condition attribute="numberofemployees" operator="null"/>', (a) => a.numberofemployees === null],
      ['<condition attribute="numberofemployees" operator="not-null"/>', (a) => a.numberofemployees !== null],
      ['<condition attribute="name" operator="like" value="%(SAMPLE)"/>', (a) => a.name.toLowerCase().endsWith('(sample)')],
      ['<condition attribute="name" operator="not-like" value="%sample%"/>', (a) => !a.name.toLowerCase().includes('sample')],
      ['<condition attribute="name" operator="begins-with" value="a"/>', (a) => a.name.toLowerCase().startsWith('a')],
      ['<condition attribute="name" operator="ends-with" value="INC. (sample)"/>', (a) => a.name.toLowerCase().endsWith('inc. (sample)')],
      [`<condition attribute="address1_city" operator="in"><value>${city}</value><value>Nowhere</value></condition>`, (a) => a.address1_city?.toLowerCase() === city.toLowerCase()],
      ['<condition attribute="statecode" operator="not-in"><value>1</value></condition>', (a) => a.statecode !== 1],
      ['<condition attribute="numberofemployees" operator="between"><value>100</value><value>5000</value></condition>', (a) => a.numberofemployees !== null && a.numberofemployees >= 100 && a.numberofemployees <= 5000],
      ['<condition attribute="createdon" operator="on-or-after" value="2023-05-01"/>', (a) => a.createdon >= '2023-05-01'],
    ];
    for (const [condition, expected] of cases) {
      const r = await fx('accounts', `<fetch><entity name="account"><attribute name="accountid"/><filter>${condition}</filter></entity></fetch>`);
      expect(r.status, condition).toBe(200);
      const want = ids(all.filter(expected));
      expect(want.length, condition).toBeGreaterThan(0);
      expect(want.length, condition).toBeLessThan(all.length + (condition.includes('not-in') ? 1 : 0));
      expect(ids(r.json.value), condition).toEqual(want);
    }
    expect(all.filter((a) => a.revenue !== null && a.revenue > 1_000_000).length).toBeGreaterThan(0);
  });

  it('nests and/or filters', async () => {
    const all = await accounts();
    const r = await fx('accounts', `<fetch><entity name="account"><attribute name="accountid"/><filter type="and">
      <condition attribute="statecode" operator="eq" value="0"/>
      <filter type="or"><condition attribute="revenue" operator="gt" value="2000000"/><condition attribute="numberofemployees" operator="null"/></filter>
    </filter></entity></fetch>`);
    const expected = all.filter((a) => a.statecode === 0 && ((a.revenue ?? 0) > 2_000_000 || a.numberofemployees === null));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(r.json.value)).toEqual(ids(expected));
  });

  it('orders, takes top and removes duplicates with distinct', async () => {
    const all = await accounts();
    const r = await fx('accounts', '<fetch top="5"><entity name="account"><attribute name="name"/><attribute name="revenue"/><order attribute="revenue" descending="true"/></entity></fetch>');
    const expected = all.filter((a) => a.revenue !== null).sort((a, b) => b.revenue! - a.revenue!).slice(0, 5).map((a) => a.revenue);
    expect(r.json.value.map((row: Account) => row.revenue)).toEqual(expected);
    const cities = await fx('accounts', '<fetch distinct="true"><entity name="account"><attribute name="address1_city"/><order attribute="address1_city"/></entity></fetch>');
    const distinct = new Set(all.map((a) => a.address1_city?.toLowerCase() ?? null));
    expect(cities.json.value).toHaveLength(distinct.size);
    expect(cities.json.value[0]).not.toHaveProperty('accountid');
    expect(cities.json.value[0]).not.toHaveProperty('@odata.etag');
  });

  it('gives formatted values, lookup annotations and aliases when Prefer asks', async () => {
    const r = await fx('accounts', '<fetch top="1"><entity name="account"><attribute name="revenue"/><attribute name="primarycontactid" alias="boss"/><filter><condition attribute="primarycontactid" operator="not-null"/><condition attribute="revenue" operator="not-null"/></filter></entity></fetch>', ALL);
    const [row] = r.json.value;
    expect(row['revenue@OData.Community.Display.V1.FormattedValue']).toMatch(/^\$[\d,]+\.\d\d$/);
    expect(row.boss).toMatch(/^[0-9a-f-]{36}$/);
    expect(row['boss@OData.Community.Display.V1.AttributeName']).toBe('primarycontactid');
    expect(row['boss@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('contact');
    expect(row['boss@OData.Community.Display.V1.FormattedValue']).toBeTypeOf('string');
    expect(r.headers['preference-applied']).toBe('odata.include-annotations="*"');
    const plain = await fx('accounts', '<fetch top="1"><entity name="account"><attribute name="revenue"/><filter><condition attribute="revenue" operator="not-null"/></filter></entity></fetch>');
    expect(Object.keys(plain.json.value[0]).some((k) => k.includes('FormattedValue'))).toBe(false);
  });
});

describe('FetchXML errors (FetchXML doc §1.3, §1.5)', () => {
  it('answers the documented codes for unknown tables and columns', async () => {
    const table = await fx('accounts', '<fetch><entity name="nosuchtable"/></fetch>');
    expect(table.status).toBe(400);
    expect(errorOf(table)).toEqual({ code: '0x80041102', message: "The entity with a name = 'nosuchtable' with namemapping = 'Logical' was not found in the MetadataCache." });
    const column = await fx('accounts', '<fetch><entity name="account"><attribute name="bogus"/></entity></fetch>');
    expect(column.status).toBe(400);
    expect(errorOf(column)?.code).toBe('0x80041103');
    expect(errorOf(column)?.message).toMatch(/^'account' entity doesn't contain attribute with Name = 'bogus'/);
    const webApiName = await fx('accounts', '<fetch><entity name="account"><filter><condition attribute="_primarycontactid_value" operator="null"/></filter></entity></fetch>');
    expect(errorOf(webApiName)?.code).toBe('0x80041103');
    expect(errorOf(await fx('accounts', '<fetch><entity/></fetch>'))?.message).toBe('Entity Name was not specified in FetchXml String.');
  });

  it('refuses malformed XML, $fetchXml, other options and the wrong entity set with 400', async () => {
    const malformed = await fx('accounts', '<fetch><entity name="account"></fetch>');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)?.code).toBe('0x80040203');
    const dollar = await get(`${root}accounts?$fetchXml=${encodeURIComponent('<fetch><entity name="account"/></fetch>')}`);
    expect(errorOf(dollar)?.message).toBe('The query parameter $fetchXml is not supported');
    const withSelect = await get(`${root}accounts?$select=name&fetchXml=${encodeURIComponent('<fetch><entity name="account"/></fetch>')}`);
    expect(withSelect.status).toBe(400);
    const wrongSet = await fx('contacts', '<fetch><entity name="account"/></fetch>');
    expect(wrongSet.status).toBe(400);
    expect(errorOf(wrongSet)?.code).toBe('0x80060888');
    const badOperator = await fx('accounts', '<fetch><entity name="account"><filter><condition attribute="name" operator="between" value="a"/></filter></entity></fetch>');
    expect(badOperator.status).toBe(400);
  });
});
