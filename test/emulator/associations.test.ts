import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, errorOf, get, send } from './helpers.js';

// Many-to-many relationships (protocol §4 "Associate / disassociate after create"): the intersect
// table behind `accountleads_association` (account ↔ lead) and `teammembership_association`
// (systemuser ↔ team), over real HTTP.

let emu: RunningEmulator;
let root: string;
let path: string; // /api/data/v9.2/
let accounts: string[]; // seed order: account i
let leads: string[];
let users: string[];
let teams: string[];

const ids = async (set: string, key: string, top: number) =>
  ((await get(`${root}${set}?$select=${key}&$top=${top}`)).json.value as Record<string, string>[]).map((r) => r[key]!);

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 20 });
  root = emu.url;
  path = new URL(root).pathname;
  accounts = await ids('accounts', 'accountid', 8);
  leads = await ids('leads', 'leadid', 8);
  users = await ids('systemusers', 'systemuserid', 12);
  teams = await ids('teams', 'teamid', 4);
});
afterAll(async () => emu?.close());
beforeEach(() => emu.reset());

const related = async (url: string, key: string) => ((await get(url)).json.value as Record<string, string>[]).map((r) => r[key]);
const leadsOf = (account: string) => related(`${root}accounts(${account})/accountleads_association?$select=leadid`, 'leadid');
const accountsOf = (lead: string) => related(`${root}leads(${lead})/accountleads_association?$select=accountid`, 'accountid');
const associate = (account: string, ref: string) => send('POST', `${root}accounts(${account})/accountleads_association/$ref`, { '@odata.id': ref });

describe('seeded many-to-many pairs', () => {
  it('links every fourth account to two leads, seen from both sides', async () => {
    expect(await leadsOf(accounts[0]!)).toEqual([leads[0], leads[2]]);
    expect(await leadsOf(accounts[4]!)).toEqual([leads[4], leads[6]]);
    expect(await leadsOf(accounts[1]!)).toEqual([]);
    expect(await accountsOf(leads[2]!)).toEqual([accounts[0]]);
    expect(await accountsOf(leads[1]!)).toEqual([]);
  });

  it('makes each user a member of its business unit default team', async () => {
    const team0 = await related(`${root}teams(${teams[0]})/teammembership_association?$select=systemuserid`, 'systemuserid');
    expect(team0).toEqual([users[0], users[3], users[6], users[9]]);
    const team = (await get(`${root}teams(${teams[1]})?$select=isdefault,_businessunitid_value`)).json;
    const unit = (await get(`${root}systemusers(${users[1]})?$select=_businessunitid_value`)).json._businessunitid_value;
    expect(team).toMatchObject({ isdefault: true, _businessunitid_value: unit });
    const ofUser1 = await related(`${root}systemusers(${users[1]})/teammembership_association?$select=teamid`, 'teamid');
    expect(ofUser1).toEqual([teams[1], teams[3]]);
    expect((await get(`${root}teams(${teams[3]})/teammembership_association/$count`)).text).toBe('3');
  });
});

