import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { errorOf, get } from './helpers.js';

let emu: RunningEmulator;
let root: string;
const COOKIE = 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
const MORE = 'Microsoft.Dynamics.CRM.morerecords';
const ANNOTATED = { Prefer: `odata.include-annotations="${COOKIE},${MORE}"` };

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 60, aggregateLimit: 59 });
  root = emu.url;
});
afterAll(async () => emu?.close());

const fx = (set: string, xml: string, headers: Record<string, string> = {}) => get(`${root}${set}?fetchXml=${encodeURIComponent(xml)}`, headers);
const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('FetchXML paging with cookies (FetchXML doc §1.7)', () => {
  it('pages with count, fetchxmlpagingcookie and morerecords until the last page, which has neither', async () => {
    const seen: string[] = [];
    let cookie: string | undefined;
    let page = 1;
    for (; page <= 30; page++) {
      const paging = cookie ? ` page="${page}" paging-cookie="${xmlAttr(cookie)}"` : ' page="1"';
      const r = await fx('accounts', `<fetch count="7"${paging}><entity name="account"><attribute name="name"/><order attribute="name"/></entity></fetch>`, ANNOTATED);
      expect(r.status).toBe(200);
      seen.push(...r.json.value.map((row: { accountid: string }) => row.accountid));
      if (!r.json[`@${MORE}`]) {
        expect(r.json).not.toHaveProperty(`@${COOKIE}`);
        break;
      }
      const outer: string = r.json[`@${COOKIE}`];
      expect(outer).toMatch(new RegExp(`^<cookie pagenumber="${page + 1}" pagingcookie="[^"]+" istracking="False" />$`));
      cookie = decodeURIComponent(decodeURIComponent(/pagingcookie="([^"]+)"/.exec(outer)![1]!));
      expect(cookie).toMatch(new RegExp(`^<cookie page="${page}"><name last="[^"]*" first="[^"]*" /><accountid last="\\{[0-9A-F-]{36}\\}" first="\\{[0-9A-F-]{36}\\}" /></cookie>$`));
    }
    expect(page).toBe(9); // 60 rows in pages of 7
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    const all = (await get(`${root}accounts?$select=name&$orderby=name,accountid`)).json.value.map((row: { accountid: string }) => row.accountid);
    expect(seen).toEqual(all);
  });

  it('pages by number alone, and gives no cookie when sorted on a link column', async () => {
    const first = await fx('accounts', '<fetch count="10" page="2"><entity name="account"><attribute name="name"/><order attribute="name"/></entity></fetch>');
    const all = (await get(`${root}accounts?$select=name&$orderby=name,accountid`)).json.value;
    expect(first.json.value.map((r: { accountid: string }) => r.accountid)).toEqual(all.slice(10, 20).map((r: { accountid: string }) => r.accountid));
    const linkSorted = await fx('accounts', '<fetch count="10"><entity name="account"><attribute name="name"/><link-entity name="contact" from="contactid" to="primarycontactid" alias="c" link-type="outer"><attribute name="fullname"/><order attribute="fullname"/></link-entity></entity></fetch>', ANNOTATED);
    expect(linkSorted.json[`@${MORE}`]).toBe(true);
    expect(linkSorted.json).not.toHaveProperty(`@${COOKIE}`);
  });

  it('refuses top together with paging', async () => {
    const r = await fx('accounts', '<fetch top="5" count="5"><entity name="account"/></fetch>');
    expect(r.status).toBe(400);
    expect(errorOf(r)?.message).toContain("The Top.Count = 5 can't be specified with pagingInfo");
  });
});

interface Contact { contactid: string; fullname: string; _parentcustomerid_value: string | null }
interface Account { accountid: string; name: string; _primarycontactid_value: string | null; revenue: number | null; address1_city: string | null; createdon: string; numberofemployees: number | null }

