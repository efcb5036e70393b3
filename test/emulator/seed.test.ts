import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { get } from './helpers.js';

describe('seed data', () => {
  let a: RunningEmulator;
  let b: RunningEmulator;
  let other: RunningEmulator;
  beforeAll(async () => {
    [a, b, other] = await Promise.all([startEmulator({ rows: 40, seed: 5 }), startEmulator({ rows: 40, seed: 5 }), startEmulator({ rows: 40, seed: 6 })]);
  });
  afterAll(async () => {
    await Promise.all([a, b, other].map((e) => e?.close()));
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const query = 'contacts?$select=fullname,emailaddress1,birthdate,_parentcustomerid_value&$orderby=fullname';
    const first = (await get(`${a.url}${query}`)).json.value;
    const second = (await get(`${b.url}${query}`)).json.value;
    const third = (await get(`${other.url}${query}`)).json.value;
    expect(second).toEqual(first);
    expect(third).not.toEqual(first);
  });

  it('has at least 20 tables with realistic rows: lookups, choices, money, dates, nulls, non-ASCII', async () => {
    const sets = (await get(a.url)).json.value.filter((v: { kind: string }) => v.kind === 'EntitySet');
    expect(sets.length).toBeGreaterThanOrEqual(20);
    for (const set of ['accounts', 'contacts', 'leads', 'opportunities', 'products', 'salesorders', 'salesorderdetails', 'quotes', 'invoices', 'incidents',
      'systemusers', 'teams', 'businessunits', 'transactioncurrencies', 'tasks', 'phonecalls', 'emails', 'annotations', 'pricelevels', 'uoms']) {
      expect(Number((await get(`${a.url}${set}/$count`)).text), set).toBeGreaterThan(0);
    }
    const contacts = (await get(`${a.url}contacts?$select=fullname,birthdate,gendercode`)).json.value;
    expect(contacts.some((c: { fullname: string }) => /[^\x00-\x7f]/.test(c.fullname))).toBe(true);
    expect(contacts.some((c: { birthdate: string | null }) => c.birthdate === null)).toBe(true);
    const owners = (await get(`${a.url}accounts?$select=_ownerid_value`, { Prefer: 'odata.include-annotations="*"' })).json.value
      .map((r: Record<string, string>) => r['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']);
    expect(new Set(owners)).toEqual(new Set(['systemuser', 'team']));
    const customers = (await get(`${a.url}opportunities?$select=_customerid_value`, { Prefer: 'odata.include-annotations="*"' })).json.value
      .map((r: Record<string, string>) => r['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']);
    expect(new Set(customers)).toEqual(new Set(['account', 'contact']));
  });

  it('resolves every seeded lookup to an existing record', async () => {
    const rows = (await get(`${a.url}tasks?$select=_regardingobjectid_value,_ownerid_value`, { Prefer: 'odata.include-annotations="*"' })).json.value;
    for (const r of rows.slice(0, 30)) {
      if (r._regardingobjectid_value === null) continue;
      const type = r['_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname'];
      const set = { account: 'accounts', contact: 'contacts', opportunity: 'opportunities', incident: 'incidents', lead: 'leads' }[type as string];
      expect((await get(`${a.url}${set}(${r._regardingobjectid_value})?$select=createdon`)).status).toBe(200);
    }
  });
});

describe('scale', () => {
  it('starts with 100,000 accounts and serves the count and pages', async () => {
    const big = await startEmulator({ port: 0, rows: 100_000 });
    try {
      expect((await get(`${big.url}accounts/$count`)).text).toBe('100000');
      const page = await get(`${big.url}accounts?$select=accountnumber`, { Prefer: 'odata.maxpagesize=100' });
      expect(page.json.value).toHaveLength(100);
      const next = await get(page.json['@odata.nextLink'], { Prefer: 'odata.maxpagesize=100' });
      expect(next.json.value[0].accountnumber).toBe('ACC-000101');
    } finally {
      await big.close();
    }
  });
});
