import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENTED_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { errorOf, get, send } from './helpers.js';

let emu: RunningEmulator;
let root: string;
const ALL = { Prefer: 'odata.include-annotations="*"' };

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 200 });
  root = emu.url;
});
afterAll(async () => emu?.close());

describe('service root, metadata, versions', () => {
  it('serves the service document with its context', async () => {
    const r = await get(root);
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${root}$metadata`);
    expect(r.json.value).toContainEqual({ name: 'accounts', kind: 'EntitySet', url: 'accounts' });
    expect(r.json.value.filter((v: { kind: string }) => v.kind === 'EntitySet').length).toBeGreaterThanOrEqual(20);
  });

  it('serves $metadata as XML derived from the CRM fixture', async () => {
    const r = await get(`${root}$metadata`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/xml');
    expect(r.text).toContain('<EntityType Name="account" BaseType="mscrm.crmbaseentity">');
    expect(r.text).toContain('<EntityType Name="activitypointer" BaseType="mscrm.crmbaseentity" Abstract="true">');
    expect(r.text).toContain('<Function Name="LastXDays">');
    expect(r.text).toContain('<FunctionImport Name="WhoAmI" Function="Microsoft.Dynamics.CRM.WhoAmI"/>');
  });

  it('accepts v9.0, v9.1 and v9.2 and refuses a malformed version', async () => {
    for (const v of ['v9.0', 'v9.1', 'v9.2']) expect((await get(`${emu.origin}/api/data/${v}/accounts?$top=1`)).status).toBe(200);
    const bad = await get(`${emu.origin}/api/data/data/accounts`);
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toEqual({
      code: '0x80060888',
      message: "Requested API Version 'data' was not understood. Please provide in the format /api/data/v<Major>.<Minor>/ (example: /api/data/v7.2/)",
    });
  });
});

describe('collections', () => {
  it('returns $select columns with etag first, key last and the documented context', async () => {
    const r = await get(`${root}accounts?$select=name,statecode&$top=2`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; odata.metadata=minimal');
    expect(r.headers['odata-version']).toBe('4.0');
    expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts(name,statecode)`);
    expect(r.json.value).toHaveLength(2);
    expect(Object.keys(r.json.value[0])).toEqual(['@odata.etag', 'name', 'statecode', 'accountid']);
    expect(r.json.value[0]['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(r.json.value[0].name).toBe('Fourth Coffee (sample)');
  });

  it('adds _transactioncurrencyid_value when a money column is selected', async () => {
    const r = await get(`${root}accounts?$select=revenue&$top=1`);
    expect(Object.keys(r.json.value[0])).toEqual(['@odata.etag', 'revenue', '_transactioncurrencyid_value', 'accountid']);
  });

  it('returns all columns without $select, nulls included', async () => {
    const r = await get(`${root}accounts?$top=1`);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts`);
    expect(r.json.value[0]).toHaveProperty('address1_line3', null);
    expect(Object.keys(r.json.value[0]).length).toBeGreaterThan(100);
  });

  it('filters, orders case-insensitively and counts', async () => {
    const r = await get(`${root}accounts?$select=name&$filter=contains(name,'SAMPLE')&$orderby=name asc&$count=true`);
    expect(r.json['@odata.count']).toBe(10);
    const names = r.json.value.map((v: { name: string }) => v.name);
    expect(names[0]).toBe('A. Datum Corporation (sample)');
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(Object.keys(r.json)).toEqual(['@odata.context', '@odata.count', 'value']);
  });

  it('compares strings case-insensitively with eq', async () => {
    const r = await get(`${root}accounts?$select=name&$filter=name eq 'fourth coffee (SAMPLE)'`);
    expect(r.json.value.map((v: { name: string }) => v.name)).toEqual(['Fourth Coffee (sample)']);
  });

  it('compares strings without trailing blanks, as SQL Server pads them (eq, ne, gt, in)', async () => {
    const created = await send('POST', `${root}accounts`, { name: 'Trailing Blank Test ' }, { Prefer: 'return=representation' });
    expect(created.status).toBe(201);
    try {
      const names = async (filter: string) => (await get(`${root}accounts?$select=name&$filter=${encodeURIComponent(filter)}`)).json.value.map((v: { name: string }) => v.name);
      expect(await names("name eq 'TRAILING BLANK TEST'")).toEqual(['Trailing Blank Test ']);
      expect(await names("name eq 'trailing blank test   '")).toEqual(['Trailing Blank Test ']);
      expect(await names("Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['trailing blank test'])")).toEqual(['Trailing Blank Test ']);
      expect(await names("name ne 'Trailing Blank Test' and startswith(name,'Trailing Blank')")).toEqual([]);
      expect(await names("name gt 'trailing blank test' and startswith(name,'Trailing Blank')")).toEqual([]);
      expect(await names("name ge 'TRAILING BLANK TEST' and startswith(name,'Trailing Blank')")).toEqual(['Trailing Blank Test ']);
    } finally {
      emu.reset();
    }
  });

  it('honours SQL LIKE wildcards inside contains/startswith/endswith', async () => {
    const underscore = await get(`${root}accounts?$select=name&$filter=contains(name,'Fourth_Coffee')`);
    expect(underscore.json.value.map((v: { name: string }) => v.name)).toEqual(['Fourth Coffee (sample)']);
    const set = await get(`${root}accounts?$select=name&$filter=startswith(name,'[AB]%25(sample)')`);
    expect(set.json.value.map((v: { name: string }) => v.name).sort()).toEqual(['A. Datum Corporation (sample)', 'Adventure Works (sample)', 'Alpine Ski House (sample)', 'Blue Yonder Airlines (sample)']);
    const ends = await get(`${root}accounts?$select=name&$filter=endswith(name,'Winery (sample)')`);
    expect(ends.json.value).toHaveLength(1);
  });

  it('lets ne match nulls (protocol §12.1)', async () => {
    const all = (await get(`${root}accounts/$count`)).text;
    const withIndustry1 = (await get(`${root}accounts/$count?$filter=industrycode eq 1`)).text;
    const notIndustry1 = (await get(`${root}accounts/$count?$filter=industrycode ne 1`)).text;
    const nulls = (await get(`${root}accounts/$count?$filter=industrycode eq null`)).text;
    expect(Number(nulls)).toBeGreaterThan(0);
    expect(Number(withIndustry1) + Number(notIndustry1)).toBe(Number(all));
  });

  it('evaluates and/or/not with parentheses, numbers, booleans and dates', async () => {
    const r = await get(`${root}accounts?$select=name,revenue,creditonhold,createdon&$filter=(revenue gt 1000000 and creditonhold eq false) or not (createdon ge 2023-06-01T00:00:00Z)`);
    expect(r.json.value.length).toBeGreaterThan(0);
    for (const a of r.json.value) {
      const first = a.revenue !== null && a.revenue > 1_000_000 && a.creditonhold === false;
      const second = !(Date.parse(a.createdon) >= Date.parse('2023-06-01T00:00:00Z'));
      expect(first || second).toBe(true);
    }
  });

  it('filters Edm.Date columns with date literals', async () => {
    const r = await get(`${root}contacts?$select=birthdate&$filter=birthdate lt 1960-01-01`);
    expect(r.json.value.length).toBeGreaterThan(0);
    for (const c of r.json.value) expect(c.birthdate < '1960-01-01').toBe(true);
  });

  it('filters lookups by _x_value with bare and quoted GUIDs', async () => {
    const contact = (await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=_parentcustomerid_value`)).json;
    const id = contact._parentcustomerid_value;
    const bare = await get(`${root}contacts?$select=fullname&$filter=_parentcustomerid_value eq ${id}`);
    const quoted = await get(`${root}contacts?$select=fullname&$filter=_parentcustomerid_value eq '${id}'`);
    expect(bare.json.value.length).toBeGreaterThan(0);
    expect(quoted.json.value).toEqual(bare.json.value);
  });

  it('traverses single-valued navigations in $filter', async () => {
    const r = await get(`${root}accounts?$select=name&$filter=primarycontactid/fullname eq 'Yvonne McKay (sample)'`);
    expect(r.json.value.map((v: { name: string }) => v.name)).toEqual(['Fourth Coffee (sample)']);
  });

  it('evaluates any/all lambdas on collection navigations', async () => {
    const any = await get(`${root}accounts?$select=name&$filter=contact_customer_accounts/any(c:c/fullname eq 'Yvonne McKay (sample)')`);
    expect(any.json.value.map((v: { name: string }) => v.name)).toEqual(['Fourth Coffee (sample)']);
    const anyBare = (await get(`${root}accounts/$count?$filter=contact_customer_accounts/any()`)).text;
    const all = (await get(`${root}accounts/$count?$filter=contact_customer_accounts/all(c:c/statecode eq 0)`)).text;
    expect(Number(anyBare)).toBeGreaterThan(0);
    expect(Number(all)).toBeGreaterThan(0);
  });

  it('resolves parameter aliases in $filter and $orderby', async () => {
    const r = await get(`${root}accounts?$select=name,revenue&$orderby=@p1 desc&$filter=@p1 ne @p3&@p1=revenue&$top=3`);
    const revenues = r.json.value.map((v: { revenue: number }) => v.revenue);
    expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
    expect(revenues.every((x: number | null) => x !== null)).toBe(true);
  });
});