describe('FetchXML link-entity (FetchXML doc §1.1, §1.6)', () => {
  it('inner and outer joins name linked columns alias_x002e_column and keep linked lookups by logical name', async () => {
    const accounts: Account[] = (await get(`${root}accounts?$select=name,_primarycontactid_value`)).json.value;
    const contacts: Contact[] = (await get(`${root}contacts?$select=fullname,_parentcustomerid_value`)).json.value;
    const byId = new Map(contacts.map((c) => [c.contactid, c]));
    const inner = await fx('accounts', '<fetch><entity name="account"><attribute name="name"/><link-entity name="contact" from="contactid" to="primarycontactid" alias="c"><attribute name="fullname"/><attribute name="parentcustomerid"/></link-entity></entity></fetch>');
    const matched = accounts.filter((a) => a._primarycontactid_value && byId.has(a._primarycontactid_value));
    expect(matched.length).toBeGreaterThan(0);
    expect(matched.length).toBeLessThan(accounts.length);
    expect(inner.json.value).toHaveLength(matched.length);
    for (const row of inner.json.value) {
      const contact = byId.get(accounts.find((a) => a.accountid === row.accountid)!._primarycontactid_value!)!;
      expect(row.c_x002e_fullname).toBe(contact.fullname);
      if (contact._parentcustomerid_value) expect(row.c_x002e_parentcustomerid).toBe(contact._parentcustomerid_value);
    }
    const outer = await fx('accounts', '<fetch><entity name="account"><attribute name="name"/><link-entity name="contact" from="contactid" to="primarycontactid" link-type="outer"><attribute name="fullname"/></link-entity></entity></fetch>');
    expect(outer.json.value).toHaveLength(accounts.length);
    expect(outer.json.value.filter((r: object) => 'contact1_x002e_fullname' in r)).toHaveLength(matched.length);
  });

  it('joins one-to-many, filters on linked columns, and outer + null finds parents without children', async () => {
    const contacts: Contact[] = (await get(`${root}contacts?$select=fullname,_parentcustomerid_value`)).json.value;
    const accounts: Account[] = (await get(`${root}accounts?$select=name`)).json.value;
    const children = (id: string) => contacts.filter((c) => c._parentcustomerid_value === id);
    const join = await fx('accounts', '<fetch><entity name="account"><attribute name="name"/><link-entity name="contact" from="parentcustomerid" to="accountid" alias="k"><attribute name="contactid"/></link-entity></entity></fetch>');
    const pairs = accounts.reduce((n, a) => n + children(a.accountid).length, 0);
    expect(pairs).toBeGreaterThan(accounts.filter((a) => children(a.accountid).length > 0).length);
    expect(join.json.value).toHaveLength(pairs);
    const first = contacts.find((c) => c._parentcustomerid_value)!;
    const filtered = await fx('accounts', `<fetch><entity name="account"><attribute name="accountid"/><link-entity name="contact" from="parentcustomerid" to="accountid" alias="k"><filter><condition attribute="fullname" operator="eq" value="${first.fullname.toUpperCase()}"/></filter></link-entity></entity></fetch>`);
    expect(filtered.json.value.map((r: Account) => r.accountid)).toContain(first._parentcustomerid_value);
    const childless = await fx('accounts', '<fetch><entity name="account"><attribute name="accountid"/><link-entity name="contact" from="parentcustomerid" to="accountid" alias="k" link-type="outer"/><filter><condition entityname="k" attribute="contactid" operator="null"/></filter></entity></fetch>');
    expect(childless.json.value.map((r: Account) => r.accountid).sort()).toEqual(accounts.filter((a) => children(a.accountid).length === 0).map((a) => a.accountid).sort());
  });

  it('exists, in, any and not any keep each parent at most once and return no link columns', async () => {
    const contacts: Contact[] = (await get(`${root}contacts?$select=fullname,_parentcustomerid_value`)).json.value;
    const accounts: Account[] = (await get(`${root}accounts?$select=name`)).json.value;
    const parents = new Set(contacts.map((c) => c._parentcustomerid_value));
    const withChildren = accounts.filter((a) => parents.has(a.accountid)).map((a) => a.accountid).sort();
    const link = (type: string) => `<link-entity name="contact" from="parentcustomerid" to="accountid" link-type="${type}"><attribute name="fullname"/></link-entity>`;
    for (const type of ['exists', 'in']) {
      const r = await fx('accounts', `<fetch><entity name="account"><attribute name="accountid"/>${link(type)}</entity></fetch>`);
      expect(r.json.value.map((row: Account) => row.accountid).sort(), type).toEqual(withChildren);
      expect(Object.keys(r.json.value[0]).some((k) => k.includes('_x002e_'))).toBe(false);
    }
    const any = await fx('accounts', `<fetch><entity name="account"><attribute name="accountid"/><filter>${link('any')}</filter></entity></fetch>`);
    expect(any.json.value.map((row: Account) => row.accountid).sort()).toEqual(withChildren);
    const none = await fx('accounts', `<fetch><entity name="account"><attribute name="accountid"/><filter>${link('not any')}</filter></entity></fetch>`);
    expect(none.json.value).toHaveLength(accounts.length - withChildren.length);
  });
});

