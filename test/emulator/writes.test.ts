import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCUMENTED_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, errorOf, get, send } from './helpers.js';

let emu: RunningEmulator;
let root: string;
const NEW_ID = '7eb682f1-ca75-e511-80d4-00155d2a68d1';

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 50 });
  root = emu.url;
});
afterAll(async () => emu?.close());
beforeEach(() => emu.reset());

const idFrom = (entityId: string) => /\(([0-9a-f-]{36})\)$/.exec(entityId)![1]!;

describe('create (protocol §4)', () => {
  it('POST returns 204 with OData-EntityId', async () => {
    const r = await send('POST', `${root}accounts`, { name: 'Sample Account', creditonhold: false, address1_latitude: 47.639583, revenue: 5000000, accountcategorycode: 1 });
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(r.headers['odata-entityid']).toMatch(new RegExp(`^${root.replace(/[.?]/g, '\\$&')}accounts\\([0-9a-f-]{36}\\)$`));
    const created = await get(`${r.headers['odata-entityid']}?$select=name,revenue,revenue_base,statecode,_transactioncurrencyid_value`);
    expect(created.json).toMatchObject({ name: 'Sample Account', revenue: 5000000, revenue_base: 5000000, statecode: 0 });
    expect(created.json._transactioncurrencyid_value).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('POST with return=representation returns 201 and the body, without OData-EntityId', async () => {
    const r = await send('POST', `${root}accounts?$select=name`, { name: 'Represented' }, { Prefer: 'return=representation' });
    expect(r.status).toBe(201);
    expect(r.headers['preference-applied']).toBe('return=representation');
    expect(r.headers).not.toHaveProperty('odata-entityid');
    expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts(name)/$entity`);
    expect(r.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(r.json.name).toBe('Represented');
  });

  it('accepts a client-supplied key and refuses a duplicate with 0x80040237', async () => {
    const first = await send('POST', `${root}accounts`, { accountid: NEW_ID, name: 'Mine' });
    expect(first.headers['odata-entityid']).toBe(`${root}accounts(${NEW_ID})`);
    const again = await send('POST', `${root}accounts`, { accountid: NEW_ID, name: 'Again' });
    expect(again.status).toBe(412);
    expect(errorOf(again)).toEqual({ code: '0x80040237', message: 'A record with matching key values already exists.' });
  });

  it('binds lookups with relative, slash-less and absolute URLs, polymorphic per type', async () => {
    const contact = `contacts(${DOCUMENTED_IDS.contact})`;
    const a = await send('POST', `${root}accounts`, { name: 'Bound', 'primarycontactid@odata.bind': `/${contact}` });
    const account = idFrom(a.headers['odata-entityid']!);
    const read = await get(`${root}accounts(${account})?$select=_primarycontactid_value`);
    expect(read.json._primarycontactid_value).toBe(DOCUMENTED_IDS.contact);
    const c = await send('POST', `${root}contacts`, { lastname: 'Child', 'parentcustomerid_account@odata.bind': `${root}accounts(${account})` });
    const c2 = await send('POST', `${root}contacts`, { lastname: 'Grandchild', 'parentcustomerid_contact@odata.bind': contact });
    const annotated = { Prefer: 'odata.include-annotations="*"' };
    const child = await get(`${c.headers['odata-entityid']}?$select=_parentcustomerid_value`, annotated);
    expect(child.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    const grandchild = await get(`${c2.headers['odata-entityid']}?$select=_parentcustomerid_value,fullname`, annotated);
    expect(grandchild.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('contact');
    expect(grandchild.json.fullname).toBe('Grandchild');
    const missing = await send('POST', `${root}accounts`, { name: 'x', 'primarycontactid@odata.bind': '/contacts(00000000-0000-0000-0000-000000000009)' });
    expect(missing.status).toBe(404);
    expect(errorOf(missing)?.code).toBe('0x80040217');
  });

  it('deep-inserts related records and binds collection navigations', async () => {
    const r = await send('POST', `${root}accounts`, {
      name: 'Sample Account',
      primarycontactid: { firstname: 'John', lastname: 'Smith' },
      opportunity_customer_accounts: [{ name: 'Opportunity associated to Sample Account', Opportunity_Tasks: [{ subject: 'Task associated to opportunity' }] }],
    });
    expect(r.status).toBe(204);
    const id = idFrom(r.headers['odata-entityid']!);
    const read = await get(`${root}accounts(${id})?$select=name&$expand=primarycontactid($select=fullname),opportunity_customer_accounts($select=name)`);
    expect(read.json.primarycontactid.fullname).toBe('John Smith');
    expect(read.json.opportunity_customer_accounts.map((o: { name: string }) => o.name)).toEqual(['Opportunity associated to Sample Account']);
    const opp = read.json.opportunity_customer_accounts[0].opportunityid;
    const tasks = await get(`${root}opportunities(${opp})/Opportunity_Tasks?$select=subject`);
    expect(tasks.json.value.map((t: { subject: string }) => t.subject)).toEqual(['Task associated to opportunity']);
  });

  it('refuses unknown properties, lookup columns, wrong types and over-long strings', async () => {
    const unknown = await send('POST', `${root}accounts`, { nosuch: 1 });
    expect(errorOf(unknown)?.message).toBe("The property 'nosuch' does not exist on type 'Microsoft.Dynamics.CRM.account'. Make sure to only use property names that are defined by the type or mark the type as open type.");
    const lookup = await send('POST', `${root}accounts`, { _primarycontactid_value: DOCUMENTED_IDS.contact });
    expect(lookup.status).toBe(400);
    const type = await send('POST', `${root}accounts`, { numberofemployees: 'many' });
    expect(type.status).toBe(400);
    const long = await send('POST', `${root}tasks`, { subject: 'x'.repeat(201) });
    expect(long.status).toBe(400);
    expect(errorOf(long)).toEqual({ code: '0x80044331', message: "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'." });
    const json = await call(`${root}accounts`, { method: 'POST', body: '{"name": ' });
    expect(json.status).toBe(400);
  });

  it('tables without seed data are empty and writable', async () => {
    expect((await get(`${root}opportunitycloses`)).json.value).toEqual([]);
    expect((await send('POST', `${root}opportunitycloses`, { subject: 'closing' })).status).toBe(204);
    expect((await get(`${root}opportunitycloses/$count`)).text).toBe('1');
  });
});

describe('update, upsert, delete, concurrency', () => {
  const contactUrl = () => `${root}contacts(${DOCUMENTED_IDS.contact})`;

  it('PATCH updates and bumps the etag', async () => {
    const before = await get(`${contactUrl()}?$select=jobtitle`);
    const r = await send('PATCH', contactUrl(), { jobtitle: 'Chief Tester' });
    expect(r.status).toBe(204);
    expect(r.headers['odata-entityid']).toBe(contactUrl());
    const after = await get(`${contactUrl()}?$select=jobtitle`);
    expect(after.json.jobtitle).toBe('Chief Tester');
    expect(after.json['@odata.etag']).not.toBe(before.json['@odata.etag']);
  });

  it('PATCH with return=representation returns 200 with $select honoured', async () => {
    const r = await send('PATCH', `${contactUrl()}?$select=jobtitle`, { jobtitle: 'CTO' }, { Prefer: 'return=representation' });
    expect(r.status).toBe(200);
    expect(r.json.jobtitle).toBe('CTO');
    expect(Object.keys(r.json)).toEqual(['@odata.context', '@odata.etag', 'jobtitle', 'contactid']);
  });

  it('upserts: PATCH to a missing key creates it', async () => {
    const r = await send('PATCH', `${root}accounts(${NEW_ID})`, { name: 'Upserted' });
    expect(r.status).toBe(204);
    expect((await get(`${root}accounts(${NEW_ID})?$select=name`)).json.name).toBe('Upserted');
  });

  it('If-Match: * prevents a create (404 0x80040217)', async () => {
    const r = await send('PATCH', `${root}accounts(${NEW_ID})`, { name: 'No create' }, { 'If-Match': '*' });
    expect(r.status).toBe(404);
    expect(errorOf(r)).toEqual({ code: '0x80040217', message: `Entity 'account' With Id = ${NEW_ID} Does Not Exist` });
  });

  it('If-None-Match: * prevents an update (412 0x80040237)', async () => {
    const r = await send('PATCH', contactUrl(), { jobtitle: 'x' }, { 'If-None-Match': '*' });
    expect(r.status).toBe(412);
    expect(errorOf(r)).toEqual({ code: '0x80040237', message: 'A record with matching key values already exists.' });
  });

  it('a stale If-Match etag gives 412 0x80060882 on PATCH and DELETE', async () => {
    const current = (await get(`${contactUrl()}?$select=fullname`)).json['@odata.etag'];
    const ok = await send('PATCH', contactUrl(), { jobtitle: 'v2' }, { 'If-Match': current });
    expect(ok.status).toBe(204);
    const stale = await send('PATCH', contactUrl(), { jobtitle: 'v3' }, { 'If-Match': current });
    expect(stale.status).toBe(412);
    expect(errorOf(stale)).toEqual({ code: '0x80060882', message: "The version of the existing record doesn't match the RowVersion property provided." });
    const del = await send('DELETE', contactUrl(), undefined, { 'If-Match': current });
    expect(del.status).toBe(412);
  });

  it('upserts by alternate key', async () => {
    const r = await send('PATCH', `${root}accounts(accountnumber='NEW-1')`, { name: 'By alternate key' });
    expect(r.status).toBe(204);
    expect((await get(`${root}accounts(accountnumber='NEW-1')?$select=name`)).json.name).toBe('By alternate key');
  });

  it('DELETE removes a record, then 404', async () => {
    expect((await send('DELETE', contactUrl())).status).toBe(204);
    expect((await get(contactUrl())).status).toBe(404);
    expect((await send('DELETE', contactUrl())).status).toBe(404);
  });

  it('PUT and DELETE on a single property', async () => {
    expect((await send('PUT', `${contactUrl()}/jobtitle`, { value: 'Single' })).status).toBe(204);
    expect((await get(`${contactUrl()}/jobtitle`)).json.value).toBe('Single');
    expect((await send('DELETE', `${contactUrl()}/jobtitle`)).status).toBe(204);
    expect((await get(`${contactUrl()}?$select=jobtitle`)).json.jobtitle).toBeNull();
  });

  it('associates and disassociates with $ref', async () => {
    const account = (await get(`${root}accounts?$select=name&$top=1&$filter=_primarycontactid_value eq null`)).json.value[0];
    const ref = `${root}accounts(${account.accountid})/primarycontactid/$ref`;
    expect((await send('PUT', ref, { '@odata.id': `${root}contacts(${DOCUMENTED_IDS.contact})` })).status).toBe(204);
    expect((await get(`${root}accounts(${account.accountid})?$select=_primarycontactid_value`)).json._primarycontactid_value).toBe(DOCUMENTED_IDS.contact);
    expect((await send('DELETE', ref)).status).toBe(204);
    expect((await get(`${root}accounts(${account.accountid})?$select=_primarycontactid_value`)).json._primarycontactid_value).toBeNull();
    const coll = `${root}accounts(${account.accountid})/contact_customer_accounts`;
    expect((await send('POST', `${coll}/$ref`, { '@odata.id': `contacts(${DOCUMENTED_IDS.contact})` })).status).toBe(204);
    expect((await get(`${coll}?$select=fullname`)).json.value.map((c: { contactid: string }) => c.contactid)).toContain(DOCUMENTED_IDS.contact);
    expect((await send('DELETE', `${coll}(${DOCUMENTED_IDS.contact})/$ref`)).status).toBe(204);
    expect((await get(`${coll}?$select=fullname`)).json.value.map((c: { contactid: string }) => c.contactid)).not.toContain(DOCUMENTED_IDS.contact);
  });

  it('reset restores the seed', async () => {
    await send('DELETE', contactUrl());
    emu.reset();
    expect((await get(contactUrl())).status).toBe(200);
  });
});