describe('query functions', () => {
  it('In and NotIn with inline and alias parameters', async () => {
    const inline = await get(`${root}accounts?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=["Fourth Coffee (sample)","Coho Winery (sample)"])`);
    expect(inline.json.value).toHaveLength(2);
    const alias = await get(`${root}accounts?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName=@p1,PropertyValues=@p2)&@p1='name'&@p2=["fourth coffee (sample)"]`);
    expect(alias.json.value).toHaveLength(1);
    const all = Number((await get(`${root}accounts/$count`)).text);
    const notIn = await get(`${root}accounts/$count?$filter=Microsoft.Dynamics.CRM.NotIn(PropertyName='name',PropertyValues=['Fourth Coffee (sample)'])`);
    expect(Number(notIn.text)).toBe(all - 1);
  });

  it('Between on numbers', async () => {
    const r = await get(`${root}accounts?$select=numberofemployees&$filter=Microsoft.Dynamics.CRM.Between(PropertyName='numberofemployees',PropertyValues=["5","2000"])`);
    expect(r.json.value.length).toBeGreaterThan(0);
    for (const a of r.json.value) expect(a.numberofemployees >= 5 && a.numberofemployees <= 2000).toBe(true);
  });

  it('date functions use the clock: On, OnOrAfter, LastXDays, OlderThanXDays', async () => {
    const on = await get(`${root}accounts?$select=createdon&$filter=Microsoft.Dynamics.CRM.OnOrAfter(PropertyName='createdon',PropertyValue='2024-06-01')`);
    for (const a of on.json.value) expect(a.createdon >= '2024-06-01').toBe(true);
    const last = await get(`${root}accounts/$count?$filter=Microsoft.Dynamics.CRM.LastXDays(PropertyName=@p1,PropertyValue=@p2)&@p1='createdon'&@p2=7`);
    expect(last.text).toBe('0'); // seed dates are in 2023–2024
    const older = await get(`${root}accounts/$count?$filter=Microsoft.Dynamics.CRM.OlderThanXDays(PropertyName='createdon',PropertyValue=7)`);
    expect(older.text).toBe((await get(`${root}accounts/$count`)).text);
  });

  it('EqualUserId compares with the caller', async () => {
    const r = await get(`${root}accounts?$select=name&$filter=Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')`);
    const direct = await get(`${root}accounts?$select=name&$filter=_ownerid_value eq ${emu.whoAmI.UserId}`);
    expect(direct.json.value.length).toBeGreaterThan(0);
    expect(r.json.value).toEqual(direct.json.value); // the navigation name stands for its lookup
    const byColumn = await get(`${root}accounts?$select=name&$filter=Microsoft.Dynamics.CRM.EqualUserId(PropertyName='_ownerid_value')`);
    expect(byColumn.json.value).toEqual(direct.json.value);
  });

  it('refuses not around a query function', async () => {
    const r = await get(`${root}accounts?$filter=not Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=["x"])`);
    expect(r.status).toBe(400);
    expect(errorOf(r)?.message).toBe('Not operator along with the Custom Named Condition operators is not allowed');
  });
});

