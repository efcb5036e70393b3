/**
 * EXISTS / IN answered through a navigation property (src/pushdown/semi-join.ts): one request, the
 * subquery's table not read, and the same rows as with push-down off, including where SQL's NULLs
 * decide (an account without a primary contact, contacts without a parent).
 */
import { describe, expect, it } from 'vitest';
import { both, local, usePushedAndLocal } from './pushed-and-local.js';
import { asMultiset } from './compare-rows.js';

usePushedAndLocal();

describe('semi-joins through navigation properties', () => {
  it("issue 18's IN (SELECT contactid …): one request through primarycontactid", async () => {
    const mark = (await local.query('SELECT TOP 1 c.firstname FROM account a JOIN contact c ON c.contactid = a.primarycontactid WHERE c.firstname IS NOT NULL ORDER BY c.firstname')).rows[0]!.firstname as string;
    const sql = `SELECT name FROM account WHERE primarycontactid IN (SELECT contactid FROM contact WHERE firstname = '${mark.replace(/'/g, "''")}')`;
    const { rows, expected, sent } = await both(sql);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^accounts\?\$select=name&\$filter=primarycontactid\/contactid ne null and primarycontactid\/firstname eq /);
    expect(rows.length).toBeGreaterThan(0);
    expect(asMultiset(rows)).toEqual(asMultiset(expected));
  });

  it('a condition true of a missing contact does not match an account without one', async () => {
    const sql = 'SELECT name FROM account a WHERE EXISTS (SELECT 1 FROM contact c WHERE c.contactid = a.primarycontactid AND c.lastname IS NULL)';
    const { rows, expected, sent } = await both(sql);
    expect(sent).toEqual(['accounts?$select=name&$filter=primarycontactid/contactid ne null and primarycontactid/lastname eq null']);
    expect(asMultiset(rows)).toEqual(asMultiset(expected));
    const without = (await local.query('SELECT COUNT(*) AS n FROM account WHERE primarycontactid IS NULL')).rows[0]!.n as number;
    expect(without).toBeGreaterThan(0);
  });

  it('NOT EXISTS through the lookup keeps the accounts without a primary contact', async () => {
    const sql = "SELECT name FROM account a WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.contactid = a.primarycontactid AND c.lastname LIKE '%a%')";
    const { rows, expected, sent } = await both(sql);
    expect(sent).toEqual(["accounts?$select=name&$filter=not (primarycontactid/contactid ne null and contains(primarycontactid/lastname,'a'))"]);
    expect(rows.length).toBeGreaterThan(0);
    expect(asMultiset(rows)).toEqual(asMultiset(expected));
  });

  it('EXISTS and NOT EXISTS over the contacts of an account: any()', async () => {
    for (const negation of ['', 'NOT ']) {
      const sql = `SELECT name FROM account a WHERE ${negation}EXISTS (SELECT * FROM contact c WHERE c.parentcustomerid = a.accountid AND c.lastname <> 'Smith')`;
      const { rows, expected, sent } = await both(sql);
      const any = "contact_customer_accounts/any(x:x/lastname ne 'Smith' and x/lastname ne null)";
      expect(sent).toEqual([`accounts?$select=name&$filter=${negation ? `not (${any})` : any}`]);
      expect(rows.length).toBeGreaterThan(0);
      expect(asMultiset(rows)).toEqual(asMultiset(expected));
    }
  });

  it('the key IN the subquery of a lookup, with TOP and ORDER BY sent along', async () => {
    const sql = "SELECT TOP 5 name, accountid FROM account WHERE accountid IN (SELECT parentcustomerid FROM contact WHERE lastname LIKE 'C%' OR firstname LIKE '%e%') ORDER BY name, accountid";
    const { rows, expected, sent } = await both(sql);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('&$orderby=name,accountid&$top=5');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(expected);
  });

  it('NOT IN stays local: a NULL among the subquery values empties the result', async () => {
    const sql = 'SELECT name FROM account WHERE accountid NOT IN (SELECT parentcustomerid FROM contact)';
    const { rows, expected, sent } = await both(sql);
    expect(sent).toHaveLength(2);
    expect(rows).toEqual([]);
    expect(expected).toEqual([]);
  });
});

describe('a scalar subquery by key in the select list (rules/scalar-subquery-by-key.ts)', () => {
  it('is read by $expand, with the same values (NULL where there is no contact or it is filtered out)', async () => {
    for (const sql of [
      'SELECT a.accountid, (SELECT c.fullname FROM contact c WHERE c.contactid = a.primarycontactid) AS pc FROM account a',
      "SELECT a.accountid, (SELECT c.fullname FROM contact c WHERE c.contactid = a.primarycontactid AND c.lastname LIKE '%a%') AS pc FROM account a",
    ]) {
      const { rows, expected, sent } = await both(sql);
      expect(sent.some((url) => url.startsWith('contacts') && !url.includes('$filter'))).toBe(false);
      expect(rows.some((r) => r.pc === null)).toBe(true);
      expect(rows.some((r) => r.pc !== null)).toBe(true);
      expect(asMultiset(rows)).toEqual(asMultiset(expected));
    }
  });
});
