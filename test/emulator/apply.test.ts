import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { errorOf, get, send } from './helpers.js';

let emu: RunningEmulator;
let root: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 300, aggregateLimit: 400 });
  root = emu.url;
});
afterAll(async () => emu?.close());

describe('$apply (protocol §1.4)', () => {
  it('groupby with $count and sum, context without a selection', async () => {
    const r = await get(`${root}accounts?$apply=groupby((statecode),aggregate($count as count,revenue with sum as total))`);
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#accounts`);
    const counts = r.json.value.reduce((n: number, g: { count: number }) => n + g.count, 0);
    expect(counts).toBe(300);
    const all = (await get(`${root}accounts?$select=revenue,statecode`)).json.value;
    const active = all.filter((a: { statecode: number }) => a.statecode === 0).reduce((s: number, a: { revenue: number | null }) => s + (a.revenue ?? 0), 0);
    expect(r.json.value.find((g: { statecode: number }) => g.statecode === 0).total).toBeCloseTo(active, 2);
  });

  it('aggregate without groupby: average, min, max, countdistinct', async () => {
    const r = await get(`${root}accounts?$apply=aggregate(numberofemployees with average as avg,numberofemployees with min as lo,numberofemployees with max as hi,address1_city with countdistinct as cities,createdon with max as lastCreate)`);
    const [row] = r.json.value;
    expect(row.lo).toBeLessThanOrEqual(row.avg);
    expect(row.hi).toBeGreaterThanOrEqual(row.avg);
    expect(row.cities).toBeGreaterThan(1);
    expect(row.lastCreate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('sum, average, min and max over no non-null values are null (no rows, or a group of nulls)', async () => {
    const none = await get(`${root}accounts?$apply=filter(name eq 'no such name')/aggregate(revenue with sum as s,revenue with average as a,revenue with min as lo,revenue with max as hi,$count as n)`);
    expect(none.json.value).toEqual([{ s: null, a: null, lo: null, hi: null, n: 0 }]);
    const groups = await get(`${root}accounts?$apply=filter(revenue eq null)/groupby((statecode),aggregate(revenue with sum as s))`);
    expect(groups.json.value.length).toBeGreaterThan(0);
    for (const g of groups.json.value) expect(g.s).toBeNull();
  });

  it('filter then groupby, related columns named <entity>_<column>, null groups omitted', async () => {
    const r = await get(`${root}accounts?$apply=filter(contains(name,'(sample)'))/groupby((primarycontactid/fullname))`);
    expect(r.json.value.some((g: Record<string, unknown>) => g.contact_fullname === 'Yvonne McKay (sample)')).toBe(true);
    const distinct = await get(`${root}accounts?$apply=groupby((industrycode))`);
    expect(distinct.json.value.some((g: Record<string, unknown>) => !('industrycode' in g))).toBe(true);
  });

  it('orders by a grouped column and formats aggregate money on request', async () => {
    const r = await get(`${root}accounts?$apply=groupby((statecode),aggregate(revenue with sum as total))&$orderby=statecode desc`, { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' });
    expect(r.json.value.map((g: { statecode: number }) => g.statecode)).toEqual([1, 0]);
    expect(r.json.value[0]['total@OData.Community.Display.V1.FormattedValue']).toMatch(/^\$[\d,]+\.\d{2}$/);
  });

  it('refuses $orderby on an aggregate, groupby on a date and too many rows', async () => {
    const order = await get(`${root}accounts?$apply=groupby((statecode),aggregate($count as count))&$orderby=count desc`);
    expect(errorOf(order)?.message).toBe('The query node SingleValueOpenPropertyAccess is not supported');
    const date = await get(`${root}accounts?$apply=groupby((createdon))`);
    expect(date.status).toBe(400);
    const tooMany = await get(`${root}contacts?$apply=aggregate($count as count)`);
    expect(tooMany.status).toBe(400);
    expect(errorOf(tooMany)).toEqual({ code: '0x8004E023', message: 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.' });
    const filtered = await get(`${root}contacts?$apply=filter(statecode eq 1)/aggregate($count as count)`);
    expect(filtered.status).toBe(200);
  });

  it('sums and averages decimals exactly, as SQL Server does (0.1 + 0.2 is 0.3; AVG of money has 4 places)', async () => {
    const other = await startEmulator({ port: 0, rows: 0 });
    try {
      for (const revenue of [0.1, 0.2, 12345678901.07, 0.0001]) {
        expect((await send('POST', `${other.url}accounts`, { name: `exact ${revenue}`, revenue })).status).toBe(204);
      }
      const r = await get(`${other.url}accounts?$apply=filter(startswith(name,'exact'))/aggregate(revenue with sum as s,revenue with average as a)`);
      // the response's own digits: 12345678901.3701 and 3086419725.342525 rounded to money's 4 places
      expect(r.text).toContain('"s":12345678901.3701');
      expect(r.text).toContain('"a":3086419725.3425');
      const small = await get(`${other.url}accounts?$apply=filter(revenue lt 1)/aggregate(revenue with sum as s)`);
      expect(small.text).toContain('"s":0.3001');
    } finally {
      await other.close();
    }
  });

  it('keeps the documented 50,000-row default limit', async () => {
    const other = await startEmulator({ port: 0, rows: 25_001 }); // 50,002 contacts
    try {
      const contacts = await get(`${other.url}contacts?$apply=aggregate($count as c)`);
      expect(errorOf(contacts)?.code).toBe('0x8004E023');
      expect((await get(`${other.url}accounts?$apply=aggregate($count as c)`)).json.value).toEqual([{ c: 25_001 }]);
    } finally {
      await other.close();
    }
  });

  it('groups and counts distinct strings under the collation: case and trailing blanks do not split a group', async () => {
    const fuzz = await startEmulator({ port: 0, rows: 300, fuzzData: true });
    try {
      const rows = (await get(`${fuzz.url}accounts?$select=address1_city`)).json.value as { address1_city: string | null }[];
      const seattle = rows.filter((r) => r.address1_city?.replace(/ +$/, '').toLowerCase() === 'seattle');
      // the fuzz data spells Seattle several ways, trailing blank included
      expect(new Set(seattle.map((r) => r.address1_city)).size).toBeGreaterThan(2);
      const groups = (await get(`${fuzz.url}accounts?$apply=groupby((address1_city),aggregate($count as n))`)).json.value as { address1_city: string | null; n: number }[];
      const seattleGroups = groups.filter((g) => g.address1_city?.replace(/ +$/, '').toLowerCase() === 'seattle');
      expect(seattleGroups).toHaveLength(1);
      expect(seattleGroups[0]!.n).toBe(seattle.length);
      const distinct = (await get(`${fuzz.url}accounts?$apply=aggregate(address1_city with countdistinct as cities)`)).json.value[0].cities;
      expect(distinct).toBe(groups.filter((g) => g.address1_city !== null).length);
    } finally {
      await fuzz.close();
    }
  });
});

