import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, errorOf, get } from './helpers.js';

let emu: RunningEmulator;
let root: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 40 });
  root = emu.url;
});
afterAll(async () => emu?.close());

const fx = (xml: string, headers: Record<string, string> = {}) => get(`${root}accounts?fetchXml=${encodeURIComponent(xml)}`, headers);
const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const ALL = { Prefer: 'odata.include-annotations="*"' };

describe('FetchXML ordering semantics (FetchXML doc §1.8)', () => {
  it('sorts a lookup by the related row name and a choice by its label, or by value with useraworderby', async () => {
    const byLookup = await fx('<fetch><entity name="account"><attribute name="primarycontactid"/><order attribute="primarycontactid"/><filter><condition attribute="primarycontactid" operator="not-null"/></filter></entity></fetch>', ALL);
    const names: string[] = byLookup.json.value.map((r: Record<string, string>) => r[`_primarycontactid_value@${FORMATTED}`]);
    expect(names.length).toBeGreaterThan(2);
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
    const ids: string[] = byLookup.json.value.map((r: Record<string, string>) => r._primarycontactid_value);
    expect(ids).not.toEqual([...ids].sort());

    const byLabel = await fx('<fetch><entity name="account"><attribute name="ownershipcode"/><order attribute="ownershipcode"/><filter><condition attribute="ownershipcode" operator="not-null"/></filter></entity></fetch>', ALL);
    expect(byLabel.json.value.length).toBeGreaterThan(3);
    const labels: string[] = byLabel.json.value.map((r: Record<string, string>) => r[`ownershipcode@${FORMATTED}`]);
    expect(labels).toEqual([...labels].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
    const raw = await fx('<fetch useraworderby="true"><entity name="account"><attribute name="ownershipcode"/><order attribute="ownershipcode"/><filter><condition attribute="ownershipcode" operator="not-null"/></filter></entity></fetch>');
    const values: number[] = raw.json.value.map((r: { ownershipcode: number }) => r.ownershipcode);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values).not.toEqual(byLabel.json.value.map((r: { ownershipcode: number }) => r.ownershipcode));
  });
});

describe('FetchXML size limits (FetchXML doc §1.3)', () => {
  it('refuses 16 link-entities with 0x8004430D and 501 conditions with 0x8004430C', async () => {
    const link = '<link-entity name="contact" from="contactid" to="primarycontactid" link-type="outer"/>';
    expect(errorOf(await fx(`<fetch><entity name="account">${link.repeat(15)}</entity></fetch>`))).toBeUndefined();
    const sixteen = await fx(`<fetch><entity name="account">${link.repeat(16)}</entity></fetch>`);
    expect(sixteen.status).toBe(400);
    expect(errorOf(sixteen)).toEqual({ code: '0x8004430D', message: 'Number of link entities in query exceeded maximum limit.' });
    // 500 conditions pass the URL length limit of a plain GET: send them inside $batch (FetchXML doc §1.5).
    const condition = '<condition attribute="name" operator="ne" value="x"/>';
    const inBatch = async (count: number) => {
      const xml = encodeURIComponent(`<fetch top="1"><entity name="account"><filter>${condition.repeat(count)}</filter></entity></fetch>`);
      const body = ['--batch_L', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `GET accounts?fetchXml=${xml} HTTP/1.1`, 'Accept: application/json', '', '', '--batch_L--', ''].join('\r\n');
      const r = await call(`${root}$batch`, { method: 'POST', body, headers: { 'Content-Type': 'multipart/mixed; boundary="batch_L"' } });
      return r.text;
    };
    expect(await inBatch(500)).toContain('HTTP/1.1 200');
    const many = await inBatch(501);
    expect(many).toContain('HTTP/1.1 400');
    expect(many).toContain('0x8004430C');
  });
});

describe('FetchXML aggregate annotations (FetchXML doc §1.6)', () => {
  it('a group by a choice or a lookup carries its FormattedValue (and lookuplogicalname) under the alias', async () => {
    const r = await fx(`<fetch aggregate="true"><entity name="account">
      <attribute name="ownershipcode" alias="kind" groupby="true"/>
      <attribute name="ownerid" alias="owner" groupby="true"/>
      <attribute name="accountid" alias="n" aggregate="count"/>
      <filter><condition attribute="ownershipcode" operator="not-null"/></filter></entity></fetch>`, ALL);
    expect(r.status).toBe(200);
    const labels: Record<number, string> = { 1: 'Public', 2: 'Private', 3: 'Subsidiary', 4: 'Other' };
    expect(r.json.value.length).toBeGreaterThan(0);
    for (const g of r.json.value) {
      expect(g[`kind@${FORMATTED}`]).toBe(labels[g.kind]);
      expect(g['kind@OData.Community.Display.V1.AttributeName']).toBe('ownershipcode');
      expect(g.owner).toMatch(/^[0-9a-f-]{36}$/);
      expect(g['owner@Microsoft.Dynamics.CRM.lookuplogicalname']).toMatch(/^(systemuser|team)$/);
      expect(g[`owner@${FORMATTED}`]).toBeTypeOf('string');
    }
    const plain = await fx('<fetch aggregate="true"><entity name="account"><attribute name="ownershipcode" alias="kind" groupby="true"/><attribute name="accountid" alias="n" aggregate="count"/></entity></fetch>');
    expect(Object.keys(plain.json.value[0]).some((k) => k.includes('@'))).toBe(false);
  });
});

describe('FetchXML aggregate with top', () => {
  it('gives the first `top` groups in their <order alias> order', async () => {
    const groups = '<attribute name="address1_city" alias="city" groupby="true"/><attribute name="accountid" alias="n" aggregate="count"/><order alias="n" descending="true"/>';
    const all = await fx(`<fetch aggregate="true"><entity name="account">${groups}</entity></fetch>`);
    const first = await fx(`<fetch aggregate="true" top="3"><entity name="account">${groups}</entity></fetch>`);
    expect(all.status).toBe(200);
    expect(all.json.value.length).toBeGreaterThan(3);
    expect(first.json.value).toEqual(all.json.value.slice(0, 3));
    const counts = all.json.value.map((g: { n: number }) => g.n);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });
});
