/**
 * A WHERE that once gave a wrong SELECT answer (issue 14) changes exactly the right rows when it
 * sits in an UPDATE or a DELETE (issue 23): each predicate's rows are computed here, in plain
 * JavaScript by T-SQL's rules, from the raw column values, and compared with the rows the write
 * changed (UPDATE marks them; DELETE removes them and the rest must stay).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(async () => {
  await f?.close();
});

type Raw = Record<string, unknown>;

/** T-SQL's LEN: characters without the trailing blanks */
const len = (s: string) => s.replace(/ +$/, '').length;
/** CHARINDEX under the case-insensitive collation: 1-based, 0 when absent */
const charindex = (needle: string, s: string) => s.toLowerCase().indexOf(needle.toLowerCase()) + 1;
/** REPLACE under the case-insensitive collation */
const replaceAll = (s: string, from: string, to: string) => s.replace(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), to);

interface Case {
  /** the item */
  item: string;
  table: 'account' | 'contact';
  where: string;
  columns: string[];
  /** the predicate by T-SQL's rules; NULL (undefined/null) counts as not matching */
  matches(row: Raw): boolean;
}

const CASES: Case[] = [
  {
    item: '14.4 integer division of an expression', table: 'account', where: 'ABS(numberofemployees) / 4 = 2837', columns: ['numberofemployees'],
    matches: (r) => r.numberofemployees !== null && Math.trunc(Math.abs(Number(r.numberofemployees)) / 4) === 2837,
  },
  {
    item: '14.4 LEN(x) / 2 is an int', table: 'account', where: 'LEN(name) / 2 = 9', columns: ['name'],
    matches: (r) => r.name !== null && Math.trunc(len(String(r.name)) / 2) === 9,
  },
  {
    item: '14.5 CHARINDEX is case-insensitive', table: 'account', where: "CHARINDEX('N', description) = 10", columns: ['description'],
    matches: (r) => r.description !== null && charindex('N', String(r.description)) === 10,
  },
  {
    item: '14.5 REPLACE is case-insensitive', table: 'contact', where: "REPLACE(firstname, 'D', '*') <> firstname", columns: ['firstname'],
    matches: (r) => r.firstname !== null && replaceAll(String(r.firstname), 'D', '*') !== String(r.firstname),
  },
  {
    item: '14.8 LEN ignores trailing blanks', table: 'account', where: "LEN(name + '   ') = LEN(name) AND LEN(name) < 20", columns: ['name'],
    matches: (r) => r.name !== null && len(`${String(r.name)}   `) === len(String(r.name)) && len(String(r.name)) < 20,
  },
  {
    item: '14.12 money arithmetic is exact', table: 'account', where: 'revenue / 4 * 4 = revenue', columns: ['revenue'],
    // money / int keeps four decimals: the quotient is exact when revenue in ten-thousandths is a multiple of 4
    matches: (r) => r.revenue !== null && Math.round(Number(r.revenue) * 10_000) % 4 === 0,
  },
];

async function rows(table: string, columns: string[]): Promise<Raw[]> {
  const id = `${table}id`;
  return (await f.conn.query(`SELECT ${[id, ...columns].join(', ')} FROM ${table}`)).rows as Raw[];
}

describe('UPDATE with a WHERE from issue 14 changes exactly the rows T-SQL would', () => {
  it.each(CASES)('$item: $where', async (c) => {
    const id = `${c.table}id`;
    const expected = (await rows(c.table, c.columns)).filter((r) => c.matches(r)).map((r) => String(r[id])).sort();
    expect(expected.length).toBeGreaterThan(0);
    const mark = `w-${CASES.indexOf(c)}`;
    const r = await f.conn.query(`UPDATE ${c.table} SET fax = @mark WHERE ${c.where}`, { mark });
    const marked = (await f.conn.query(`SELECT ${id} FROM ${c.table} WHERE fax = @mark`, { mark })).rows.map((x) => String(x[id])).sort();
    expect(marked).toEqual(expected);
    expect(r.rowCount).toBe(expected.length);
  });
});

describe('DELETE with a WHERE from issue 14 removes exactly those rows', () => {
  it.each(CASES)('$item: $where', async (c) => {
    const id = `${c.table}id`;
    const before = await rows(c.table, c.columns);
    const gone = new Set(before.filter((r) => c.matches(r)).map((r) => String(r[id])));
    expect(gone.size).toBeGreaterThan(0);
    const r = await f.conn.query(`DELETE FROM ${c.table} WHERE ${c.where}`);
    expect(r.rowCount).toBe(gone.size);
    const left = (await rows(c.table, [])).map((x) => String(x[id])).sort();
    expect(left).toEqual(before.map((x) => String(x[id])).filter((x) => !gone.has(x)).sort());
  });
});
