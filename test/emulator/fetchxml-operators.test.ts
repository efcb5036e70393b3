import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, errorOf, get } from './helpers.js';

let emu: RunningEmulator;
let root: string;
const NOW = new Date('2023-06-15T12:00:00Z');

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 80, now: () => NOW });
  root = emu.url;
});
afterAll(async () => emu?.close());

const fx = (set: string, xml: string, headers: Record<string, string> = {}) => get(`${root}${set}?fetchXml=${encodeURIComponent(xml)}`, headers);
const idsOf = (xml: string) => fx('accounts', xml).then((r) => {
  expect(r.status, r.text.slice(0, 300)).toBe(200);
  return (r.json.value as { accountid: string }[]).map((a) => a.accountid).sort();
});
const where = (condition: string, extra = '') => `<fetch><entity name="account"><attribute name="accountid"/>${extra}<filter>${condition}</filter></entity></fetch>`;

interface Account { accountid: string; createdon: string; modifiedon: string; _parentaccountid_value: string | null; _primarycontactid_value: string | null }
const accounts = async (): Promise<Account[]> => (await get(`${root}accounts?$select=createdon,modifiedon,_parentaccountid_value,_primarycontactid_value`)).json.value;
const DAY = 86_400_000;

describe('FetchXML relative-date operators, in UTC against the emulator clock (FetchXML doc §1.2)', () => {
  it('this-month, last-month, this-year, last-x-days, olderthan-x-days and last-x-hours', async () => {
    const all = await accounts();
    const at = (a: Account) => Date.parse(a.createdon);
    const cases: [string, (ms: number) => boolean][] = [
      ['this-month', (ms) => ms >= Date.UTC(2023, 5, 1) && ms < Date.UTC(2023, 6, 1)],
      ['last-month', (ms) => ms >= Date.UTC(2023, 4, 1) && ms < Date.UTC(2023, 5, 1)],
      ['this-year', (ms) => ms >= Date.UTC(2023, 0, 1) && ms < Date.UTC(2024, 0, 1)],
    ];
    for (const [op, test] of cases) {
      const expected = all.filter((a) => test(at(a))).map((a) => a.accountid).sort();
      expect(await idsOf(where(`<condition attribute="createdon" operator="${op}"/>`)), op).toEqual(expected);
    }
    const startOfToday = Date.UTC(2023, 5, 15);
    const lastDays = all.filter((a) => at(a) >= startOfToday - 60 * DAY && at(a) <= NOW.getTime()).map((a) => a.accountid).sort();
    expect(lastDays.length).toBeGreaterThan(0);
    expect(await idsOf(where('<condition attribute="createdon" operator="last-x-days" value="60"/>'))).toEqual(lastDays);
    const older = all.filter((a) => at(a) < startOfToday - 60 * DAY).map((a) => a.accountid).sort();
    expect(older.length).toBeGreaterThan(0);
    expect(await idsOf(where('<condition attribute="createdon" operator="olderthan-x-days" value="60"/>'))).toEqual(older);
    const hours = all.filter((a) => at(a) >= NOW.getTime() - 2000 * 3_600_000 && at(a) <= NOW.getTime()).map((a) => a.accountid).sort();
    expect(await idsOf(where('<condition attribute="createdon" operator="last-x-hours" value="2000"/>'))).toEqual(hours);
  });
});

describe('FetchXML hierarchy operators (FetchXML doc §1.2)', () => {
  it('under, eq-or-under, not-under and above follow parentaccountid', async () => {
    const all = await accounts();
    const children = (id: string) => all.filter((a) => a._parentaccountid_value === id).map((a) => a.accountid);
    const top = all.find((a) => children(a.accountid).length > 0)!;
    const descendants = new Set<string>();
    const queue = [top.accountid];
    for (let i = 0; i < 1000 && queue.length; i++) for (const c of children(queue.pop()!)) if (!descendants.has(c) && c !== top.accountid) (descendants.add(c), queue.push(c));
    expect(await idsOf(where(`<condition attribute="accountid" operator="under" value="{${top.accountid.toUpperCase()}}"/>`))).toEqual([...descendants].sort());
    expect(await idsOf(where(`<condition attribute="accountid" operator="eq-or-under" value="${top.accountid}"/>`))).toEqual([...descendants, top.accountid].sort());
    expect((await idsOf(where(`<condition attribute="accountid" operator="not-under" value="${top.accountid}"/>`))).length).toBe(all.length - descendants.size - 1);
    const child = [...descendants][0]!;
    expect(await idsOf(where(`<condition attribute="accountid" operator="above" value="${child}"/>`))).toContain(top.accountid);
  });
});

describe('FetchXML valueof column comparisons (FetchXML doc §1.1)', () => {
  it('compares two columns of the row, or a linked column by alias, with the six comparison operators only', async () => {
    const all = await accounts();
    const later = all.filter((a) => Date.parse(a.modifiedon) > Date.parse(a.createdon)).map((a) => a.accountid).sort();
    expect(later.length).toBeGreaterThan(0);
    expect(await idsOf(where('<condition attribute="modifiedon" operator="gt" valueof="createdon"/>'))).toEqual(later);
    const contacts: { contactid: string; _parentcustomerid_value: string | null }[] = (await get(`${root}contacts?$select=_parentcustomerid_value`)).json.value;
    const parentOf = new Map(contacts.map((c) => [c.contactid, c._parentcustomerid_value]));
    const own = all.filter((a) => a._primarycontactid_value && parentOf.get(a._primarycontactid_value) === a.accountid).map((a) => a.accountid).sort();
    expect(own.length).toBeGreaterThan(0);
    const link = '<link-entity name="contact" from="contactid" to="primarycontactid" alias="c"/>';
    expect(await idsOf(where('<condition attribute="accountid" operator="eq" valueof="c.parentcustomerid"/>', link))).toEqual(own);
    const refused = await fx('accounts', where('<condition attribute="name" operator="like" valueof="name"/>'));
    expect(refused.status).toBe(400);
  });
});

describe('FetchXML counts and $batch (FetchXML doc §1.5, §1.8)', () => {
  it('returntotalrecordcount and $count=true give @odata.count', async () => {
    const all = await accounts();
    const r = await fx('accounts', '<fetch count="5" returntotalrecordcount="true"><entity name="account"><attribute name="name"/></entity></fetch>');
    expect(r.json['@odata.count']).toBe(all.length);
    expect(r.json.value).toHaveLength(5);
    const dollar = await get(`${root}accounts?fetchXml=${encodeURIComponent('<fetch count="5"><entity name="account"/></fetch>')}&$count=true`);
    expect(dollar.json['@odata.count']).toBe(all.length);
  });

  it('answers a FetchXML GET inside $batch with a service-relative URL', async () => {
    const xml = encodeURIComponent('<fetch top="3"><entity name="account"><attribute name="name"/><order attribute="name"/></entity></fetch>');
    const body = ['--batch_F', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `GET accounts?fetchXml=${xml} HTTP/1.1`, 'Accept: application/json', '', '', '--batch_F--', ''].join('\r\n');
    const r = await call(`${root}$batch`, { method: 'POST', body, headers: { 'Content-Type': 'multipart/mixed; boundary="batch_F"' } });
    expect(r.status).toBe(200);
    expect(r.text).toContain('HTTP/1.1 200');
    const json = JSON.parse(r.text.slice(r.text.indexOf('{'), r.text.lastIndexOf('}') + 1));
    expect(json.value).toHaveLength(3);
    expect(errorOf(r)).toBeUndefined();
  });
});
