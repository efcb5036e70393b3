/** EXCEPT / INTERSECT (T-SQL too), set-operator precedence, SUM(DISTINCT x), WITH cte (a, b) (issue 14). */
import { describe, expect, it } from 'vitest';
import { parseSql, type Query } from '../../src/sql/index.js';

const query = (sql: string, dialect: 'tsql' | 'postgresql' = 'tsql'): Query => parseSql(sql, dialect).statement.query;
/** the set-operation tree as text: `(a UNION (b INTERSECT c))`, each select named by its table */
function shape(q: Query): string {
  if (q.kind === 'setop') return `(${shape(q.left)} ${q.op} ${shape(q.right)})`;
  return q.from?.kind === 'table' ? q.from.name : '?';
}

describe('set operations', () => {
  for (const dialect of ['tsql', 'postgresql'] as const) {
    it(`${dialect}: EXCEPT and INTERSECT are set operators, not aliases`, () => {
      const q = query('SELECT name FROM account EXCEPT SELECT fullname FROM contact ORDER BY name', dialect);
      expect(q).toMatchObject({ kind: 'setop', op: 'EXCEPT', orderBy: [{ expr: { kind: 'column', name: 'name' } }] });
      expect(shape(q)).toBe('(account EXCEPT contact)');
      expect(shape(query('SELECT name FROM account INTERSECT SELECT fullname FROM contact', dialect))).toBe('(account INTERSECT contact)');
    });

    it(`${dialect}: INTERSECT binds tighter than UNION and EXCEPT, which go left to right`, () => {
      expect(shape(query('SELECT a FROM t1 UNION SELECT a FROM t2 INTERSECT SELECT a FROM t3', dialect))).toBe('(t1 UNION (t2 INTERSECT t3))');
      expect(shape(query('SELECT a FROM t1 INTERSECT SELECT a FROM t2 EXCEPT SELECT a FROM t3 UNION ALL SELECT a FROM t4', dialect)))
        .toBe('(((t1 INTERSECT t2) EXCEPT t3) UNION ALL t4)');
    });

    it(`${dialect}: WITH cte (a, b) AS … names the columns`, () => {
      const q = query('WITH c (a, b) AS (SELECT name, revenue FROM account) SELECT a FROM c', dialect);
      expect(q.with).toMatchObject([{ name: 'c', columns: ['a', 'b'] }]);
    });

    it(`${dialect}: SUM(DISTINCT x) and AVG(DISTINCT x) are distinct aggregates`, () => {
      const q = query('SELECT SUM(DISTINCT revenue) AS s, AVG(DISTINCT numberofemployees), COUNT(DISTINCT name) FROM account', dialect);
      expect(q.kind === 'select' && q.columns.map((c) => c.expr)).toEqual([
        { kind: 'function', name: 'SUM', args: [{ kind: 'column', name: 'revenue' }], distinct: true, star: false },
        { kind: 'function', name: 'AVG', args: [{ kind: 'column', name: 'numberofemployees' }], distinct: true, star: false },
        { kind: 'function', name: 'COUNT', args: [{ kind: 'column', name: 'name' }], distinct: true, star: false },
      ]);
    });
  }

  it('T-SQL: CTEs of the first part and parameters in order', () => {
    const parsed = parseSql('WITH x AS (SELECT name FROM account WHERE revenue > @a) SELECT name FROM x EXCEPT SELECT name FROM x WHERE name = @b');
    expect(parsed.params).toEqual(['a', 'b']);
    expect(parsed.statement.query.with).toMatchObject([{ name: 'x' }]);
  });

  it('the reserved prefix of the DISTINCT rewrite cannot be written by a user', () => {
    expect(() => parseSql('SELECT __DYNASQL_DISTINCT_SUM(x) FROM t')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
  });
});
