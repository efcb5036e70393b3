/**
 * The emulator's index on `createdon` (store/instant-index.ts, query/instant-range.ts) changes how
 * many rows a read visits, never which rows it returns: every filter shape on `createdon` (ranges,
 * unions, nulls, a date without a time, bounds in either operand order) read page after page gives
 * exactly the rows a filter applied in the test to the whole table gives, after rows were inserted,
 * deleted, updated and given another `createdon`; and `$orderby=createdon&$top=n` (the bounds of a
 * partitioned read, served from the index in order) gives the first n rows of a full sort.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { get, send } from './helpers.js';

let emu: RunningEmulator;
/** every account as the test knows it: id → createdon (null without one) */
const accounts = new Map<string, string | null>();

const ROWS = 2_000;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: ROWS });
  const all = await pageThrough(`${emu.url}accounts?$select=createdon`);
  const ids = [...all.keys()];
  // written since the seed: deleted rows, renamed rows, rows given another createdon (where the emulator takes one), new rows
  for (const id of ids.slice(10, 20)) expect((await send('DELETE', `${emu.url}accounts(${id})`)).status).toBe(204);
  for (const id of ids.slice(20, 30)) expect((await send('PATCH', `${emu.url}accounts(${id})`, { name: `renamed ${id}` })).status).toBe(204);
  for (const [i, id] of ids.slice(30, 40).entries()) await send('PATCH', `${emu.url}accounts(${id})`, { createdon: i % 2 ? null : `20${10 + i}-06-15T12:00:00Z` });
  for (let i = 0; i < 10; i++) expect((await send('POST', `${emu.url}accounts`, { name: `new ${i}` })).status).toBe(204);
  for (const [id, created] of await pageThrough(`${emu.url}accounts?$select=createdon`)) accounts.set(id, created);
  expect(accounts.size).toBe(ROWS);
});
afterAll(async () => emu?.close());

/** id → createdon of every row a read gives, following its nextLinks (pages of 700, so reads span pages) */
async function pageThrough(url: string): Promise<Map<string, string | null>> {
  const rows = new Map<string, string | null>();
  let next: string | undefined = url;
  for (let guard = 0; next && guard < 100; guard++) {
    const reply = await get(next, { Prefer: 'odata.maxpagesize=700' });
    expect(reply.status, reply.text).toBe(200);
    for (const row of reply.json.value) {
      expect(rows.has(row.accountid)).toBe(false);
      rows.set(row.accountid, row.createdon ?? null);
    }
    next = reply.json['@odata.nextLink'];
  }
  return rows;
}

const instants = () => [...accounts.values()].filter((c): c is string => c !== null).map(Date.parse).sort((a, b) => a - b);
const iso = (ms: number) => new Date(ms).toISOString();

type Test = (created: number | null) => boolean;
const CONDITIONS: Record<string, (a: string, b: string) => [string, Test]> = {
  range: (a, b) => [`createdon ge ${a} and createdon lt ${b}`, (c) => c !== null && c >= Date.parse(a) && c < Date.parse(b)],
  nullsBelow: (a) => [`createdon eq null or createdon lt ${a}`, (c) => c === null || c < Date.parse(a)],
  above: (a) => [`createdon gt ${a}`, (c) => c !== null && c > Date.parse(a)],
  flipped: (a, b) => [`${a} le createdon and ${b} ge createdon`, (c) => c !== null && c >= Date.parse(a) && c <= Date.parse(b)],
  union: (a, b) => [`(createdon lt ${a} or createdon ge ${b}) and name ne null`, (c) => c !== null && (c < Date.parse(a) || c >= Date.parse(b))],
  equal: (a) => [`createdon eq ${a}`, (c) => c === Date.parse(a)],
  notEqual: (a) => [`createdon ne ${a}`, (c) => c !== Date.parse(a)],
  notRange: (a, b) => [`not (createdon ge ${a} and createdon lt ${b})`, (c) => c === null || !(c >= Date.parse(a) && c < Date.parse(b))],
  dateOnly: (a) => [`createdon lt ${a.slice(0, 10)}`, (c) => c !== null && c < Date.parse(a.slice(0, 10))],
  // finer than a millisecond: the index narrows the rows, the compiled filter decides them
  microseconds: (a, b) => [`createdon gt ${a.replace('Z', '1Z')} and createdon le ${b.replace('Z', '9Z')}`, (c) => c !== null && c > Date.parse(a) && c <= Date.parse(b)],
};

describe("the emulator's index on createdon", () => {
  it('returns exactly the rows a filter on createdon matches, whatever its shape, across pages', async () => {
    const known = instants();
    const bound = fc.oneof(
      fc.integer({ min: 0, max: known.length - 1 }).map((i) => iso(known[i]!)), // a row's own instant: ties and `eq`
      fc.integer({ min: known[0]! - 86_400_000, max: known.at(-1)! + 86_400_000 }).map(iso),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(CONDITIONS)), bound, bound, async (shape, x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const [filter, test] = CONDITIONS[shape]!(a, b);
        const got = await pageThrough(`${emu.url}accounts?$select=createdon&$filter=${encodeURIComponent(filter)}`);
        const expected = [...accounts].filter(([, c]) => test(c === null ? null : Date.parse(c))).map(([id]) => id).sort();
        expect([...got.keys()].sort(), filter).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('gives the first rows by createdon for $orderby with $top, ties by key, as a full sort does', async () => {
    const byKey = (x: [string, string | null], y: [string, string | null]) => (x[0] < y[0] ? -1 : 1);
    const dated = [...accounts].filter(([, c]) => c !== null).map(([id, c]) => [id, Date.parse(c!)] as const);
    for (const descending of [false, true]) {
      for (const top of [1, 3, 50]) {
        const reply = await get(`${emu.url}accounts?$select=createdon&$filter=createdon ne null&$orderby=createdon${descending ? ' desc' : ''}&$top=${top}`);
        const expected = [...dated].sort((x, y) => (descending ? y[1] - x[1] : x[1] - y[1]) || byKey([x[0], null], [y[0], null])).slice(0, top).map(([id]) => id);
        expect(reply.json.value.map((r: { accountid: string }) => r.accountid), `top ${top}${descending ? ' desc' : ''}`).toEqual(expected);
      }
    }
    // nulls sort first ascending: a read without the `ne null` filter starts with the rows without one
    const withNulls = [...accounts].filter(([, c]) => c === null).map(([id]) => id).sort();
    const first = await get(`${emu.url}accounts?$select=createdon&$orderby=createdon&$top=${withNulls.length + 1}`);
    const ids = first.json.value.map((r: { accountid: string }) => r.accountid);
    expect(ids.slice(0, withNulls.length)).toEqual(withNulls);
    expect(first.json.value.at(-1).createdon).toBe(iso(dated.map(([, c]) => c).sort((a, b) => a - b)[0]!).replace('.000Z', 'Z'));
  });
});
