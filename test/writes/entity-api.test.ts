/**
 * `conn.entity(name)`: the established connector's entity operations with JSON payloads, run
 * verbatim on its documented examples against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { header, writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(async () => {
  await f?.close();
});

const LEAD = 'c5233ad8-a1a4-ee11-a568-000d3ac9f67f';
const SALES_ORDER = '580775a4-17aa-ee11-a568-000d3ac9f67f';
const CONTACT = '524f543b-3ea5-ee11-a568-000d3ac9f67f';

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DynasqlError);
  expect((error as DynasqlError).code).toBe(code);
}

describe('the documented examples', () => {
  it('lists products', async () => {
    const products = await f.conn.entity('products').list();
    const expected = await f.conn.query('SELECT COUNT(*) AS n FROM product');
    expect(products).toHaveLength(Number(expected.rows[0]!.n));
    expect(products[0]).toHaveProperty('productid');
    expect(products[0]).toHaveProperty('name');
    // plain JSON: it survives a round trip unchanged
    expect(JSON.parse(JSON.stringify(products))).toEqual(products);
  });

  it('gets lead c5233ad8-a1a4-ee11-a568-000d3ac9f67f', async () => {
    const lead = await f.conn.entity('leads').get(LEAD);
    expect(lead.leadid).toBe(LEAD);
    expect(typeof lead.subject).toBe('string');
    expect(typeof lead.modifiedon).toBe('string');
  });

  it('creates a lead and returns its id', async () => {
    await f.clearLog();
    const created = await f.conn.entity('leads').create({ firstname: 'Jane', lastname: 'Doe', subject: 'Interested in coffee machines' });
    expect(Object.keys(created)).toEqual(['leadid']);
    const [post] = await f.writes();
    expect(`${post!.method} ${post!.url}`).toBe('POST /api/data/v9.2/leads');
    expect(JSON.parse(post!.body).leadid).toBe(created.leadid);
    expect(await f.conn.entity('leads').get(String(created.leadid), { select: ['lastname', 'subject'] })).toEqual({ lastname: 'Doe', subject: 'Interested in coffee machines' });
  });

  it('updates salesorder 580775a4-17aa-ee11-a568-000d3ac9f67f with {"name":"Nameupdated1704863189087"}', async () => {
    await f.clearLog();
    const out = await f.conn.entity('salesorders').update(SALES_ORDER, JSON.parse('{"name":"Nameupdated1704863189087"}'));
    expect(out).toEqual({ salesorderid: SALES_ORDER });
    const [patch] = await f.writes();
    expect(`${patch!.method} ${patch!.url}`).toBe(`PATCH /api/data/v9.2/salesorders(${SALES_ORDER})`);
    expect(header(patch!, 'if-match')).toBe('*');
    expect((await f.conn.entity('salesorders').get(SALES_ORDER, { select: 'name' })).name).toBe('Nameupdated1704863189087');
  });

  it('deletes contact 524f543b-3ea5-ee11-a568-000d3ac9f67f', async () => {
    expect(await f.conn.entity('contacts').delete(CONTACT)).toEqual({ contactid: CONTACT });
    await rejects(f.conn.entity('contacts').get(CONTACT), 'DYNASQL_ERR_NOT_FOUND');
    await rejects(f.conn.entity('contacts').delete(CONTACT), 'DYNASQL_ERR_NOT_FOUND');
  });
});

describe('list options and checks', () => {
  it('filters, selects, orders and limits', async () => {
    const rows = await f.conn.entity('account').list({ filter: 'revenue > @min', params: { min: 100000 }, select: ['name', 'revenue'], orderBy: 'revenue DESC', top: 3 });
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]!)).toEqual(['name', 'revenue']);
    const revenues = rows.map((r) => Number(r.revenue));
    expect([...revenues].sort((a, b) => b - a)).toEqual(revenues);
    expect(revenues.every((r) => r > 100000)).toBe(true);
  });

  it('refuses unknown tables, columns and bad payloads before sending', async () => {
    expect(() => f.conn.entity('leadz')).toThrow(/Did you mean/);
    await f.clearLog();
    await rejects(f.conn.entity('leads').create({ lastnme: 'x' }), 'DYNASQL_ERR_UNKNOWN_COLUMN');
    await rejects(f.conn.entity('leads').create({ lastname: { nested: true } }), 'DYNASQL_ERR_TYPE');
    await rejects(f.conn.entity('leads').update(LEAD, {}), 'DYNASQL_ERR_PARAMETER');
    await rejects(f.conn.entity('leads').list({ orderBy: 'name; DROP' }), 'DYNASQL_ERR_PARAMETER');
    await rejects(f.conn.entity('leads').list({ select: ['nope'] }), 'DYNASQL_ERR_UNKNOWN_COLUMN');
    expect(await f.writes()).toEqual([]);
  });

  it('an update of a missing record is NOT_FOUND, not a silent create', async () => {
    await rejects(f.conn.entity('leads').update('00000000-0000-4000-8000-0000000000aa', { subject: 'x' }), 'DYNASQL_ERR_NOT_FOUND');
    await rejects(f.conn.entity('leads').get('00000000-0000-4000-8000-0000000000aa'), 'DYNASQL_ERR_NOT_FOUND');
  });
});
