/**
 * The rule that lets the aggregates of an ungrouped SELECT be computed apart
 * (src/pushdown/rules/independent-aggregates.ts): where it applies, each precondition that stops it,
 * and the parts it makes (the same table and WHERE, the chosen select items).
 */
import { describe, expect, it } from 'vitest';
import { bindQuery } from '../../src/bind/index.js';
import type { BoundQuery, Select } from '../../src/plan/index.js';
import { parseSql } from '../../src/sql/index.js';
import { aggregatePart, independentAggregates } from '../../src/pushdown/rules/independent-aggregates.js';
import { fixtureCatalog } from '../translate/translate.js';

function bind(sql: string): BoundQuery {
  return bindQuery(parseSql(sql).statement.query, { catalog: fixtureCatalog('dataverse') });
}

function reason(sql: string): string | undefined {
  const found = independentAggregates(bind(sql));
  return typeof found === 'string' ? found : undefined;
}

describe('independentAggregates', () => {
  it("applies to issue 18's ungrouped aggregates, with or without a WHERE", () => {
    expect(reason('SELECT count(*), count(name), count(DISTINCT name), max(name), min(name), avg(numberofemployees) FROM account')).toBeUndefined();
    expect(reason("SELECT count(DISTINCT name) AS n, max(name) AS m FROM account WHERE statecode = 0 AND name LIKE 'A%'")).toBeUndefined();
    // an expression over one aggregate is still one value of the same rows
    expect(reason("SELECT count(*) + 1, ISNULL(max(name), '') FROM account")).toBeUndefined();
  });

  it('does not apply to a grouped statement, nor with HAVING', () => {
    expect(reason('SELECT industrycode, count(*), max(name) FROM account GROUP BY industrycode')).toBe('the statement groups (GROUP BY)');
    expect(reason('SELECT count(DISTINCT name), max(name) FROM account HAVING count(*) > 1')).toBe('HAVING filters the row by values the parts compute apart');
  });

  it('does not apply with DISTINCT, ORDER BY, TOP or OFFSET over the row', () => {
    const over = 'DISTINCT, ORDER BY, TOP or OFFSET over the row';
    expect(reason('SELECT DISTINCT count(DISTINCT name), max(name) FROM account')).toBe(over);
    expect(reason('SELECT TOP 0 count(DISTINCT name), max(name) FROM account')).toBe(over);
    expect(reason('SELECT count(DISTINCT name) AS n, max(name) FROM account ORDER BY n')).toBe(over);
  });

  it('does not apply to a join, a derived table, a CTE or a subquery (a part would read them again)', () => {
    const more = 'the statement reads more than one table, a derived table or a subquery';
    expect(reason('SELECT count(DISTINCT a.name), max(c.fullname) FROM account a JOIN contact c ON c.parentcustomerid = a.accountid')).toBe(more);
    expect(reason('SELECT count(DISTINCT name), max(name) FROM (SELECT name FROM account) d')).toBe(more);
    expect(reason("SELECT count(DISTINCT name), max(name) FROM account WHERE primarycontactid IN (SELECT contactid FROM contact WHERE firstname = 'Mark')")).toBe(more);
    expect(reason('WITH c AS (SELECT name FROM account) SELECT count(DISTINCT name), max(name) FROM account')).toBe('the statement has a WITH');
  });

  it('does not apply when a select item is not one aggregate of the table', () => {
    expect(reason('SELECT 1, max(name) FROM account')).toBe('a select item is not an aggregate of the table');
    expect(reason('SELECT count(DISTINCT name), max(name) + min(name) FROM account')).toBe('a select item combines several aggregates');
    expect(reason('SELECT count(*) OVER (), max(name) FROM account')).toBe('a select item is not an aggregate of the table');
  });

  it('does not apply to one select item (nothing to split)', () => {
    expect(reason('SELECT count(DISTINCT name) FROM account')).toBe('one select item');
  });

  it('makes parts of the chosen items over the same table and WHERE', () => {
    const bound = bind("SELECT count(DISTINCT name) AS n, max(name) AS m, min(name) AS f FROM account WHERE statecode = 0");
    const found = independentAggregates(bound);
    if (typeof found === 'string') throw new Error(found);
    const part = aggregatePart(bound, found, [2, 0]);
    const block = part.query as Select;
    const whole = bound.query as Select;
    expect(part.outputNames).toEqual(['f', 'n']);
    expect(block.columns).toEqual([whole.columns[2], whole.columns[0]]);
    expect(block.outputTypes).toEqual([whole.outputTypes[2], whole.outputTypes[0]]);
    expect(block.where).toBe(whole.where);
    expect(block.from).toBe(whole.from);
    expect(part.scans).toBe(bound.scans);
  });
});
