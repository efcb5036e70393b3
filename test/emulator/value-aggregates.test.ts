/**
 * The emulator refuses SUM / AVG / MIN / MAX of a choice or a yes/no attribute in `$apply` and in
 * FetchXML alike, as the service's one aggregate engine does (emulator/query/value-aggregates.ts;
 * code and text: docs silent, see the README), and still answers counts and groups of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { errorOf, get } from './helpers.js';

let emu: RunningEmulator;
let root: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 40 });
  root = emu.url;
});
afterAll(async () => emu?.close());

const fx = (set: string, xml: string) => get(`${root}${set}?fetchXml=${encodeURIComponent(xml)}`);

describe('SUM / AVG / MIN / MAX of choices and yes/no attributes', () => {
  it('$apply refuses them with a 400 in the service shape', async () => {
    const cases: [string, string][] = [
      ['industrycode with max as m', 'Aggregate MAX or MIN is not supported for attribute of type picklist.'],
      ['statecode with sum as s', 'Aggregate AVG or SUM is not supported for attribute of type state.'],
      ['statuscode with average as a', 'Aggregate AVG or SUM is not supported for attribute of type status.'],
      ['creditonhold with min as m', 'Aggregate MAX or MIN is not supported for attribute of type boolean.'],
    ];
    for (const [aggregate, message] of cases) {
      const r = await get(`${root}accounts?$apply=groupby((name),aggregate(${aggregate}))`);
      expect(r.status, aggregate).toBe(400);
      expect(errorOf(r), aggregate).toEqual({ code: '0x80040203', message });
    }
  });

  it('FetchXML refuses them, on the root and on a linked entity', async () => {
    const root_ = await fx('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="industrycode" alias="m" aggregate="max"/></entity></fetch>');
    expect(root_.status).toBe(400);
    expect(errorOf(root_)).toEqual({ code: '0x80040203', message: 'Aggregate MAX or MIN is not supported for attribute of type picklist.' });
    const avg = await fx('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="statecode" alias="a" aggregate="avg"/></entity></fetch>');
    expect(errorOf(avg)?.message).toBe('Aggregate AVG or SUM is not supported for attribute of type state.');
    const linked = await fx('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="n" aggregate="count"/>'
      + '<link-entity name="contact" from="contactid" to="primarycontactid" alias="c" link-type="inner"><attribute name="gendercode" alias="g" aggregate="min"/></link-entity></entity></fetch>');
    expect(linked.status).toBe(400);
    expect(errorOf(linked)?.message).toBe('Aggregate MAX or MIN is not supported for attribute of type picklist.');
  });

  it('refuses MIN / MAX of the primary key and of a lookup in both languages, and answers their counts', async () => {
    const key = await get(`${root}accounts?$apply=aggregate(accountid with max as m)`);
    expect(key.status).toBe(400);
    expect(errorOf(key)).toEqual({ code: '0x80040203', message: 'Aggregate MAX or MIN is not supported for attribute of type primarykey.' });
    const lookup = await get(`${root}accounts?$apply=aggregate(_primarycontactid_value with min as m)`);
    expect(errorOf(lookup)?.message).toBe('Aggregate MAX or MIN is not supported for attribute of type lookup.');
    const fetchKey = await fx('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="m" aggregate="min"/></entity></fetch>');
    expect(errorOf(fetchKey)?.message).toBe('Aggregate MAX or MIN is not supported for attribute of type primarykey.');
    const fetchLookup = await fx('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="primarycontactid" alias="m" aggregate="max"/></entity></fetch>');
    expect(errorOf(fetchLookup)?.message).toBe('Aggregate MAX or MIN is not supported for attribute of type lookup.');
    const counts = await get(`${root}accounts?$apply=aggregate(accountid with countdistinct as k,_primarycontactid_value with countdistinct as p)`);
    expect(counts.status).toBe(200);
    expect(counts.json.value[0].k).toBe(40);
  });

  it('still answers counts, distinct counts and groups of them, and MAX of a number', async () => {
    const apply = await get(`${root}accounts?$apply=groupby((statecode,creditonhold),aggregate($count as n,industrycode with countdistinct as d,numberofemployees with max as m))`);
    expect(apply.status).toBe(200);
    expect(apply.json.value.reduce((s: number, g: { n: number }) => s + g.n, 0)).toBe(40);
    const fetch = await fx('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="industrycode" alias="g" groupby="true"/>'
      + '<attribute name="statuscode" alias="c" aggregate="countcolumn"/><attribute name="creditonhold" alias="d" aggregate="countcolumn" distinct="true"/></entity></fetch>');
    expect(fetch.status).toBe(200);
    expect(fetch.json.value.reduce((s: number, g: { c: number }) => s + g.c, 0)).toBe(40);
  });
});
