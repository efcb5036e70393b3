/**
 * On Finance & Operations, a WHERE that once gave a wrong SELECT answer (issue 23, items 5, 6 and 9:
 * a `*` compared with `<>`, `NOT IN` or `NOT (… = …)`, enum values by T-SQL's rules, trailing blanks)
 * changes exactly the right rows in an UPDATE and a DELETE. The rows are computed here by T-SQL's
 * rules (case-insensitive, trailing blanks ignored, `*` an ordinary character) from the raw values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture({ edition: 'finops' });
});
afterAll(async () => {
  await f?.close();
});

type Raw = Record<string, unknown>;

/** T-SQL equality of strings under the case-insensitive collation: trailing blanks do not count */
const same = (a: unknown, b: string) => typeof a === 'string' && a.replace(/ +$/, '').toLowerCase() === b.replace(/ +$/, '').toLowerCase();
const known = (v: unknown) => v !== null && v !== undefined;

interface Case {
  item: string;
  where: string;
  params?: Record<string, unknown>;
  matches(row: Raw): boolean;
}

const CASES: Case[] = [
  { item: '23.5 <> with a star', where: "OrganizationName <> 'Contoso*'", matches: (r) => known(r.OrganizationName) && !same(r.OrganizationName, 'Contoso*') },
  { item: '23.5 <> a lone star', where: "OrganizationName <> '*'", matches: (r) => known(r.OrganizationName) && !same(r.OrganizationName, '*') },
  {
    item: '23.5 NOT IN with a star', where: "OrganizationName NOT IN ('*Wholesales', 'Grebe Shop')",
    matches: (r) => known(r.OrganizationName) && !same(r.OrganizationName, '*Wholesales') && !same(r.OrganizationName, 'Grebe Shop'),
  },
  { item: '23.5 NOT (= …) with a star', where: "NOT (OrganizationName = 'Contoso*')", matches: (r) => known(r.OrganizationName) && !same(r.OrganizationName, 'Contoso*') },
  { item: '23.5 <> a parameter with a star', where: 'OrganizationName <> @p', params: { p: '*Wholesales' }, matches: (r) => known(r.OrganizationName) && !same(r.OrganizationName, '*Wholesales') },
  { item: '23.6 an enum value in another case', where: "IsSalesTaxIncludedInPrice = 'yes'", matches: (r) => same(r.IsSalesTaxIncludedInPrice, 'Yes') },
  { item: '23.6 an enum value with a trailing blank', where: "IsSalesTaxIncludedInPrice = 'No '", matches: (r) => same(r.IsSalesTaxIncludedInPrice, 'No') },
  { item: '23.6 <> a value no member has', where: "OnHoldStatus <> 'Blocked'", matches: (r) => known(r.OnHoldStatus) },
  { item: '23.9 a key with a trailing blank', where: "CustomerAccount = 'US-001 '", matches: (r) => same(r.CustomerAccount, 'US-001') },
];

async function customers(): Promise<Raw[]> {
  return (await f.conn.query('SELECT CustomerAccount, OrganizationName, IsSalesTaxIncludedInPrice, OnHoldStatus FROM CustomersV3')).rows as Raw[];
}

describe('F&O: UPDATE and DELETE with the WHEREs of issue 23 change exactly the rows T-SQL would', () => {
  it.each(CASES)('UPDATE, $item: $where', async (c) => {
    const expected = (await customers()).filter((r) => c.matches(r)).map((r) => String(r.CustomerAccount)).sort();
    expect(expected.length).toBeGreaterThan(0);
    const mark = `w${CASES.indexOf(c)}`;
    const r = await f.conn.query(`UPDATE CustomersV3 SET PrimaryContactPhone = @mark WHERE ${c.where}`, { ...c.params, mark });
    const marked = (await f.conn.query('SELECT CustomerAccount FROM CustomersV3 WHERE PrimaryContactPhone = @mark', { mark })).rows.map((x) => String(x.CustomerAccount)).sort();
    expect(marked).toEqual(expected);
    expect(r.rowCount).toBe(expected.length);
  });

  it('a value no enum member has matches no row: UPDATE and DELETE change nothing', async () => {
    expect((await f.conn.query("UPDATE CustomersV3 SET PrimaryContactPhone = 'none' WHERE OnHoldStatus = 'Blocked'")).rowCount).toBe(0);
    expect((await f.conn.query("DELETE FROM CustomersV3 WHERE OnHoldStatus = 'Blocked'")).rowCount).toBe(0);
    expect((await f.conn.query("DELETE FROM CustomersV3 WHERE IsSalesTaxIncludedInPrice = ''")).rowCount).toBe(0);
  });

  it.each(CASES)('DELETE, $item: $where', async (c) => {
    // each DELETE starts from the seed rows
    expect((await fetch(`${f.emu.origin}/_emulator/reset`, { method: 'POST' })).status).toBeLessThan(300);
    const before = await customers();
    const gone = new Set(before.filter((r) => c.matches(r)).map((r) => String(r.CustomerAccount)));
    expect(gone.size).toBeGreaterThan(0);
    const r = await f.conn.query(`DELETE FROM CustomersV3 WHERE ${c.where}`, c.params ?? {});
    expect(r.rowCount).toBe(gone.size);
    const left = (await customers()).map((x) => String(x.CustomerAccount)).sort();
    expect(left).toEqual(before.map((x) => String(x.CustomerAccount)).filter((x) => !gone.has(x)).sort());
  });
});
