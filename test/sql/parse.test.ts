/** sql/: both dialects into one AST, placeholders, EXPLAIN, syntax errors with line and column. */
import { describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { parseSql } from '../../src/sql/index.js';
import type { Select } from '../../src/sql/index.js';

function select(sql: string, dialect: 'tsql' | 'postgresql' = 'tsql'): Select {
  const { statement } = parseSql(sql, dialect);
  if (statement.query.kind !== 'select') throw new Error('not a select');
  return statement.query;
}

function syntaxError(sql: string, dialect: 'tsql' | 'postgresql' = 'tsql'): DynasqlError {
  try {
    parseSql(sql, dialect);
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parseSql', () => {
  it('normalises T-SQL and PostgreSQL into the same shape', () => {
    const tsql = select('SELECT TOP 5 [name] FROM dbo.account a WHERE a.revenue > 10 ORDER BY name DESC');
    const pg = select('SELECT "name" FROM dbo.account a WHERE a.revenue > 10 ORDER BY name DESC LIMIT 5', 'postgresql');
    expect(pg).toEqual(tsql);
    expect(tsql.from).toEqual({ kind: 'table', schema: 'dbo', name: 'account', alias: 'a' });
    expect(tsql.limit).toEqual({ kind: 'literal', type: 'number', value: '5' });
  });

  it('reads a bare "name" in T-SQL as an identifier (QUOTED_IDENTIFIER ON)', () => {
    expect(select('SELECT "full name" FROM t').columns[0]!.expr).toEqual({ kind: 'column', name: 'full name' });
  });

  it('keeps number text exactly and undoubles quotes in strings', () => {
    const s = select("SELECT 12345678901234567890.123456789 AS n, N'it''s' AS s FROM t");
    expect(s.columns.map((c) => c.expr)).toEqual([
      { kind: 'literal', type: 'number', value: '12345678901234567890.123456789' },
      { kind: 'literal', type: 'string', value: "it's", national: true },
    ]);
  });

  it('turns @name, $1 and ? into parameters, in order of appearance', () => {
    expect(parseSql('SELECT a FROM t WHERE a = @x AND b = @y AND c = @x').params).toEqual(['x', 'y']);
    expect(parseSql('SELECT a FROM t WHERE a = $2 AND b = $1', 'postgresql').params).toEqual([1, 0]);
    expect(parseSql("SELECT '?' AS q, [?] FROM t WHERE a = ? -- ?\n AND b = ? /* ? */").params).toEqual([0, 1]);
  });

  it('rejects mixing ? and $n', () => {
    expect(() => parseSql('SELECT a FROM t WHERE a = ? AND b = $1')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER' }));
  });

  it('reads TOP (@n) as a TOP clause (the parser takes it for a call)', () => {
    const s = select('SELECT TOP (@n) name FROM t');
    expect(s.limit).toEqual({ kind: 'param', ref: 'n' });
    expect(s.columns).toEqual([{ expr: { kind: 'column', name: 'name' } }]);
  });

  it('recognises EXPLAIN', () => {
    expect(parseSql('EXPLAIN SELECT a FROM t').statement.kind).toBe('explain');
  });

  it('reports syntax errors with line and column', () => {
    const error = syntaxError('SELECT a\nFROM t\nWHERE a = = 2');
    expect(error.code).toBe('DYNASQL_ERR_SYNTAX');
    expect(error.position).toEqual({ offset: 26, line: 3, column: 11 });
    expect(error.message).toBe("Syntax error at line 3, column 11: unexpected '='");
  });

  it('reports positions in the text the user wrote, before ? and EXPLAIN were rewritten', () => {
    const error = syntaxError('EXPLAIN SELECT a FROM t WHERE a = ? AND b = ? AND = 1');
    expect(error.position).toMatchObject({ line: 1, column: 51 });
  });

  it('rejects several statements and non-SELECT statements clearly', () => {
    expect(() => parseSql('SELECT 1; SELECT 2')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
    expect(() => parseSql('DROP TABLE account')).toThrow(DynasqlError);
  });

  it('normalises joins, CTEs and set operations', () => {
    const { statement } = parseSql('WITH x AS (SELECT a FROM t) SELECT a FROM x LEFT JOIN u ON u.a = x.a UNION ALL SELECT b FROM v ORDER BY 1');
    const q = statement.query;
    expect(q.kind).toBe('setop');
    if (q.kind !== 'setop') return;
    expect(q.with.map((c) => c.name)).toEqual(['x']);
    expect(q.orderBy).toHaveLength(1);
    expect(q.left.kind === 'select' && q.left.from?.kind).toBe('join');
  });

  it('caches by dialect and text', () => {
    expect(parseSql('SELECT a FROM t')).toBe(parseSql('SELECT a FROM t'));
    expect(parseSql('SELECT a FROM t', 'postgresql')).not.toBe(parseSql('SELECT a FROM t'));
  });
});

describe('window frames', () => {
  it('keeps ROWS / RANGE frames as checked text', () => {
    const frameOf = (sql: string) => {
      const expr = select(sql).columns[0]!.expr;
      return expr.kind === 'function' ? expr.over?.frame : undefined;
    };
    expect(frameOf('SELECT SUM(x) OVER (ORDER BY y ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t')).toBe('ROWS BETWEEN 1 PRECEDING AND CURRENT ROW');
    expect(frameOf('SELECT SUM(x) OVER (ORDER BY y ROWS UNBOUNDED PRECEDING) AS s FROM t')).toBe('ROWS UNBOUNDED PRECEDING');
  });
});
