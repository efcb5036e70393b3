/**
 * The semi-join rules (src/pushdown/semi-join.ts, rules/scalar-subquery-by-key.ts) as pure
 * functions: where they apply, and the cases where they must not (the rows would change).
 */
import { describe, expect, it } from 'vitest';
import { bindQuery } from '../../src/bind/index.js';
import { capabilitiesFor } from '../../src/capabilities/index.js';
import { serializeFilter } from '../../src/odata/index.js';
import type { BoundQuery, Select } from '../../src/plan/index.js';
import { scalarSubqueryByKey } from '../../src/pushdown/rules/scalar-subquery-by-key.js';
import { navigationSemiJoin } from '../../src/pushdown/semi-join.js';
import { parseSql } from '../../src/sql/index.js';
import { fixtureCatalog } from '../translate/translate.js';

function bind(sql: string, edition: 'dataverse' | 'finops' = 'dataverse'): BoundQuery {
  return bindQuery(parseSql(sql).statement.query, { catalog: fixtureCatalog(edition) });
}

/** the filter the WHERE of `sql` (one conjunct) becomes, or why it does not */
function semiJoin(sql: string, edition: 'dataverse' | 'finops' = 'dataverse'): string {
  const bound = bind(sql, edition);
  const block = bound.query as Select;
  const outer = bound.scans.find((s) => block.from?.kind === 'scan' && s.id === block.from.scanId)!;
  const result = navigationSemiJoin(block.where!, outer, bound.scans, capabilitiesFor(fixtureCatalog(edition)), new Map());
  return typeof result === 'string' ? `no: ${result}` : serializeFilter(result.filter);
}

describe('navigationSemiJoin', () => {
  it('EXISTS / IN over a collection-valued navigation property: any()', () => {
    expect(semiJoin("SELECT name FROM account a WHERE EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid AND c.firstname = 'Mark')"))
      .toBe("contact_customer_accounts/any(x:x/firstname eq 'Mark')");
    expect(semiJoin("SELECT name FROM account a WHERE a.accountid IN (SELECT c.parentcustomerid FROM contact c WHERE c.firstname = 'Mark')"))
      .toBe("contact_customer_accounts/any(x:x/firstname eq 'Mark')");
    expect(semiJoin('SELECT name FROM account a WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE a.accountid = c.parentcustomerid)'))
      .toBe('not (contact_customer_accounts/any())');
  });

  it('IN over a lookup: its path, guarded by the related row existing', () => {
    expect(semiJoin("SELECT name FROM account WHERE primarycontactid IN (SELECT contactid FROM contact WHERE firstname = 'Mark')"))
      .toBe("primarycontactid/contactid ne null and primarycontactid/firstname eq 'Mark'");
  });

  it('does not apply to NOT IN (NULLs anywhere in the list decide)', () => {
    expect(semiJoin('SELECT name FROM account a WHERE a.accountid NOT IN (SELECT c.parentcustomerid FROM contact c)')).toMatch(/^no: NOT IN/);
    expect(semiJoin('SELECT name FROM account a WHERE NOT (a.accountid IN (SELECT c.parentcustomerid FROM contact c))')).toMatch(/^no: NOT IN/);
  });

  it('does not apply when the subquery rows are not its table filtered', () => {
    expect(semiJoin('SELECT name FROM account a WHERE a.accountid IN (SELECT TOP 1 c.parentcustomerid FROM contact c)')).toMatch(/^no: /);
    expect(semiJoin('SELECT name FROM account a WHERE EXISTS (SELECT MAX(c.fullname) FROM contact c WHERE c.parentcustomerid = a.accountid)')).toMatch(/^no: /);
    expect(semiJoin('SELECT name FROM account a WHERE a.accountid IN (SELECT c.parentcustomerid FROM contact c GROUP BY c.parentcustomerid)')).toMatch(/^no: /);
    expect(semiJoin('SELECT name FROM account a WHERE EXISTS (SELECT 1 FROM contact c JOIN account b ON b.accountid = c.parentcustomerid WHERE c.parentcustomerid = a.accountid)')).toMatch(/^no: /);
  });

  it('does not apply without a relationship, or with a condition on the outer row', () => {
    expect(semiJoin('SELECT name FROM account a WHERE EXISTS (SELECT 1 FROM contact c WHERE c.firstname = a.name)')).toMatch(/^no: /);
    expect(semiJoin('SELECT name FROM account a WHERE EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid AND c.lastname = a.name)')).toMatch(/^no: /);
    expect(semiJoin('SELECT name FROM account a WHERE a.name IN (SELECT c.firstname FROM contact c)')).toMatch(/^no: /);
  });

  it('does not apply on an edition without navigation filters (F&O)', () => {
    expect(semiJoin("SELECT OrganizationName FROM CustomersV3 c WHERE EXISTS (SELECT 1 FROM CustomersV3 d WHERE d.CustomerAccount = c.CustomerAccount)", 'finops')).toMatch(/^no: finops/);
  });
});

describe('scalarSubqueryByKey', () => {
  const after = (sql: string): Select => {
    const bound = bind(sql);
    return scalarSubqueryByKey(bound.query, bound.scans) as Select;
  };

  it('joins the table on its key under a fresh alias, keeping the output name', () => {
    const block = after('SELECT a.name, (SELECT c.fullname FROM contact c WHERE c.contactid = a.primarycontactid) FROM account a');
    expect(block.from?.kind).toBe('join');
    const join = block.from as Extract<Select['from'], { kind: 'join' }>;
    expect(join.type).toBe('LEFT');
    expect(join.right).toMatchObject({ kind: 'scan', alias: expect.stringMatching(/^__sq\d+$/) });
    expect(block.columns[1]).toMatchObject({ alias: 'column2', expr: { kind: 'column', name: 'fullname', qualifier: (join.right as { alias: string }).alias } });
  });

  it('does not apply when more than one row could match, the subquery aggregates, or the block groups', () => {
    for (const sql of [
      'SELECT a.name, (SELECT c.fullname FROM contact c WHERE c.parentcustomerid = a.accountid) AS x FROM account a',
      'SELECT a.name, (SELECT MAX(c.fullname) FROM contact c WHERE c.contactid = a.primarycontactid) AS x FROM account a',
      'SELECT a.name, (SELECT TOP 1 c.fullname FROM contact c WHERE c.contactid = a.primarycontactid ORDER BY c.fullname) AS x FROM account a',
      'SELECT a.primarycontactid, (SELECT c.fullname FROM contact c WHERE c.contactid = a.primarycontactid) AS x, COUNT(*) AS n FROM account a GROUP BY a.primarycontactid',
    ]) {
      expect(after(sql).from?.kind, sql).toBe('scan');
    }
  });
});