describe('single records, keys, navigation', () => {
  it('reads the connector documentation records verbatim', async () => {
    for (const [set, id] of [['leads', DOCUMENTED_IDS.lead], ['salesorders', DOCUMENTED_IDS.salesorder], ['contacts', DOCUMENTED_IDS.contact]]) {
      const r = await get(`${root}${set}(${id})`);
      expect(r.status).toBe(200);
      expect(r.json['@odata.context']).toBe(`${root}$metadata#${set}/$entity`);
    }
  });

  it('single record with $select has the /$entity context and an ETag header', async () => {
    const r = await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=fullname`);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#contacts(fullname)/$entity`);
    expect(r.json.fullname).toBe('Yvonne McKay (sample)');
    expect(r.headers.etag).toBe(r.json['@odata.etag']);
  });

  it('answers a missing record with 0x80040217', async () => {
    const id = '5b4ced1c-88e1-ee11-904c-6045bd05e9d4';
    const r = await get(`${root}accounts(${id})`);
    expect(r.status).toBe(404);
    expect(errorOf(r)).toEqual({ code: '0x80040217', message: `Entity 'account' With Id = ${id} Does Not Exist` });
  });

  it('supports alternate keys and the named primary key, refuses bad keys', async () => {
    const byNumber = await get(`${root}accounts(accountnumber='ACC-000001')?$select=name`);
    expect(byNumber.json.name).toBe('Fourth Coffee (sample)');
    const named = await get(`${root}accounts(accountid=${byNumber.json.accountid})?$select=name`);
    expect(named.json.name).toBe('Fourth Coffee (sample)');
    const bad = await get(`${root}accounts(nosuchcolumn='x')`);
    expect(bad.status).toBe(400);
    expect(errorOf(bad)?.message).toBe("The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.account'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource 'Microsoft.Dynamics.CRM.account'.");
  });

  it('/$count is text/plain and counts the filter', async () => {
    const r = await get(`${root}accounts/$count`);
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.text).toBe('200');
  });

  it('reads a filtered collection through a navigation and a single property', async () => {
    const account = (await get(`${root}accounts?$select=name&$top=1`)).json.value[0];
    const contacts = await get(`${root}accounts(${account.accountid})/contact_customer_accounts?$select=fullname`);
    expect(contacts.status).toBe(200);
    expect(contacts.json.value.map((c: { fullname: string }) => c.fullname)).toContain('Yvonne McKay (sample)');
    const name = await get(`${root}accounts(${account.accountid})/name`);
    expect(name.json).toEqual({ '@odata.context': `${root}$metadata#accounts(${account.accountid})/name`, value: 'Fourth Coffee (sample)' });
  });

  it('returns 304 for a matching If-None-Match, but not with annotations', async () => {
    const r = await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=fullname`);
    const again = await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=fullname`, { 'If-None-Match': r.json['@odata.etag'] });
    expect(again.status).toBe(304);
    const annotated = await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=fullname`, { 'If-None-Match': r.json['@odata.etag'], ...ALL });
    expect(annotated.status).toBe(200);
  });
});

describe('activitypointers', () => {
  it('lists every activity type through the abstract base', async () => {
    const counts = await Promise.all(['tasks', 'phonecalls', 'emails', 'appointments', 'activitypointers'].map(async (set) => Number((await get(`${root}${set}/$count`)).text)));
    expect(counts[4]).toBe(counts[0]! + counts[1]! + counts[2]! + counts[3]!);
    const types = (await get(`${root}activitypointers?$apply=groupby((activitytypecode))`)).json.value.map((v: { activitytypecode: string }) => v.activitytypecode);
    expect(types.sort()).toEqual(['appointment', 'email', 'phonecall', 'task']);
    const account = (await get(`${root}accounts?$select=name&$filter=Account_ActivityPointers/any()&$top=1`)).json.value[0];
    const activities = await get(`${root}accounts(${account.accountid})/Account_ActivityPointers?$select=subject,activitytypecode`);
    expect(activities.json.value.length).toBeGreaterThan(0);
  });
});

describe('$expand', () => {
  it('expands single-valued and collection-valued navigations with nested options', async () => {
    const r = await get(`${root}accounts?$select=name&$top=1&$expand=primarycontactid($select=fullname),contact_customer_accounts($select=fullname;$filter=statecode eq 0;$orderby=fullname desc)`);
    const a = r.json.value[0];
    expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts(name,primarycontactid(fullname),contact_customer_accounts(fullname))`);
    expect(a.primarycontactid).toEqual({ fullname: 'Yvonne McKay (sample)', contactid: DOCUMENTED_IDS.contact });
    const names = a.contact_customer_accounts.map((c: { fullname: string }) => c.fullname);
    expect(names).toEqual([...names].sort((x: string, y: string) => y.toLowerCase().localeCompare(x.toLowerCase())));
  });

  it('nests expands through lookups', async () => {
    const r = await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=fullname&$expand=parentcustomerid_account($select=name;$expand=createdby($select=fullname))`);
    expect(r.json.parentcustomerid_account.name).toBe('Fourth Coffee (sample)');
    expect(typeof r.json.parentcustomerid_account.createdby.fullname).toBe('string');
  });

  it('pages expanded collections with maxpagesize when an expand is nested (§1.5)', async () => {
    const account = (await get(`${root}accounts?$select=name&$top=1`)).json.value[0];
    const r = await get(`${root}accounts(${account.accountid})/contact_customer_accounts?$select=fullname`);
    const total = r.json.value.length;
    expect(total).toBeGreaterThan(1);
    const url = `${root}accounts?$select=name&$filter=accountid eq ${account.accountid}&$expand=contact_customer_accounts($select=fullname;$expand=createdby($select=fullname))`;
    const paged = (await get(url, { Prefer: 'odata.maxpagesize=1' })).json.value[0];
    expect(paged.contact_customer_accounts).toHaveLength(1);
    const link: string = paged['contact_customer_accounts@odata.nextLink'];
    expect(link.startsWith(`${root}accounts(${account.accountid})/contact_customer_accounts?$select=fullname&$skiptoken=%3Ccookie%20pagenumber=%222%22`)).toBe(true);
    const next = await get(link, { Prefer: 'odata.maxpagesize=1' });
    expect(next.json.value[0].contactid).not.toBe(paged.contact_customer_accounts[0].contactid);
    const unpaged = (await get(url)).json.value[0];
    expect(unpaged.contact_customer_accounts).toHaveLength(total);
    expect(unpaged).not.toHaveProperty('contact_customer_accounts@odata.nextLink');
  });

  it('expands $ref on lookups only', async () => {
    const r = await get(`${root}accounts?$select=name&$top=1&$expand=primarycontactid/$ref`);
    expect(r.json.value[0].primarycontactid).toEqual({ '@odata.id': `${root}contacts(${DOCUMENTED_IDS.contact})` });
    expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts(name,primarycontactid,primarycontactid/$ref())`);
    const bad = await get(`${root}accounts?$expand=contact_customer_accounts/$ref`);
    expect(errorOf(bad)).toEqual({ code: '0x80060888', message: 'Expand with $ref is only supported on lookup type navigation property.' });
  });

  it('refuses $top/$orderby in expands where the service does', async () => {
    const message = 'Only $select and $filter clause can be provided while doing $expand on many-to-one relationship or nested one-to-many relationship.';
    const single = await get(`${root}accounts?$expand=primarycontactid($top=1)`);
    expect(errorOf(single)?.message).toBe(message);
    const nested = await get(`${root}accounts?$expand=contact_customer_accounts($top=1;$expand=createdby($select=fullname))`);
    expect(errorOf(nested)?.message).toBe(message);
    const skip = await get(`${root}accounts?$expand=contact_customer_accounts($skip=1)`);
    expect(skip.status).toBe(400);
  });
});

