/**
 * The oracle's own checks: its SQL gives T-SQL's documented answers on small cases, and the
 * comparison tells different answers apart (so the differential test can fail).
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Select } from './ast.js';
import { compareResults } from './compare.js';
import { openOracle } from './oracle.js';
import { likeToRegex, renderOracle } from './render-oracle.js';

let db: PGlite;
beforeAll(async () => {
  db = await openOracle();
  await db.exec(`CREATE TABLE t (id integer, s text, n integer, m numeric(19,4));
    INSERT INTO t VALUES (1, 'abc', 1, 10.5), (2, 'ABC ', 2, NULL), (3, 'Abd', NULL, 3.25), (4, NULL, -7, 1), (5, 'a_c', 0, 2)`);
}, 120_000);
afterAll(async () => db?.close());

const col = (name: string, ty: 'int' | 'str' | 'money') => ({ k: 'col', ty, table: 't', name }) as const;
const run = async (q: Select) => (await db.query<Record<string, unknown>>(renderOracle(q).sql)).rows;
const from = { k: 'table', table: 't', alias: 't' } as const;

describe('the oracle writes T-SQL semantics out', () => {
  it("compares strings case-insensitively and ignoring trailing blanks: 'abc' = 'ABC '", async () => {
    const rows = await run({ k: 'select', items: [{ e: col('id', 'int'), alias: 'id' }], from, where: { k: 'cmp', op: '=', l: col('s', 'str'), r: { k: 'lit', ty: 'str', v: 'abc' } } });
    expect(rows.map((r) => r.id).sort()).toEqual([1, 2]);
  });

  it('AVG of an int truncates toward zero, and integer division does too', async () => {
    const rows = await run({ k: 'select', items: [{ e: { k: 'agg', ty: 'int', fn: 'AVG', arg: col('n', 'int') }, alias: 'a' }, { e: { k: 'bin', ty: 'int', op: '/', l: { k: 'lit', ty: 'int', v: -7 }, r: { k: 'lit', ty: 'int', v: 2 } }, alias: 'd' }], from });
    expect(rows).toEqual([{ a: -1, d: -3 }]);
  });

  it('sorts NULLs first ascending and last descending, strings by their collation key', async () => {
    const q = (desc: boolean): Select => ({ k: 'select', items: [{ e: col('s', 'str'), alias: 's' }, { e: col('id', 'int'), alias: 'id' }], from, orderBy: [{ alias: 's', desc }, { alias: 'id', desc: false }], orderTotal: true });
    expect((await run(q(false))).map((r) => r.id)).toEqual([4, 5, 1, 2, 3]);
    expect((await run(q(true))).map((r) => r.id)).toEqual([3, 1, 2, 5, 4]);
  });

  it('LIKE: _ and [] classes, case-insensitive, trailing blanks of nvarchar values significant', async () => {
    expect(likeToRegex('a[_]c%')).toBe('^a[_]c.*$');
    const like = async (pattern: string) => (await run({ k: 'select', items: [{ e: col('id', 'int'), alias: 'id' }], from, where: { k: 'like', e: col('s', 'str'), pattern, neg: false } })).map((r) => r.id).sort();
    expect(await like('abc')).toEqual([1]);
    expect(await like('a[_]c')).toEqual([5]);
    expect(await like('A_C%')).toEqual([1, 2, 5]);
    expect(await like('ab[^c]')).toEqual([3]);
  });

  it('GROUP BY a string makes one group of its spellings and marks the column as open', async () => {
    const q: Select = { k: 'select', items: [{ e: col('s', 'str'), alias: 's' }, { e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'n' }], from, groupBy: [col('s', 'str')] };
    const rendered = renderOracle(q);
    expect(rendered.ciColumns).toEqual([true, false]);
    const rows = await run(q);
    expect(rows.find((r) => String(r.s).trim().toLowerCase() === 'abc')?.n).toBe(2);
  });
});

describe('the comparison', () => {
  const columns = [{ alias: 'x', ty: 'str' as const, ci: false }, { alias: 'm', ty: 'money' as const, ci: false }];
  it('finds a different value, a missing row and a different order', () => {
    expect(compareResults([{ x: 'a', m: 1 }], [{ x: 'a', m: '1.0000' }], columns, true).equal).toBe(true);
    expect(compareResults([{ x: 'a', m: 1.0000001 }], [{ x: 'a', m: '1.0000' }], columns, true).equal).toBe(false);
    expect(compareResults([{ x: 'a', m: 1 }], [{ x: 'A', m: 1 }], columns, true).equal).toBe(false);
    expect(compareResults([{ x: 'a', m: 1 }], [], columns, false).equal).toBe(false);
    expect(compareResults([{ x: 'a', m: 1 }, { x: 'b', m: 2 }], [{ x: 'b', m: 2 }, { x: 'a', m: 1 }], columns, true).equal).toBe(false);
    expect(compareResults([{ x: 'a', m: 1 }, { x: 'b', m: 2 }], [{ x: 'b', m: 2 }, { x: 'a', m: 1 }], columns, false).equal).toBe(true);
  });

  it('accepts any spelling of equal strings only where T-SQL leaves it open', () => {
    const open = [{ alias: 'x', ty: 'str' as const, ci: true }];
    expect(compareResults([{ x: 'Seattle ' }], [{ x: 'SEATTLE' }], open, false).equal).toBe(true);
    expect(compareResults([{ x: 'Seattle' }], [{ x: 'Boston' }], open, false).equal).toBe(false);
  });
});
