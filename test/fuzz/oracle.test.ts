/**
 * The oracle's own checks: its SQL gives T-SQL's documented answers on small cases, and the
 * comparison tells different answers apart (so the differential test can fail).
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Expr, Select } from './ast.js';
import { compareResults } from './compare.js';
import { openOracle } from './oracle.js';
import { likeToRegex, renderOracle } from './render-oracle.js';
import { decimalResult, familyMatches, familyOf, ResultTypes, typeMatches } from './result-types.js';

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

  it('binary parameters: bytes as they are, compared byte by byte, the same canonical value as a Uint8Array from dynasql', async () => {
    const bin = (name: string, bytes: number[]): Expr => ({ k: 'param', ty: 'bin', name, v: Uint8Array.from(bytes) });
    const q: Select = { k: 'select', items: [{ e: bin('p1', [0x01, 0xff]), alias: 'b' }, { e: col('id', 'int'), alias: 'id' }], from, where: { k: 'and', l: { k: 'cmp', op: '=', l: bin('p2', [0x41, 0x61]), r: bin('p3', [0x41, 0x61]) }, r: { k: 'cmp', op: '<>', l: bin('p4', [0x41, 0x61]), r: bin('p5', [0x61, 0x61]) } } };
    const rows = await run(q);
    expect(rows).toHaveLength(5);
    const columns = [{ alias: 'b', ty: 'bin', ci: false, approx: false }, { alias: 'id', ty: 'int', ci: false, approx: false }] as const;
    const dynasql = rows.map((r) => ({ b: Buffer.from([0x01, 0xff]), id: r.id }));
    expect(compareResults(dynasql, rows, [...columns], false).equal).toBe(true);
    expect(compareResults(dynasql.map((r) => ({ ...r, b: Uint8Array.from([0x01, 0xfe]) })), rows, [...columns], false).equal).toBe(false);
    expect((await run({ ...q, where: { k: 'cmp', op: '=', l: bin('p2', [0x41, 0x61]), r: bin('p3', [0x61, 0x61]) } }))).toEqual([]);
    // trailing 0x00 bytes do not count (T-SQL pads the shorter value): 0x01 = 0x0100, 0x01 < 0x0101, '' = 0x00
    const holds = async (l: number[], op: '=' | '<', r: number[]) => (await run({ ...q, where: { k: 'cmp', op, l: bin('p2', l), r: bin('p3', r) } })).length === 5;
    expect([await holds([0x01], '=', [0x01, 0x00]), await holds([0x01], '<', [0x01, 0x01]), await holds([], '=', [0x00]), await holds([0x01, 0x00], '<', [0x01])]).toEqual([true, true, true, false]);
  });

  it("a decimal quotient is cut at T-SQL's result scale before it is summed: 1 / 2.75 is decimal(18,6) 0.363636, 10.0 / 2.75 decimal(10,6)", async () => {
    const q: Select = { k: 'select', from, items: [
      { e: { k: 'agg', ty: 'money', fn: 'SUM', arg: { k: 'bin', ty: 'money', op: '/', l: { k: 'lit', ty: 'int', v: 1 }, r: { k: 'lit', ty: 'money', v: 2.75 } } }, alias: 's' },
      { e: { k: 'bin', ty: 'money', op: '/', l: { k: 'lit', ty: 'money', v: 10 }, r: { k: 'lit', ty: 'money', v: 2.75 } }, alias: 'q' },
    ] };
    const [row] = await run(q);
    expect(String(row!.s)).toBe('1.818180');
    // 10.0 is decimal(3,1): scale max(6, 1 + 3 + 1) = 6
    expect(String(row!.q)).toBe('3.636363');
  });

  it("LIKE … ESCAPE: a wildcard after the escape character is itself", async () => {
    expect(likeToRegex('a!_c%', '!')).toBe('^a_c.*$');
    expect(likeToRegex('!%!!x', '!')).toBe('^%!x$');
    const like = async (pattern: string) => (await run({ k: 'select', items: [{ e: col('id', 'int'), alias: 'id' }], from, where: { k: 'like', e: col('s', 'str'), pattern, neg: false, escape: '!' } })).map((r) => r.id).sort();
    expect(await like('a!_c')).toEqual([5]);
    expect(await like('a_c')).toEqual([1, 5]);
    expect(await like('a!%')).toEqual([]);
  });

  it("TRY_CAST(x AS int) of a string: blanks around and a sign allowed, '' is 0, a fraction, an exponent or a value past int is NULL", async () => {
    const values = ['12', ' 12 ', '+7', '-3', '', '  ', '1.5', '1e3', 'abc', '2147483648', '-2147483648', '1 2', null];
    const items: Select['items'] = values.map((v, n) => ({ e: { k: 'fn', ty: 'int', name: 'TRY_CAST_INT', args: [{ k: 'lit', ty: 'str', v }] }, alias: `v${n}` }));
    const [row] = await run({ k: 'select', items, from, where: { k: 'cmp', op: '=', l: col('id', 'int'), r: { k: 'lit', ty: 'int', v: 1 } } });
    expect(Object.values(row!)).toEqual([12, 12, 7, -3, 0, 0, null, null, null, null, -2147483648, null, null]);
  });

  it('STRING_AGG skips NULLs and joins in its WITHIN GROUP order', async () => {
    const q: Select = { k: 'select', from, items: [{ e: { k: 'agg', ty: 'str', fn: 'STRING_AGG', arg: col('s', 'str'), sep: '|', within: [{ e: col('id', 'int'), desc: true }] }, alias: 'a' }] };
    expect(await run(q)).toEqual([{ a: 'a_c|Abd|ABC |abc' }]);
  });

  it('GROUP BY a string makes one group of its spellings and marks the column as open', async () => {
    const q: Select = { k: 'select', items: [{ e: col('s', 'str'), alias: 's' }, { e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'n' }], from, groupBy: [col('s', 'str')] };
    const rendered = renderOracle(q);
    expect(rendered.ciColumns).toEqual([true, false]);
    const rows = await run(q);
    expect(rows.find((r) => String(r.s).trim().toLowerCase() === 'abc')?.n).toBe(2);
  });

  it('EXCEPT and INTERSECT compare rows under the collation, NULLs equal, and return distinct rows', async () => {
    const arm = (where: Select['where']): Select => ({ k: 'select', items: [{ e: col('s', 'str'), alias: 's' }], from, where });
    const setOp = (op: 'EXCEPT' | 'INTERSECT', right: Select['where']): Select => ({ ...arm(undefined), union: [{ all: false, op, q: arm(right) }] });
    const abd: Select['where'] = { k: 'cmp', op: '=', l: col('id', 'int'), r: { k: 'lit', ty: 'int', v: 3 } };
    const oneAndNull: Select['where'] = { k: 'in', e: col('id', 'int'), list: [{ k: 'lit', ty: 'int', v: 1 }, { k: 'lit', ty: 'int', v: 4 }], neg: false };
    // 'abc' and 'ABC ' are one row; NULL matches NULL
    expect((await run(setOp('EXCEPT', abd))).map((r) => String(r.s).trim().toLowerCase()).sort()).toEqual(['a_c', 'abc', 'null']);
    expect((await run(setOp('EXCEPT', oneAndNull))).map((r) => r.s).sort()).toEqual(['Abd', 'a_c']);
    expect((await run(setOp('INTERSECT', oneAndNull))).map((r) => (r.s === null ? null : String(r.s).trim().toLowerCase())).sort()).toEqual(['abc', null]);
  });

  it("ISNULL is typed as its first argument: a CASE of string literals cuts the replacement to its width (KNOWN O3)", async () => {
    const first: Select['items'][number]['e'] = { k: 'case', ty: 'str', whens: [{ when: { k: 'cmp', op: '=', l: col('id', 'int'), r: { k: 'lit', ty: 'int', v: 1 } }, then: { k: 'lit', ty: 'str', v: 'abc' } }] };
    const q: Select = { k: 'select', from, items: [{ e: col('id', 'int'), alias: 'id' }, { e: { k: 'fn', ty: 'str', name: 'ISNULL', args: [first, { k: 'lit', ty: 'str', v: 'longer' }] }, alias: 'v' }], where: { k: 'in', e: col('id', 'int'), list: [{ k: 'lit', ty: 'int', v: 1 }, { k: 'lit', ty: 'int', v: 2 }], neg: false } };
    expect((await run(q)).sort((x, y) => Number(x.id) - Number(y.id)).map((r) => r.v)).toEqual(['abc', 'lon']);
  });

  it('OFFSET skips rows of the total order, then LIMIT counts', async () => {
    const q: Select = { k: 'select', items: [{ e: col('id', 'int'), alias: 'id' }], from, orderBy: [{ alias: 'id', desc: true }], orderTotal: true, offset: 1, top: 2 };
    expect((await run(q)).map((r) => r.id)).toEqual([4, 3]);
  });
});

describe('the result types T-SQL gives', () => {
  const base = new Map([['t', new Map([['n', 'int' as const], ['m', 'money' as const], ['s', 'string' as const], ['d', 'datetime' as const]])]]);
  const types = (q: Select, dialect: 'tsql' | 'postgresql' = 'tsql') => new ResultTypes(base, dialect).ofSelect(q);
  const n = col('n', 'int');
  it('follow the aggregates, division, COALESCE and CASE rules, and the PostgreSQL dialect where it differs', () => {
    const q: Select = {
      k: 'select', from, items: [
        { e: { k: 'agg', ty: 'int', fn: 'AVG', arg: n }, alias: 'a' },
        { e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'c' },
        { e: { k: 'bin', ty: 'money', op: '/', l: col('m', 'money'), r: { k: 'lit', ty: 'int', v: 3 } }, alias: 'q' },
        { e: { k: 'fn', ty: 'dt', name: 'COALESCE', args: [{ k: 'col', ty: 'dt', table: 't', name: 'd' }, { k: 'lit', ty: 'dt', v: '2024-01-01' }] }, alias: 'd' },
        { e: { k: 'case', ty: 'money', whens: [{ when: { k: 'isnull', e: n, neg: false }, then: col('m', 'money') }], else: { k: 'lit', ty: 'money', v: 1234.5 } }, alias: 'k' },
        { e: { k: 'win', ty: 'int', fn: 'ROW_NUMBER', partition: [], order: [{ e: n, desc: false }] }, alias: 'r' },
      ],
    };
    expect(types(q)).toEqual(['int', 'int', 'money', 'datetime', 'decimal', 'bigint']);
    expect(types(q, 'postgresql').slice(0, 2)).toEqual(['decimal', 'bigint']);
  });

  it("decimal precision and scale follow T-SQL's operator rules and the 38-digit cap (the documented examples)", () => {
    const d = (p: number, s: number) => ({ f: 'decimal' as const, p, s });
    expect(decimalResult('*', d(30, 20), d(30, 20))).toEqual(d(38, 17));
    expect(decimalResult('*', d(30, 10), d(30, 10))).toEqual(d(38, 6));
    expect(decimalResult('+', d(10, 2), d(10, 3))).toEqual(d(12, 3));
    expect(decimalResult('*', d(10, 2), d(10, 3))).toEqual(d(21, 5));
    expect(decimalResult('/', d(10, 2), d(10, 3))).toEqual(d(24, 13));
    expect(decimalResult('/', d(10, 0), d(5, 2))).toEqual(d(18, 6));
    const m: Expr = { k: 'col', ty: 'money', table: 't', name: 'm' };
    const coalesced: Expr = { k: 'fn', ty: 'money', name: 'COALESCE', args: [m, { k: 'lit', ty: 'money', v: 4858000 }] };
    const q: Select = { k: 'select', from, items: [
      { e: coalesced, alias: 'c' },
      { e: { k: 'agg', ty: 'money', fn: 'AVG', arg: coalesced }, alias: 'a' },
      { e: { k: 'agg', ty: 'money', fn: 'SUM', arg: coalesced }, alias: 's' },
      { e: { k: 'fn', ty: 'money', name: 'ISNULL', args: [m, { k: 'lit', ty: 'money', v: 1234.5 }] }, alias: 'i' },
    ] };
    // COALESCE(money, 4858000.0): money as decimal(19,4) beside decimal(8,1) is decimal(19,4); AVG of it (38,6), SUM (38,4); ISNULL keeps money
    expect(new ResultTypes(base, 'tsql').exactOfSelect(q)).toEqual([d(19, 4), d(38, 6), d(38, 4), { f: 'money', p: 19, s: 4 }]);
    expect(typeMatches(d(19, 4), d(19, 2))).toBe(false);
    expect(typeMatches(d(19, 4), { f: 'decimal' })).toBe(true);
  });

  it('tell a wrong reported type apart', () => {
    expect(familyMatches('int', familyOf('float'))).toBe(false);
    expect(familyMatches('money', familyOf('decimal'))).toBe(false);
    expect(familyMatches('int|bigint', familyOf('bigint'))).toBe(true);
    expect(familyMatches('datetime', familyOf('datetime2'))).toBe(true);
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

  it('rounds decimals compared to 4 places by their digits, not through a double (KNOWN O2)', () => {
    const money = [{ alias: 'a', ty: 'money' as const, ci: false, approx: true }];
    expect(compareResults([{ a: '53694.029850' }], [{ a: '53694.0299' }], money, false).equal).toBe(true);
    expect(compareResults([{ a: '-0.00004' }], [{ a: '0' }], money, false).equal).toBe(true);
    expect(compareResults([{ a: '1.23455' }], [{ a: '1.2345' }], money, false).equal).toBe(false);
  });

  it('compares floats to 9 significant digits', () => {
    const float = [{ alias: 'f', ty: 'float' as const, ci: false }];
    expect(compareResults([{ f: 0.1 + 0.2 }], [{ f: 0.3 }], float, false).equal).toBe(true);
    expect(compareResults([{ f: 16.027343749999998 }], [{ f: 16.02734375 }], float, false).equal).toBe(true);
    expect(compareResults([{ f: 1.0001 }], [{ f: 1 }], float, false).equal).toBe(false);
  });
});