describe('FetchXML aggregates (FetchXML doc §1.4)', () => {
  const filtered = '<filter><condition attribute="statecode" operator="eq" value="0"/></filter>';
  it('count, countcolumn (distinct), sum, avg, min and max ignore nulls', async () => {
    const rows: Account[] = (await get(`${root}accounts?$select=revenue,address1_city,numberofemployees&$filter=statecode eq 0`)).json.value;
    expect(rows.length).toBeLessThan(60); // under the limit of 59; the whole table (60) is over it
    const r = await fx('accounts', `<fetch aggregate="true"><entity name="account">
      <attribute name="accountid" alias="n" aggregate="count"/>
      <attribute name="numberofemployees" alias="withStaff" aggregate="countcolumn"/>
      <attribute name="address1_city" alias="cities" aggregate="countcolumn" distinct="true"/>
      <attribute name="revenue" alias="total" aggregate="sum"/>
      <attribute name="revenue" alias="mean" aggregate="avg"/>
      <attribute name="revenue" alias="low" aggregate="min"/>
      <attribute name="revenue" alias="high" aggregate="max"/>${filtered}</entity></fetch>`);
    expect(r.status).toBe(200);
    const revenues = rows.map((a) => a.revenue).filter((v): v is number => v !== null);
    const [row] = r.json.value;
    expect(row.n).toBe(rows.length);
    expect(row.withStaff).toBe(rows.filter((a) => a.numberofemployees !== null).length);
    expect(row.cities).toBe(new Set(rows.map((a) => a.address1_city?.toLowerCase()).filter(Boolean)).size);
    expect(row.total).toBeCloseTo(revenues.reduce((s, v) => s + v, 0), 2);
    expect(row.mean).toBeCloseTo(revenues.reduce((s, v) => s + v, 0) / revenues.length, 2);
    expect(row.low).toBe(Math.min(...revenues));
    expect(row.high).toBe(Math.max(...revenues));
    expect(row).not.toHaveProperty('@odata.etag');
  });

  it('groups by year and month with dategrouping, ordered by alias', async () => {
    const rows: Account[] = (await get(`${root}accounts?$select=createdon&$filter=statecode eq 0`)).json.value;
    const r = await fx('accounts', `<fetch aggregate="true"><entity name="account">
      <attribute name="createdon" alias="y" groupby="true" dategrouping="year"/>
      <attribute name="createdon" alias="m" groupby="true" dategrouping="month"/>
      <attribute name="accountid" alias="n" aggregate="count"/>
      <order alias="y"/><order alias="m" descending="true"/>${filtered}</entity></fetch>`);
    const expected = new Map<string, number>();
    for (const a of rows) {
      const d = new Date(a.createdon);
      const key = `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(new Map(r.json.value.map((g: { y: number; m: number; n: number }) => [`${g.y}-${g.m}`, g.n]))).toEqual(expected);
    const order = r.json.value.map((g: { y: number; m: number }) => g.y * 100 - g.m);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('omits a null group value and refuses more rows than the aggregate limit with 0x8004E023', async () => {
    const grouped = await fx('accounts', `<fetch aggregate="true"><entity name="account"><attribute name="numberofemployees" alias="staff" groupby="true"/><attribute name="accountid" alias="n" aggregate="count"/>${filtered}</entity></fetch>`);
    expect(grouped.json.value.some((g: object) => !('staff' in g))).toBe(true);
    const over = await fx('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="n" aggregate="count"/></entity></fetch>');
    expect(over.status).toBe(400);
    expect(errorOf(over)).toEqual({ code: '0x8004E023', message: 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.' });
    const own = await fx('accounts', `<fetch aggregate="true" aggregatelimit="3"><entity name="account"><attribute name="accountid" alias="n" aggregate="count"/>${filtered}</entity></fetch>`);
    expect(errorOf(own)?.code).toBe('0x8004E023');
    const noAlias = await fx('accounts', `<fetch aggregate="true"><entity name="account"><attribute name="accountid" aggregate="count"/>${filtered}</entity></fetch>`);
    expect(noAlias.status).toBe(400);
  });
});