describe('associate (POST <nav>/$ref)', () => {
  it('pairs two records with an absolute reference; both sides, $expand, $count and $filter see it', async () => {
    const r = await associate(accounts[1]!, `${root}leads(${leads[1]})`);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(await leadsOf(accounts[1]!)).toEqual([leads[1]]);
    expect(await accountsOf(leads[1]!)).toEqual([accounts[1]]);
    expect((await get(`${root}accounts(${accounts[1]})/accountleads_association/$count`)).text).toBe('1');

    const single = await get(`${root}accounts(${accounts[1]})?$select=name&$expand=accountleads_association($select=subject,leadid)`);
    expect(single.json.accountleads_association).toEqual([expect.objectContaining({ leadid: leads[1] })]);
    expect(Object.keys(single.json.accountleads_association[0]).sort()).toEqual(['leadid', 'subject']);
    expect(single.json['@odata.context']).toBe(`${root}$metadata#accounts(name,accountleads_association(subject,leadid))/$entity`);

    const listed = await get(`${root}accounts?$select=accountid&$filter=accountleads_association/any(l:l/leadid eq ${leads[1]})&$expand=accountleads_association($select=leadid)`);
    expect(listed.json.value.map((a: { accountid: string }) => a.accountid)).toEqual([accounts[1]]);
    expect(listed.json.value[0].accountleads_association).toEqual([{ leadid: leads[1] }]);

    const one = await get(`${root}accounts(${accounts[1]})/accountleads_association(${leads[1]})?$select=leadid`);
    expect(one.json.leadid).toBe(leads[1]);
    const notRelated = await get(`${root}accounts(${accounts[1]})/accountleads_association(${leads[3]})`);
    expect(notRelated.status).toBe(404);
  });

  it('accepts relative references, filters and pages the navigation like other collections', async () => {
    expect((await associate(accounts[1]!, `leads(${leads[3]})`)).status).toBe(204);
    expect((await associate(accounts[1]!, `/leads(${leads[5]})`)).status).toBe(204);
    expect(await leadsOf(accounts[1]!)).toEqual([leads[3], leads[5]]);
    expect(await related(`${root}accounts(${accounts[1]})/accountleads_association?$select=leadid&$filter=leadid eq ${leads[5]}`, 'leadid')).toEqual([leads[5]]);
    const page1 = await get(`${root}accounts(${accounts[1]})/accountleads_association?$select=leadid`, { Prefer: 'odata.maxpagesize=1' });
    expect(page1.json.value.map((l: { leadid: string }) => l.leadid)).toEqual([leads[3]]);
    const page2 = await get(page1.json['@odata.nextLink'], { Prefer: 'odata.maxpagesize=1' });
    expect(page2.json.value.map((l: { leadid: string }) => l.leadid)).toEqual([leads[5]]);
    expect(page2.json['@odata.nextLink']).toBeUndefined();
  });

  it('pairs users and teams from the user side', async () => {
    const r = await send('POST', `${root}systemusers(${users[2]})/teammembership_association/$ref`, { '@odata.id': `${root}teams(${teams[0]})` });
    expect(r.status).toBe(204);
    const members = await related(`${root}teams(${teams[0]})/teammembership_association?$select=systemuserid`, 'systemuserid');
    expect(members).toContain(users[2]);
  });

  it('pairs on create with a collection @odata.bind', async () => {
    const r = await send('POST', `${root}accounts`, { name: 'Bound to leads', 'accountleads_association@odata.bind': [`/leads(${leads[7]})`] });
    const account = /\(([0-9a-f-]{36})\)$/.exec(r.headers['odata-entityid']!)![1]!;
    expect(await leadsOf(account)).toEqual([leads[7]]);
    expect(await accountsOf(leads[7]!)).toEqual([account]);
    const deep = await send('POST', `${root}accounts`, { name: 'Deep', accountleads_association: [{ subject: 'Deep lead', lastname: 'Deep' }] });
    const deepId = /\(([0-9a-f-]{36})\)$/.exec(deep.headers['odata-entityid']!)![1]!;
    expect(await related(`${root}accounts(${deepId})/accountleads_association?$select=subject&$orderby=subject`, 'subject')).toEqual(['Deep lead']);
  });
});

describe('disassociate (DELETE …/$ref)', () => {
  it('unpairs by <nav>(<id>)/$ref and by $ref?$id=', async () => {
    const byKey = await call(`${root}accounts(${accounts[0]})/accountleads_association(${leads[0]})/$ref`, { method: 'DELETE' });
    expect(byKey.status).toBe(204);
    expect(await leadsOf(accounts[0]!)).toEqual([leads[2]]);
    const byId = await call(`${root}accounts(${accounts[0]})/accountleads_association/$ref?$id=${encodeURIComponent(`${root}leads(${leads[2]})`)}`, { method: 'DELETE' });
    expect(byId.status).toBe(204);
    expect(await leadsOf(accounts[0]!)).toEqual([]);
    expect(await accountsOf(leads[2]!)).toEqual([]);

    // An added pair unpairs from the other side too.
    await associate(accounts[1]!, `${root}leads(${leads[1]})`);
    const fromLead = await call(`${root}leads(${leads[1]})/accountleads_association(${accounts[1]})/$ref`, { method: 'DELETE' });
    expect(fromLead.status).toBe(204);
    expect(await leadsOf(accounts[1]!)).toEqual([]);
  });

  it('answers 204 for a pair that is not associated, and a removed seeded pair can be made again', async () => {
    const r = await call(`${root}accounts(${accounts[1]})/accountleads_association(${leads[1]})/$ref`, { method: 'DELETE' });
    expect(r.status).toBe(204);
    await call(`${root}accounts(${accounts[0]})/accountleads_association(${leads[0]})/$ref`, { method: 'DELETE' });
    expect((await associate(accounts[0]!, `${root}leads(${leads[0]})`)).status).toBe(204);
    expect(await leadsOf(accounts[0]!)).toEqual([leads[0], leads[2]]);
  });
});

