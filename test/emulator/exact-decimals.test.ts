/**
 * Edm.Decimal values written with more digits than a double keeps (money: 4 decimals, up to 19
 * significant digits) come back with exactly the written digits, as JSON numbers, while $filter and
 * $select keep working on the stored double.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { call, errorOf, get, type Reply } from './helpers.js';

let emu: RunningEmulator;
let root: string;
let path: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 10 });
  root = emu.url;
  path = new URL(root).pathname;
});
afterAll(async () => emu?.close());
beforeEach(() => emu.reset());

const EXACT = '12345678901234.5678'; // JSON.parse gives 12345678901234.568
const json = (method: string, url: string, text: string, headers: Record<string, string> = {}) => call(url, { method, body: text, headers });
const createWith = async (bodyText: string, headers: Record<string, string> = {}) => {
  const r = await json('POST', `${root}accounts`, bodyText, headers);
  expect(r.status, r.text).toBeLessThan(300);
  return r;
};
/** The raw number text of `"name":<number>` in a response's text. */
const rawNumber = (reply: Reply, name: string) => new RegExp(`"${name}":(-?[0-9.eE+-]+)`).exec(reply.text)?.[1];

describe('exact Edm.Decimal digits', () => {
  it('POST then GET returns the written digits as a JSON number', async () => {
    const r = await createWith(`{"name":"Exact","revenue": ${EXACT}, "creditlimit":1.5}`);
    const read = await get(`${r.headers['odata-entityid']}?$select=revenue,creditlimit`);
    expect(rawNumber(read, 'revenue')).toBe(EXACT);
    expect(rawNumber(read, 'creditlimit')).toBe('1.5');
    expect(typeof read.json.revenue).toBe('number');
    expect(rawNumber(await get(`${r.headers['odata-entityid']}/revenue`), 'value')).toBe(EXACT);
  });

  it('return=representation, collections with $filter and $expand carry the digits too', async () => {
    const r = await createWith(`{"name":"Represented","revenue":${EXACT}}`, { Prefer: 'return=representation' });
    expect(r.status).toBe(201);
    expect(rawNumber(r, 'revenue')).toBe(EXACT);
    // $filter compares the stored double: the exact text denotes it
    const filtered = await get(`${root}accounts?$select=name,revenue&$filter=revenue gt 12345678901234`);
    expect(filtered.json.value.map((a: { name: string }) => a.name)).toEqual(['Represented']);
    expect(rawNumber(filtered, 'revenue')).toBe(EXACT);
    const id = r.json.accountid as string;
    const contact = await json('POST', `${root}contacts`, JSON.stringify({ lastname: 'Child', 'parentcustomerid_account@odata.bind': `/accounts(${id})` }));
    const expanded = await get(`${contact.headers['odata-entityid']}?$select=lastname&$expand=parentcustomerid_account($select=revenue)`);
    expect(rawNumber(expanded, 'revenue')).toBe(EXACT);
  });

  it('$select without the column leaves it out, and FormattedValue keeps using the double', async () => {
    const r = await createWith(`{"name":"Selected","revenue":${EXACT}}`);
    const named = await get(`${r.headers['odata-entityid']}?$select=name`);
    expect(named.json).not.toHaveProperty('revenue');
    const formatted = await get(`${r.headers['odata-entityid']}?$select=revenue`, { Prefer: 'odata.include-annotations="*"' });
    expect(rawNumber(formatted, 'revenue')).toBe(EXACT);
    expect(typeof formatted.json['revenue@OData.Community.Display.V1.FormattedValue']).toBe('string');
  });

  it('a PATCH with a short value drops the exact text; a PATCH with a long one sets it', async () => {
    const r = await createWith(`{"name":"Patched","revenue":${EXACT}}`);
    const url = r.headers['odata-entityid']!;
    expect((await json('PATCH', url, '{"revenue":10.25}')).status).toBe(204);
    expect(rawNumber(await get(`${url}?$select=revenue`), 'revenue')).toBe('10.25');
    expect((await json('PATCH', url, '{"name":"renamed", "revenue" : 98765432109876.1234 }')).status).toBe(204);
    expect(rawNumber(await get(`${url}?$select=revenue`), 'revenue')).toBe('98765432109876.1234');
    // a PATCH of another column keeps it
    expect((await json('PATCH', url, '{"name":"again"}')).status).toBe(204);
    expect(rawNumber(await get(`${url}?$select=revenue`), 'revenue')).toBe('98765432109876.1234');
  });

  it('a decimal written as a JSON string is still refused', async () => {
    const r = await json('POST', `${root}accounts`, `{"name":"Text","revenue":"${EXACT}"}`);
    expect(r.status).toBe(400);
    expect(errorOf(r)?.message).toBe(`Cannot convert the literal '${EXACT}' to the expected type 'Edm.Decimal'.`);
  });

  it('only top-level properties count: deep-inserted children keep the double', async () => {
    // The child's text denotes the parent's double too, so only the depth tells them apart.
    const r = await createWith(`{"name":"Parent","description":"\\"revenue\\": ${EXACT}","revenue":12345678901234.568,`
      + `"account_parent_account":[{"name":"Child","revenue":${EXACT}}]}`);
    const parent = await get(`${r.headers['odata-entityid']}?$select=revenue&$expand=account_parent_account($select=revenue)`);
    expect(rawNumber(parent, 'revenue')).toBe('12345678901234.568');
    expect(parent.text).toContain('"account_parent_account":[{"revenue":12345678901234.568,');
  });

  it('a failed $batch change set rolls the exact value back with the row', async () => {
    const r = await createWith(`{"name":"Batched","revenue":1}`);
    const id = /\(([0-9a-f-]{36})\)$/.exec(r.headers['odata-entityid']!)![1]!;
    const part = (method: string, url: string, body: string, contentId: string) => [
      'Content-Type: application/http', 'Content-Transfer-Encoding: binary', `Content-ID: ${contentId}`, '',
      `${method} ${path}${url} HTTP/1.1`, 'Content-Type: application/json; type=entry', '', body,
    ].join('\r\n');
    const batch = (parts: string[]) => [
      '--batch_A', 'Content-Type: multipart/mixed; boundary="changeset_B"', '',
      ...parts.flatMap((p) => ['--changeset_B', p]), '--changeset_B--', '--batch_A--', '',
    ].join('\r\n');
    const post = (parts: string[]) => call(`${root}$batch`, { method: 'POST', body: batch(parts), headers: { 'Content-Type': 'multipart/mixed; boundary="batch_A"' } });

    const failed = await post([part('PATCH', `accounts(${id})`, `{"revenue":${EXACT}}`, '1'), part('POST', 'accounts', '{"nosuch":1}', '2')]);
    expect(failed.status).toBe(400);
    expect(rawNumber(await get(`${root}accounts(${id})?$select=revenue`), 'revenue')).toBe('1');

    const ok = await post([part('PATCH', `accounts(${id})`, `{"revenue":${EXACT}}`, '1')]);
    expect(ok.status).toBe(200);
    expect(rawNumber(await get(`${root}accounts(${id})?$select=revenue`), 'revenue')).toBe(EXACT);
    // and back: a later failed change set that shortens it leaves the exact text in place
    await post([part('PATCH', `accounts(${id})`, '{"revenue":2}', '1'), part('POST', 'accounts', '{"nosuch":1}', '2')]);
    expect(rawNumber(await get(`${root}accounts(${id})?$select=revenue`), 'revenue')).toBe(EXACT);
  });

  it('a batch part with return=representation carries the digits', async () => {
    const body = [
      '--batch_A', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '',
      `POST ${path}accounts?$select=revenue HTTP/1.1`, 'Content-Type: application/json', 'Prefer: return=representation', '',
      `{"name":"Part","revenue":${EXACT}}`, '--batch_A--', '',
    ].join('\r\n');
    const r = await call(`${root}$batch`, { method: 'POST', body, headers: { 'Content-Type': 'multipart/mixed; boundary="batch_A"' } });
    expect(r.status).toBe(200);
    expect(r.text).toContain(`"revenue":${EXACT}`);
  });
});

describe('through the driver', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await connect(`Url=${root}`);
  });
  afterAll(async () => conn?.close());

  it('INSERT then SELECT returns every digit', async () => {
    await conn.query(`INSERT INTO account (name, revenue) VALUES ('Driven', ${EXACT})`);
    const { rows } = await conn.query(`SELECT revenue FROM account WHERE name = 'Driven'`);
    expect(rows.map((r) => String(r.revenue))).toEqual([EXACT]);
  });
});