describe('annotations', () => {
  it('adds FormattedValue, lookuplogicalname and associatednavigationproperty on request', async () => {
    const r = await get(`${root}contacts(${DOCUMENTED_IDS.contact})?$select=fullname,statecode,_parentcustomerid_value,_ownerid_value,createdon,donotphone`, ALL);
    const c = r.json;
    expect(r.headers['preference-applied']).toBe('odata.include-annotations="*"');
    expect(c['statecode@OData.Community.Display.V1.FormattedValue']).toBe('Active');
    expect(c['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue']).toBe('Fourth Coffee (sample)');
    expect(c['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    expect(c['_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('parentcustomerid_account');
    expect(c['_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('ownerid');
    expect(['systemuser', 'team']).toContain(c['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']);
    expect(c['createdon@OData.Community.Display.V1.FormattedValue']).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/);
    expect(['Yes', 'No']).toContain(c['donotphone@OData.Community.Display.V1.FormattedValue']);
    const keys = Object.keys(c);
    expect(keys.indexOf('statecode@OData.Community.Display.V1.FormattedValue')).toBe(keys.indexOf('statecode') - 1);
  });

  it('formats money with the record currency and only sends what was asked for', async () => {
    const r = await get(`${root}accounts?$select=revenue&$filter=revenue ne null and _transactioncurrencyid_value ne null&$top=50`, { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' });
    const a = r.json.value.find((x: Record<string, unknown>) => String(x['_transactioncurrencyid_value@OData.Community.Display.V1.FormattedValue']) === 'US Dollar');
    expect(a['revenue@OData.Community.Display.V1.FormattedValue']).toMatch(/^\$[\d,]+\.\d{2}$/);
    expect(a).not.toHaveProperty('_transactioncurrencyid_value@Microsoft.Dynamics.CRM.lookuplogicalname');
    expect(r.json).not.toHaveProperty('@Microsoft.Dynamics.CRM.totalrecordcount');
  });

  it('uses a type-specific navigation for polymorphic regarding lookups', async () => {
    const r = await get(`${root}tasks?$select=_regardingobjectid_value&$filter=_regardingobjectid_value ne null&$top=20`, ALL);
    for (const t of r.json.value) {
      const type = t['_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname'];
      expect(t['_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe(`regardingobjectid_${type}_task`);
    }
  });
});

describe('refusals (checklist §11)', () => {
  const cases: [string, number, string][] = [
    ['accounts?$skip=10', 400, 'Skip Clause is not supported in CRM'],
    ["accounts?$filter=name eq 'x' and statecode in (0,1)", 400, 'The method or operation is not implemented.'],
    ['accounts?$select=scheduledstart', 400, "Could not find a property named 'scheduledstart' on type 'Microsoft.Dynamics.CRM.account'."],
    ["accounts?$filter=nosuch eq 'x'", 400, "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.account'."],
    ['acounts', 404, "Resource not found for the segment 'acounts'."],
    ["contacts?$filter=lastname eq 'O'Bryan'", 400, "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''."],
    ["tasks?$filter=regardingobjectid_account/accountid eq guid'4dee0000-0000-0000-0000-000000000000'", 400,
      "Unrecognized 'Edm.String' literal 'guid'4dee0000-0000-0000-0000-000000000000'' at '39' in 'regardingobjectid_account/accountid eq guid'4dee0000-0000-0000-0000-000000000000''."],
  ];
  it.each(cases)('%s → %i %s', async (path, status, message) => {
    const r = await get(`${root}${path}`);
    expect(r.status).toBe(status);
    expect(errorOf(r)).toEqual({ code: '0x80060888', message });
  });

  it('refuses $search and $format, and syntax errors name a position', async () => {
    expect((await get(`${root}accounts?$search=x`)).status).toBe(400);
    expect((await get(`${root}accounts?$format=json`)).status).toBe(400);
    const syntax = await get(`${root}accounts?$filter=name eq`);
    expect(errorOf(syntax)?.message).toMatch(/^Syntax error at position \d+ in 'name eq'\.$/);
    const fn = await get(`${root}accounts?$filter=tolower(name) eq 'x'`);
    expect(errorOf(fn)?.message).toContain("An unknown function with name 'tolower' was found.");
    const types = await get(`${root}accounts?$filter=name eq 5`);
    expect(errorOf(types)?.message).toBe("A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'.");
  });

  it('adds ErrorDetails annotations inside error on request (§5)', async () => {
    const id = '5b4ced1c-88e1-ee11-904c-6045bd05e9d4';
    const r = await get(`${root}accounts(${id})`, ALL);
    expect(r.json.error).toMatchObject({
      code: '0x80040217',
      message: `Entity 'account' With Id = ${id} Does Not Exist`,
      '@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionCategory': 'ClientError',
      '@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionMessageName': 'ObjectDoesNotExist',
      '@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionHttpStatusCode': '404',
      '@Microsoft.PowerApps.CDS.HelpLink': 'http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a80040217&client=platform',
    });
  });

  it('limits a query to 15 $expand options and refuses a FetchXML without an entity', async () => {
    const sixteen = Array.from({ length: 16 }, () => 'createdby($select=fullname)').join(',');
    expect(errorOf(await get(`${root}accounts?$expand=${sixteen}`))?.message).toBe('The number of $expand options (16) exceeds the limit of 15.');
    expect((await get(`${root}accounts?fetchXml=%3Cfetch%2F%3E`)).status).toBe(400);
  });

  it('refuses PATCH and DELETE on a collection with 405', async () => {
    expect((await send('DELETE', `${root}accounts`)).status).toBe(405);
    expect((await send('PATCH', `${root}accounts`, { name: 'x' })).status).toBe(405);
  });
});