describe('errors', () => {
  it('a missing record → 404 0x80040217; the wrong type → 400; a pair made twice → 412 0x80040237', async () => {
    const missing = '00000000-0000-0000-0000-0000000000ab';
    const notFound = await associate(accounts[1]!, `${root}leads(${missing})`);
    expect(notFound.status).toBe(404);
    expect(errorOf(notFound)).toEqual({ code: '0x80040217', message: `Entity 'lead' With Id = ${missing} Does Not Exist` });
    const missingSource = await send('POST', `${root}accounts(${missing})/accountleads_association/$ref`, { '@odata.id': `${root}leads(${leads[1]})` });
    expect(missingSource.status).toBe(404);
    expect(errorOf(missingSource)?.code).toBe('0x80040217');
    const missingByKey = await call(`${root}accounts(${accounts[0]})/accountleads_association(${missing})/$ref`, { method: 'DELETE' });
    expect(missingByKey.status).toBe(404);

    const contact = (await ids('contacts', 'contactid', 1))[0]!;
    const wrongType = await associate(accounts[1]!, `${root}contacts(${contact})`);
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType)).toEqual({ code: '0x80060888', message: "The reference is not of type 'Microsoft.Dynamics.CRM.lead'." });

    const twice = await associate(accounts[0]!, `${root}leads(${leads[0]})`);
    expect(twice.status).toBe(412);
    expect(errorOf(twice)).toEqual({ code: '0x80040237', message: 'Cannot insert duplicate key.' });
    expect(await leadsOf(accounts[0]!)).toEqual([leads[0], leads[2]]);

    const noTarget = await call(`${root}accounts(${accounts[0]})/accountleads_association/$ref`, { method: 'DELETE' });
    expect(noTarget.status).toBe(400);
  });
});

