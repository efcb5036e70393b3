/**
 * The rules that leave out select items nothing reads (src/pushdown/rules/exists-reads-no-columns.ts,
 * unused-outputs.ts): where they apply, and the cases where they must not (the rows would change).
 */
import { describe, expect, it } from 'vitest';
import { bindQuery } from '../../src/bind/index.js';
import type { Query, Select } from '../../src/plan/index.js';
import { parseSql } from '../../src/sql/index.js';
import { existsReadsNoColumns } from '../../src/pushdown/rules/exists-reads-no-columns.js';
import { outputNames } from '../../src/pushdown/rules/output-predicate.js';
import { pruneUnusedOutputs } from '../../src/pushdown/rules/unused-outputs.js';
import { fixtureCatalog } from '../translate/translate.js';

function bind(sql: string): Query {
  return bindQuery(parseSql(sql).statement.query, { catalog: fixtureCatalog('dataverse') }).query;
}

/** the EXISTS subquery of the statement's WHERE, after the rule */
function existsAfter(sql: string): Select {
  const where = (existsReadsNoColumns(bind(sql)) as Select).where!;
  const exists = where.kind === 'unary' ? where.operand : where;
  if (exists.kind !== 'exists' || exists.query.kind !== 'select') throw new Error('no EXISTS');
  return exists.query;
}

/** the output names of the statement's first derived table, after the rule */
function derivedNamesAfter(sql: string): string[] | undefined {
  const outer = pruneUnusedOutputs(bind(sql)) as Select;
  return outer.from?.kind === 'derived' ? outputNames(outer.from.query) : undefined;
}

describe('existsReadsNoColumns', () => {
  it('makes the select list of EXISTS and NOT EXISTS the constant 1', () => {
    const sub = existsAfter('SELECT name FROM account a WHERE EXISTS (SELECT * FROM contact c WHERE c.parentcustomerid = a.accountid)');
    expect(sub.columns.map((c) => c.expr.kind)).toEqual(['literal']);
    expect(existsAfter('SELECT name FROM account a WHERE NOT EXISTS (SELECT c.fullname, c.lastname FROM contact c)').columns).toHaveLength(1);
  });

  it('keeps an aggregate without GROUP BY (always one row) and HAVING', () => {
    const aggregate = existsAfter('SELECT name FROM account a WHERE EXISTS (SELECT MAX(c.fullname) FROM contact c WHERE 1 = 0)');
    expect(aggregate.columns[0]!.expr.kind).toBe('function');
    const having = existsAfter('SELECT name FROM account a WHERE EXISTS (SELECT c.lastname FROM contact c GROUP BY c.lastname HAVING COUNT(*) > 1)');
    expect(having.columns[0]!.expr.kind).toBe('column');
  });

  it('keeps a list ORDER BY names by position', () => {
    const ordered = existsAfter('SELECT name FROM account a WHERE EXISTS (SELECT TOP 1 c.lastname FROM contact c ORDER BY 1)');
    expect(ordered.columns[0]!.expr.kind).toBe('column');
  });

  it('leaves the statement as it is when there is no EXISTS', () => {
    const query = bind('SELECT name FROM account');
    expect(existsReadsNoColumns(query)).toBe(query);
  });
});

describe('pruneUnusedOutputs', () => {
  it('leaves out a derived table\'s columns nothing reads, keeping the names of the rest', () => {
    expect(derivedNamesAfter('SELECT COUNT(*) FROM (SELECT name, revenue * 2 AS r2 FROM account) g WHERE g.r2 > 1')).toEqual(['r2']);
    expect(derivedNamesAfter('SELECT g.column2 FROM (SELECT name, revenue * 2 FROM account) g')).toEqual(['column2']);
  });

  it('keeps one constant when nothing is read', () => {
    const outer = pruneUnusedOutputs(bind('SELECT COUNT(*) FROM (SELECT name, revenue FROM account) g')) as Select;
    const inner = outer.from?.kind === 'derived' ? (outer.from.query as Select) : undefined;
    expect(inner?.columns.map((c) => c.expr.kind)).toEqual(['literal']);
  });

  it('keeps every column a * reads, and a column a subquery reads', () => {
    expect(derivedNamesAfter('SELECT * FROM (SELECT name, revenue FROM account) g')).toEqual(['name', 'revenue']);
    expect(derivedNamesAfter('SELECT 1 AS one FROM (SELECT name, revenue FROM account) g WHERE EXISTS (SELECT 1 FROM contact c WHERE c.fullname = g.name)')).toEqual(['name']);
  });

  it('does not apply to DISTINCT, an aggregate without GROUP BY, a set operation or ORDER BY by position', () => {
    expect(derivedNamesAfter('SELECT COUNT(*) FROM (SELECT DISTINCT name, revenue FROM account) g')).toEqual(['name', 'revenue']);
    expect(derivedNamesAfter('SELECT COUNT(*) FROM (SELECT MIN(revenue) AS m, MAX(name) AS x FROM account) g')).toEqual(['m', 'x']);
    expect(derivedNamesAfter('SELECT COUNT(*) FROM (SELECT name, revenue FROM account UNION ALL SELECT fullname, annualincome FROM contact) g')).toEqual(['name', 'revenue']);
    expect(derivedNamesAfter('SELECT g.name FROM (SELECT TOP 3 name, revenue FROM account ORDER BY 2) g')).toEqual(['name', 'revenue']);
  });

  it('leaves out a CTE\'s unread columns over all its references, not a CTE with a column list', () => {
    const twice = pruneUnusedOutputs(bind('WITH c AS (SELECT name, revenue, accountid FROM account) SELECT x.name, y.revenue FROM c x JOIN c y ON x.name = y.name'));
    expect(outputNames(twice.with[0]!.query)).toEqual(['name', 'revenue']);
    const listed = pruneUnusedOutputs(bind('WITH c (n, r) AS (SELECT name, revenue FROM account) SELECT n FROM c'));
    expect(outputNames(listed.with[0]!.query)).toEqual(['name', 'revenue']);
  });
});
