/** LIMIT / OFFSET / FETCH in every order each dialect allows, into `limit` and `offset` (row-limits.ts). */
import { describe, expect, it } from 'vitest';
import { parseSql, type Select } from '../../src/sql/index.js';

const num = (value: string) => ({ kind: 'literal', type: 'number', value });
function limits(sql: string, dialect: 'tsql' | 'postgresql') {
  const q = parseSql(sql, dialect).statement.query as Select;
  return { limit: q.limit, offset: q.offset };
}

describe('row limits', () => {
  it('PostgreSQL: OFFSET alone is no LIMIT; OFFSET before LIMIT keeps both; LIMIT ALL is none; FETCH is a LIMIT', () => {
    const base = 'SELECT name FROM account ORDER BY name';
    expect(limits(`${base} OFFSET 98`, 'postgresql')).toEqual({ limit: undefined, offset: num('98') });
    expect(limits(`${base} OFFSET 98 LIMIT 5`, 'postgresql')).toEqual({ limit: num('5'), offset: num('98') });
    expect(limits(`${base} LIMIT 5 OFFSET 98`, 'postgresql')).toEqual({ limit: num('5'), offset: num('98') });
    expect(limits(`${base} LIMIT ALL OFFSET 98`, 'postgresql')).toEqual({ limit: undefined, offset: num('98') });
    expect(limits(`${base} LIMIT ALL`, 'postgresql')).toEqual({ limit: undefined, offset: undefined });
    expect(limits(`${base} OFFSET 5 ROWS FETCH NEXT 3 ROWS ONLY`, 'postgresql')).toEqual({ limit: num('3'), offset: num('5') });
    expect(limits(`${base} FETCH FIRST ROW ONLY`, 'postgresql')).toEqual({ limit: num('1'), offset: undefined });
    expect(limits(`${base} OFFSET ? LIMIT ?`, 'postgresql')).toEqual({ limit: { kind: 'param', ref: 1 }, offset: { kind: 'param', ref: 0 } });
    const derived = parseSql('SELECT name FROM (SELECT name FROM account ORDER BY name OFFSET 3) d', 'postgresql').statement.query as Select;
    expect(derived.from).toMatchObject({ kind: 'derived', query: { offset: num('3') } });
    expect((derived.from as { query: Select }).query.limit).toBeUndefined();
  });

  it('T-SQL: OFFSET n ROWS without FETCH, FETCH FIRST … ROW ONLY; WITH TIES is refused', () => {
    const base = 'SELECT name FROM account ORDER BY name';
    expect(limits(`${base} OFFSET 5 ROWS`, 'tsql')).toEqual({ limit: undefined, offset: num('5') });
    expect(limits(`${base} OFFSET 5 ROWS FETCH FIRST 2 ROW ONLY`, 'tsql')).toEqual({ limit: num('2'), offset: num('5') });
    expect(limits(`SELECT name AS [offset] FROM account WHERE name = 'OFFSET 5 ROWS' ORDER BY name OFFSET 1 ROWS`, 'tsql')).toEqual({ limit: undefined, offset: num('1') });
    expect(() => parseSql(`${base} OFFSET 5 ROWS FETCH NEXT 2 ROWS WITH TIES`, 'tsql')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
  });
});

describe('long AND / OR chains', () => {
  it('2,000 OR terms parse, with parameters in order, into a shallow tree', () => {
    const sql = `SELECT name FROM account WHERE ${Array.from({ length: 2000 }, (_, i) => `name = @p${i}`).join(' OR ')}`;
    const parsed = parseSql(sql);
    expect(parsed.params).toEqual(Array.from({ length: 2000 }, (_, i) => `p${i}`));
    const depth = (e: unknown): number => {
      const x = e as { kind: string; op?: string; left?: unknown; right?: unknown };
      return x.kind === 'binary' && x.op === 'OR' ? 1 + Math.max(depth(x.left), depth(x.right)) : 0;
    };
    expect(depth((parsed.statement.query as Select).where)).toBeLessThanOrEqual(12);
  });

  it('short chains keep the parser\'s left-deep shape', () => {
    const where = (parseSql('SELECT 1 FROM t WHERE a = 1 AND b = 2 AND c = 3').statement.query as Select).where;
    expect(where).toMatchObject({ kind: 'binary', op: 'AND', left: { kind: 'binary', op: 'AND' }, right: { kind: 'binary', op: '=' } });
  });
});