describe('lifecycle', () => {
  const CRLF = '\r\n';
  const part = (method: string, url: string, body: unknown, contentId?: string) =>
    ['Content-Type: application/http', 'Content-Transfer-Encoding: binary', ...(contentId ? [`Content-ID: ${contentId}`] : []), '',
      `${method} ${url} HTTP/1.1`, 'Content-Type: application/json; type=entry', '', JSON.stringify(body)].join(CRLF);

  it('a failing $batch change set rolls its association back', async () => {
    const changeSet = (...parts: string[]) => [
      '--batch_M2M', 'Content-Type: multipart/mixed; boundary="changeset_M2M"', '',
      ...parts.flatMap((p) => ['--changeset_M2M', p]),
      '--changeset_M2M--', '--batch_M2M--', '',
    ].join(CRLF);
    const pair = part('POST', `${path}accounts(${accounts[1]})/accountleads_association/$ref`, { '@odata.id': `${root}leads(${leads[1]})` });
    const unpair = part('DELETE', `${path}accounts(${accounts[0]})/accountleads_association/$ref?$id=${root}leads(${leads[0]})`, {});
    const failing = part('POST', `${path}accounts`, { nosuch: 1 });
    const post = (body: string) => call(`${root}$batch`, { method: 'POST', body, headers: { 'Content-Type': 'multipart/mixed; boundary="batch_M2M"' } });
    expect((await post(changeSet(pair, unpair, failing))).status).toBe(400);
    expect(await leadsOf(accounts[1]!)).toEqual([]);
    expect(await leadsOf(accounts[0]!)).toEqual([leads[0], leads[2]]);

    const created = part('POST', `${path}leads`, { subject: 'Made in the batch', lastname: 'Batch' }, '1');
    const pairCreated = part('POST', `${path}accounts(${accounts[1]})/accountleads_association/$ref`, { '@odata.id': '$1' });
    expect((await post(changeSet(pair, unpair, created, pairCreated))).status).toBe(200);
    const subjects = await related(`${root}accounts(${accounts[1]})/accountleads_association?$select=subject`, 'subject');
    expect(subjects).toHaveLength(2);
    expect(subjects[1]).toBe('Made in the batch');
    expect((await leadsOf(accounts[1]!))[0]).toBe(leads[1]);
    expect(await leadsOf(accounts[0]!)).toEqual([leads[2]]);
  });

  it('reset restores the seeded pairs', async () => {
    await associate(accounts[1]!, `${root}leads(${leads[1]})`);
    await call(`${root}accounts(${accounts[0]})/accountleads_association(${leads[0]})/$ref`, { method: 'DELETE' });
    expect((await call(`${emu.origin}/_emulator/reset`, { method: 'POST' })).status).toBeLessThan(300);
    expect(await leadsOf(accounts[1]!)).toEqual([]);
    expect(await leadsOf(accounts[0]!)).toEqual([leads[0], leads[2]]);
  });

  it('deleting a record removes its pairs, also when a record with its id is created again', async () => {
    await associate(accounts[1]!, `${root}leads(${leads[1]})`);
    expect((await call(`${root}leads(${leads[1]})`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${root}leads(${leads[2]})`, { method: 'DELETE' })).status).toBe(204);
    expect(await leadsOf(accounts[1]!)).toEqual([]);
    expect(await leadsOf(accounts[0]!)).toEqual([leads[0]]);
    await send('POST', `${root}leads`, { leadid: leads[1], subject: 'Back again', lastname: 'Again' });
    await send('POST', `${root}leads`, { leadid: leads[2], subject: 'Back again', lastname: 'Again' });
    expect(await accountsOf(leads[1]!)).toEqual([]);
    expect(await accountsOf(leads[2]!)).toEqual([]);
    expect((await call(`${root}accounts(${accounts[4]})`, { method: 'DELETE' })).status).toBe(204);
    expect(await accountsOf(leads[4]!)).toEqual([]);
  });
});

describe('self-referential many-to-many (custom metadata)', () => {
  const EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Contoso.Widgets" Alias="cw" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="new_widget">
        <Key><PropertyRef Name="new_widgetid"/></Key>
        <Property Name="new_widgetid" Type="Edm.Guid"/>
        <Property Name="new_name" Type="Edm.String"/>
        <NavigationProperty Name="new_parts_referencing" Type="Collection(cw.new_widget)" Partner="new_parts_referenced"/>
        <NavigationProperty Name="new_parts_referenced" Type="Collection(cw.new_widget)" Partner="new_parts_referencing"/>
        <NavigationProperty Name="new_peers" Type="Collection(cw.new_widget)" Partner="new_peers"/>
      </EntityType>
      <EntityContainer Name="Widgets">
        <EntitySet Name="new_widgets" EntityType="Contoso.Widgets.new_widget"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
  let custom: RunningEmulator;
  beforeAll(async () => {
    custom = await startEmulator({ port: 0, metadataXml: EDMX });
  });
  afterAll(async () => custom?.close());

  it('keeps the direction of a _referencing/_referenced pair, and none for a navigation partnered with itself', async () => {
    const widget = async (name: string) => /\(([0-9a-f-]{36})\)$/.exec((await send('POST', `${custom.url}new_widgets`, { new_name: name })).headers['odata-entityid']!)![1]!;
    const [car, wheel] = [await widget('car'), await widget('wheel')];
    const names = async (id: string, nav: string) =>
      ((await get(`${custom.url}new_widgets(${id})/${nav}?$select=new_name`)).json.value as { new_name: string }[]).map((w) => w.new_name);
    const ref = (id: string) => ({ '@odata.id': `new_widgets(${id})` });
    expect((await send('POST', `${custom.url}new_widgets(${car})/new_parts_referencing/$ref`, ref(wheel))).status).toBe(204);
    expect(await names(car, 'new_parts_referencing')).toEqual(['wheel']);
    expect(await names(wheel, 'new_parts_referenced')).toEqual(['car']);
    expect(await names(wheel, 'new_parts_referencing')).toEqual([]);

    expect((await send('POST', `${custom.url}new_widgets(${car})/new_peers/$ref`, ref(wheel))).status).toBe(204);
    expect(await names(wheel, 'new_peers')).toEqual(['car']);
    expect((await send('POST', `${custom.url}new_widgets(${wheel})/new_peers/$ref`, ref(car))).status).toBe(412);
    expect((await call(`${custom.url}new_widgets(${wheel})/new_peers(${car})/$ref`, { method: 'DELETE' })).status).toBe(204);
    expect(await names(car, 'new_peers')).toEqual([]);
    expect(await names(car, 'new_parts_referencing')).toEqual(['wheel']);
  });
});
