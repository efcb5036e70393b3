import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { get } from './helpers.js';

let emu: RunningEmulator;
let root: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 20_000 });
  root = emu.url;
});
afterAll(async () => emu?.close());

/** Follows nextLinks from `url` until the last page; bounded so a bug cannot loop forever. */
async function pageThrough(url: string, headers: Record<string, string> = {}) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let next: string | undefined = url;
  for (let guard = 0; next && guard < 50; guard++) {
    const r = await get(next, headers);
    expect(r.status).toBe(200);
    sizes.push(r.json.value.length);
    for (const row of r.json.value) ids.push(row.accountid);
    if (r.json['@odata.nextLink']) expect(Object.keys(r.json).at(-1)).toBe('@odata.nextLink');
    next = r.json['@odata.nextLink'];
  }
  return { ids, sizes };
}

describe('paging (protocol §2)', () => {
  it('pages 20,000 rows in default 5,000-row pages without losing or repeating a row', async () => {
    const { ids, sizes } = await pageThrough(`${root}accounts?$select=name`);
    expect(sizes).toEqual([5000, 5000, 5000, 5000]);
    expect(new Set(ids).size).toBe(20_000);
  });

  it('honours odata.maxpagesize, echoes Preference-Applied and caps it at 5,000', async () => {
    const small = await get(`${root}accounts?$select=name`, { Prefer: 'odata.maxpagesize=3' });
    expect(small.headers['preference-applied']).toBe('odata.maxpagesize=3');
    expect(small.json.value).toHaveLength(3);
    const big = await get(`${root}accounts?$select=name`, { Prefer: 'odata.maxpagesize=7000' });
    expect(big.json.value).toHaveLength(5000);
  });

  it('writes the nextLink in the documented $skiptoken cookie form', async () => {
    const r = await get(`${root}accounts?$select=name`, { Prefer: 'odata.maxpagesize=2' });
    const link: string = r.json['@odata.nextLink'];
    const [first, second] = r.json.value;
    expect(link.startsWith(`${root}accounts?$select=name&$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e%253caccountid%2520last%253d%2522%257b`)).toBe(true);
    expect(link).toContain(`last%253d%2522%257b${second.accountid.toUpperCase()}%257d%2522%2520first%253d%2522%257b${first.accountid.toUpperCase()}%257d`);
    expect(link.endsWith('%22%20istracking=%22False%22%20/%3E')).toBe(true);
    const page2 = await get(link, { Prefer: 'odata.maxpagesize=2' });
    expect(page2.json.value[0].accountid).not.toBe(second.accountid);
    expect(page2.json['@odata.nextLink']).toContain('pagenumber=%223%22');
  });

  it('pages a filtered, ordered query without losing or repeating a row', async () => {
    const expected = Number((await get(`${root}accounts/$count?$filter=statecode eq 1`)).text);
    expect(expected).toBeGreaterThan(1000);
    const { ids, sizes } = await pageThrough(`${root}accounts?$select=name,accountid&$filter=statecode eq 1&$orderby=name desc`, { Prefer: 'odata.maxpagesize=400' });
    expect(sizes.length).toBe(Math.ceil(expected / 400));
    expect(ids.length).toBe(expected);
    expect(new Set(ids).size).toBe(expected);
  });

  it('$top limits rows and ends paging; with maxpagesize $top is ignored', async () => {
    const top = await get(`${root}accounts?$select=name&$top=7`);
    expect(top.json.value).toHaveLength(7);
    expect(top.json).not.toHaveProperty('@odata.nextLink');
    const both = await get(`${root}accounts?$select=name&$top=7`, { Prefer: 'odata.maxpagesize=10' });
    expect(both.json.value).toHaveLength(10);
    expect(both.json).toHaveProperty('@odata.nextLink');
  });
});

describe('counts (protocol §2)', () => {
  it('caps $count at 5,000 and reports the limit in annotations', async () => {
    const r = await get(`${root}accounts?$select=name&$count=true`, { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"', });
    expect(r.json['@odata.count']).toBe(5000);
    expect(r.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(5000);
    expect(r.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(true);
  });

  it('reports the real count below the cap and -1 without $count', async () => {
    const prefer = { Prefer: 'odata.include-annotations="*"' };
    const small = await get(`${root}accounts?$select=name&$filter=contains(name,'(sample)')&$count=true`, prefer);
    expect(small.json['@odata.count']).toBe(10);
    expect(small.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(10);
    expect(small.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(false);
    const none = await get(`${root}accounts?$select=name&$top=1`, prefer);
    expect(none.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(-1);
    expect(none.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(false);
  });

  it('/$count and RetrieveTotalRecordCount are not capped', async () => {
    expect((await get(`${root}accounts/$count`)).text).toBe('20000');
    const r = await get(`${root}RetrieveTotalRecordCount(EntityNames=@p1)?@p1=["account","contact"]`);
    expect(r.json.EntityRecordCountCollection.Keys).toEqual(['account', 'contact']);
    expect(r.json.EntityRecordCountCollection.Values).toEqual([20000, 40000]);
  });
});
