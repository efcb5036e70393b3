/**
 * The rules that carry an outer condition into a derived table, a CTE or a UNION (src/pushdown/rules/):
 * each where it applies and each case where it must not (the rows would change).
 */
import { describe, expect, it } from 'vitest';
import { bindQuery } from '../../src/bind/index.js';
import type { Expr, Query, Select, SetOperation } from '../../src/plan/index.js';
import { parseSql } from '../../src/sql/index.js';
import { outputNames, outputPredicate, sameForEqualValues, type OutputPredicate } from '../../src/pushdown/rules/output-predicate.js';
import { singleReferenceCtes } from '../../src/pushdown/rules/single-reference-cte.js';
import { throughSelect } from '../../src/pushdown/rules/through-select.js';
import { throughSetOperation } from '../../src/pushdown/rules/through-set-operation.js';
import { fixtureCatalog } from '../translate/translate.js';

function bind(sql: string): Query {
  return bindQuery(parseSql(sql).statement.query, { catalog: fixtureCatalog('dataverse') }).query;
}

/** `SELECT * FROM (<inner>) d WHERE <condition>` bound: the inner query and the condition on its outputs */
function derived(inner: string, condition: string): { inner: Query; predicate: OutputPredicate } {
  const outer = bind(`SELECT * FROM (${inner}) d WHERE ${condition}`) as Select;
  if (outer.from?.kind !== 'derived') throw new Error('no derived table');
  const predicate = outputPredicate(outer.where!, 'd', outputNames(outer.from.query)!);
  if (!predicate) throw new Error('no predicate');
  return { inner: outer.from.query, predicate };
}

/** the condition's text, enough to see what it reads: `name = 'x'` */
function text(e: Expr): string {
  switch (e.kind) {
    case 'column': return e.scanId !== undefined ? `#${e.scanId}.${e.name}` : `${e.qualifier}.${e.name}`;
    case 'literal': return `'${String(e.value)}'`;
    case 'binary': return `${text(e.left)} ${e.op} ${text(e.right)}`;
    case 'like': return `${text(e.expr)} LIKE ${text(e.pattern)}`;
    default: return e.kind;
  }
}

describe('outputPredicate', () => {
  it('names the outputs a condition reads', () => {
    const { predicate } = derived('SELECT accountid, name FROM account', "d.name = 'x'");
    expect([...predicate.slots.values()]).toEqual([1]);
  });

  it('is undefined for a condition that reads another source, or a subquery', () => {
    const outer = bind("SELECT * FROM (SELECT name FROM account) d JOIN contact c ON c.fullname = d.name WHERE d.name = c.lastname") as Select;
    const inner = outer.from?.kind === 'join' && outer.from.left.kind === 'derived' ? outer.from.left.query : undefined;
    expect(outputPredicate(outer.where!, 'd', outputNames(inner!)!)).toBeUndefined();
    const withSubquery = bind('SELECT * FROM (SELECT name FROM account) d WHERE d.name IN (SELECT fullname FROM contact)') as Select;
    expect(outputPredicate(withSubquery.where!, 'd', ['name'])).toBeUndefined();
  });

  it('is undefined when the source has the output name twice', () => {
    const outer = bind("SELECT * FROM (SELECT name FROM account) d WHERE d.name = 'x'") as Select;
    expect(outputPredicate(outer.where!, 'd', ['name', 'NAME'])).toBeUndefined();
  });
});

describe('sameForEqualValues', () => {
  const stable = (condition: string) => sameForEqualValues(derived('SELECT name, revenue FROM account', condition).predicate);
  it('holds for comparisons, IN, BETWEEN and IS NULL with constants, and their AND / OR / NOT', () => {
    expect(stable("d.name = 'mark' OR d.name IS NULL")).toBe(true);
    expect(stable("NOT (d.name IN ('a', 'b'))")).toBe(true);
    expect(stable('d.revenue BETWEEN 1 AND 2')).toBe(true);
  });
  it('does not hold for LIKE (trailing blanks count) or a function of the value', () => {
    expect(stable("d.name LIKE 'M%'")).toBe(false);
    expect(stable('LEN(d.name) = 4')).toBe(false);
  });
});

describe('throughSelect', () => {
  const through = (inner: string, condition: string) => {
    const { inner: block, predicate } = derived(inner, condition);
    return throughSelect(predicate, block as Select);
  };

  it('gives the condition on the block\'s scan', () => {
    const result = through('SELECT accountid, name FROM account', "d.name = 'Data8'");
    expect(result.ok && text(result.condition)).toBe("#1.name = 'Data8'");
  });

  it('follows an alias and a * to the scan column', () => {
    const aliased = through('SELECT name AS n FROM account', "d.n LIKE 'A%'");
    expect(aliased.ok && text(aliased.condition)).toBe("#1.name LIKE 'A%'");
    const starred = through('SELECT * FROM contact', "d.lastname = 'C'");
    expect(starred.ok && text(starred.condition)).toBe("#1.lastname = 'C'");
  });

  it('passes an equality below DISTINCT and a grouping column\'s condition below GROUP BY', () => {
    expect(through('SELECT DISTINCT name FROM account', "d.name = 'x'").ok).toBe(true);
    expect(through('SELECT name, COUNT(*) AS n FROM account GROUP BY name', "d.name = 'x'").ok).toBe(true);
  });

  it('does not apply below TOP or OFFSET', () => {
    expect(through('SELECT TOP 5 name FROM account', "d.name = 'x'").ok).toBe(false);
    expect(through('SELECT name FROM account ORDER BY name OFFSET 2 ROWS', "d.name = 'x'").ok).toBe(false);
  });

  it('does not apply into a block with a window function', () => {
    expect(through('SELECT name, ROW_NUMBER() OVER (ORDER BY name) AS rn FROM account', "d.name = 'x'").ok).toBe(false);
  });

  it('does not apply to an aggregate, or to a block that aggregates everything into one row', () => {
    expect(through('SELECT name, COUNT(*) AS n FROM account GROUP BY name', 'd.n > 1').ok).toBe(false);
    expect(through('SELECT MAX(name) AS name FROM account', "d.name = 'x'").ok).toBe(false);
  });

  it('does not apply to a condition that can tell equal values apart below DISTINCT or GROUP BY', () => {
    expect(through('SELECT DISTINCT name FROM account', "d.name LIKE 'x%'").ok).toBe(false);
    expect(through('SELECT name FROM account GROUP BY name', "d.name LIKE 'x%'").ok).toBe(false);
  });

  it('does not apply to a computed output, deterministic or not', () => {
    expect(through('SELECT revenue * 2 AS r2 FROM account', 'd.r2 > 5').ok).toBe(false);
    expect(through('SELECT NEWID() AS g, name FROM account', "d.g = '00000000-0000-0000-0000-000000000000'").ok).toBe(false);
  });
});

describe('throughSetOperation', () => {
  const through = (inner: string, condition: string) => {
    const { inner: setop, predicate } = derived(inner, condition);
    return throughSetOperation(predicate, setop as SetOperation);
  };

  it('gives both sides of UNION ALL the condition, and of UNION an equality', () => {
    expect(through('SELECT name FROM account UNION ALL SELECT fullname FROM contact', "d.name LIKE 'A%'").ok).toBe(true);
    expect(through('SELECT name FROM account UNION SELECT fullname FROM contact', "d.name = 'A'").ok).toBe(true);
  });

  it('does not apply to EXCEPT or INTERSECT', () => {
    expect(through('SELECT name FROM account EXCEPT SELECT fullname FROM contact', "d.name = 'A'").ok).toBe(false);
    expect(through('SELECT name FROM account INTERSECT SELECT fullname FROM contact', "d.name = 'A'").ok).toBe(false);
  });

  it('does not apply to UNION with a condition that can tell equal values apart', () => {
    expect(through('SELECT name FROM account UNION SELECT fullname FROM contact', "d.name LIKE 'A%'").ok).toBe(false);
  });

  it('does not apply when a side converts the column', () => {
    expect(through('SELECT statecode AS s FROM account UNION ALL SELECT 1.5 FROM contact', 'd.s = 1').ok).toBe(false);
  });
});

describe('singleReferenceCtes', () => {
  it('holds a CTE read once, also from a subquery', () => {
    expect([...singleReferenceCtes(bind('WITH c AS (SELECT name FROM account) SELECT * FROM c'))]).toEqual(['c']);
    expect([...singleReferenceCtes(bind('WITH c AS (SELECT name FROM account) SELECT fullname FROM contact WHERE fullname IN (SELECT name FROM c)'))]).toEqual(['c']);
  });

  it('does not hold a CTE read twice, or a recursive one', () => {
    expect(singleReferenceCtes(bind('WITH c AS (SELECT name FROM account) SELECT x.name FROM c x JOIN c y ON x.name = y.name')).size).toBe(0);
    expect(singleReferenceCtes(bind('WITH r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r')).size).toBe(0);
  });
});
