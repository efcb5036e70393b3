/**
 * A write changes exactly the rows its statement names (issue 23, writes): UPDATE … FROM resolves its
 * target by each dialect's rule, a key spelt twice is one row, keys named in a WHERE are a filter
 * (read first, so ATOMIC is not failed by a key that is not there), and outer joins in UPDATE … FROM
 * update the matched target rows. Each check compares the table afterwards with what was meant.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { writeFixture, type WriteFixture } from './helpers.js';

let f: WriteFixture;
beforeAll(async () => {
  f = await writeFixture();
});
afterAll(async () => {
  await f?.close();
});

const CITY = 'City Power & Light (sample)';
const CITY_ID = '5a69b88b-38ee-4aac-93a8-7bac75ac310a';

/** every account's description back to NULL, so each test starts from the same state */
beforeEach(async () => {
  await f.conn.query('UPDATE account SET description = NULL WHERE description IS NOT NULL');
});

async function described(value: string): Promise<string[]> {
  const r = await f.conn.query('SELECT accountid FROM account WHERE description = @v', { v: value });
  return r.rows.map((row) => String(row.accountid)).sort();
}

async function failure(promise: Promise<unknown>): Promise<DynasqlError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DynasqlError);
  return error as DynasqlError;
}

describe('UPDATE … FROM: which reference is the target (T-SQL)', () => {
  it('the target named once in FROM under an alias is that reference: 1 row, not every row', async () => {
    expect((await f.conn.query('SELECT accountid FROM account WHERE name = @n', { n: CITY })).rows).toEqual([{ accountid: CITY_ID }]);
    const r = await f.conn.query("UPDATE account SET description = 'x' FROM account a WHERE a.name = 'City Power & Light (sample)'");
    expect(r.rowCount).toBe(1);
    expect(await described('x')).toEqual([CITY_ID]);
  });

  it('the same with a JOIN added', async () => {
    const r = await f.conn.query("UPDATE account SET description = 'x' FROM account a JOIN contact c ON c.parentcustomerid = a.accountid WHERE a.name = 'City Power & Light (sample)'");
    expect(r.rowCount).toBe(1);
    expect(await described('x')).toEqual([CITY_ID]);
  });

  it('the target may name the alias', async () => {
    const r = await f.conn.query("UPDATE a SET description = 'x' FROM account a WHERE a.name = 'City Power & Light (sample)'");
    expect(r.rowCount).toBe(1);
    expect(await described('x')).toEqual([CITY_ID]);
  });

  it('appearing twice, the one unaliased reference is the target', async () => {
    const other = (await f.conn.query("SELECT TOP 1 accountid FROM account WHERE name <> 'City Power & Light (sample)' ORDER BY accountid")).rows[0]!.accountid;
    // `account` (unaliased) is the row joined to `b`, the other account; `b` is only read
    const r = await f.conn.query("UPDATE account SET description = 'x' FROM account JOIN account b ON b.accountid <> account.accountid WHERE account.name = 'City Power & Light (sample)' AND b.accountid = @other", { other });
    expect(r.rowCount).toBe(1);
    expect(await described('x')).toEqual([CITY_ID]);
  });

  it('appearing twice with no reference left unaliased, or twice unaliased, is ambiguous and refused before anything is read', async () => {
    await f.clearLog();
    const both = await failure(f.conn.query("UPDATE account SET description = 'x' FROM account a JOIN account b ON a.accountid = b.accountid WHERE a.name = 'City Power & Light (sample)'"));
    expect(both.code).toBe('DYNASQL_ERR_AMBIGUOUS_TABLE');
    expect(both.message).toMatch(/appears 2 times/);
    expect(await f.requests()).toEqual([]);
  });

  it('not in FROM, the target joins the FROM and the WHERE relates them', async () => {
    const r = await f.conn.query("UPDATE account SET description = 'x' FROM contact c WHERE c.parentcustomerid = account.accountid AND account.name = 'City Power & Light (sample)'");
    expect(r.rowCount).toBe(1);
    expect(await described('x')).toEqual([CITY_ID]);
  });
});

describe('UPDATE … FROM: the target is its own reference (PostgreSQL)', () => {
  it('the FROM repeating the target under an alias is a self-join: every target row matches', async () => {
    const all = Number((await f.conn.query('SELECT COUNT(*) AS n FROM account')).rows[0]!.n);
    const r = await f.conn.query("UPDATE account SET description = 'x' FROM account a WHERE a.name = 'City Power & Light (sample)'", [], { dialect: 'postgresql' });
    expect(r.rowCount).toBe(all);
  });

  it('the FROM joined to the target through the WHERE changes the matched rows', async () => {
    const r = await f.conn.query("UPDATE account t SET description = 'x' FROM account a WHERE a.accountid = t.accountid AND a.name = 'City Power & Light (sample)'", [], { dialect: 'postgresql' });
    expect(r.rowCount).toBe(1);
    expect(await described('x')).toEqual([CITY_ID]);
  });

  it('the FROM exposing the target\'s own name again is refused', async () => {
    const error = await failure(f.conn.query("UPDATE account SET description = 'x' FROM account WHERE account.name = 'City Power & Light (sample)'", [], { dialect: 'postgresql' }));
    expect(error.code).toBe('DYNASQL_ERR_AMBIGUOUS_TABLE');
    expect(await described('x')).toEqual([]);
  });
});

describe('T-SQL DELETE … FROM: the target is its reference in the FROM, by the same rules', () => {
  async function accountsNamed(prefix: string): Promise<string[]> {
    return (await f.conn.query('SELECT name FROM account WHERE name LIKE @p', { p: `${prefix}%` })).rows.map((r) => String(r.name)).sort();
  }

  it('DELETE a FROM account a deletes the row the WHERE names, and the target table named once under an alias is that reference', async () => {
    await f.conn.query("INSERT INTO account (name) VALUES ('del-from-1'), ('del-from-2'), ('del-from-3')");
    expect((await f.conn.query("DELETE a FROM account a WHERE a.name = 'del-from-1'")).rowCount).toBe(1);
    expect((await f.conn.query("DELETE account FROM account a WHERE a.name = 'del-from-2'")).rowCount).toBe(1);
    expect(await accountsNamed('del-from-')).toEqual(['del-from-3']);
  });

  it('with a JOIN, deletes the target rows the join matches', async () => {
    const parent = (await f.conn.query("INSERT INTO account (name) OUTPUT INSERTED.accountid VALUES ('del-join-parent'), ('del-join-other')")).rows[0]!.accountid;
    await f.conn.query('INSERT INTO contact (lastname, parentcustomerid) VALUES (@l, @p)', { l: 'del-join-child', p: `account(${String(parent)})` });
    const r = await f.conn.query("DELETE account FROM account JOIN contact c ON c.parentcustomerid = account.accountid WHERE c.lastname = 'del-join-child'");
    expect(r.rowCount).toBe(1);
    expect(await accountsNamed('del-join-')).toEqual(['del-join-other']);
  });

  it('an ambiguous target is refused before anything is read', async () => {
    await f.clearLog();
    const error = await failure(f.conn.query("DELETE account FROM account a JOIN account b ON a.accountid = b.accountid WHERE a.name = 'del-from-3'"));
    expect(error.code).toBe('DYNASQL_ERR_AMBIGUOUS_TABLE');
    expect(await f.requests()).toEqual([]);
    expect(await accountsNamed('del-from-')).toEqual(['del-from-3']);
  });
});

describe('PostgreSQL DELETE … USING: the target joined with the USING tables', () => {
  it('deletes the target rows the WHERE relates to the USING tables', async () => {
    const parent = (await f.conn.query("INSERT INTO account (name) OUTPUT INSERTED.accountid VALUES ('pg-using-parent'), ('pg-using-other')")).rows[0]!.accountid;
    await f.conn.query('INSERT INTO contact (lastname, parentcustomerid) VALUES (@l, @p)', { l: 'pg-using-child', p: `account(${String(parent)})` });
    const r = await f.conn.query("DELETE FROM account AS a USING contact c WHERE c.parentcustomerid = a.accountid AND c.lastname = 'pg-using-child'", [], { dialect: 'postgresql' });
    expect(r.rowCount).toBe(1);
    expect((await f.conn.query("SELECT name FROM account WHERE name LIKE 'pg-using-%'")).rows).toEqual([{ name: 'pg-using-other' }]);
  });

  it('USING that exposes the target\'s name again is refused; USING inside a subquery is left alone', async () => {
    const error = await failure(f.conn.query("DELETE FROM account USING account WHERE account.name = 'pg-using-other'", [], { dialect: 'postgresql' }));
    expect(error.code).toBe('DYNASQL_ERR_AMBIGUOUS_TABLE');
    // a JOIN … USING inside a subquery is not the DELETE's USING: it reaches the SELECT normalizer as written
    const inner = await failure(f.conn.query("DELETE FROM account a WHERE a.accountid IN (SELECT b.accountid FROM account b JOIN account b2 USING (accountid) WHERE b.name = 'pg-using-other')", [], { dialect: 'postgresql' }));
    expect(inner.message).toMatch(/JOIN … USING/);
    expect((await f.conn.query("SELECT name FROM account WHERE name LIKE 'pg-using-%'")).rows).toEqual([{ name: 'pg-using-other' }]);
  });
});

describe('a key spelt twice is one row', () => {
  const upper = CITY_ID.toUpperCase();
  it.each([
    ['case', `UPDATE account SET description = 'x' WHERE accountid IN ('${upper}', '${CITY_ID}')`],
    ['braces', `UPDATE account SET description = 'x' WHERE accountid IN ('{${upper}}', '${CITY_ID}')`],
    ['parameters', 'UPDATE account SET description = \'x\' WHERE accountid IN (@a, @b)'],
  ])('UPDATE by %s: rowCount 1', async (_, sql) => {
    const r = await f.conn.query(sql, { a: upper, b: `{${CITY_ID}}` });
    expect(r.rowCount).toBe(1);
    expect(await described('x')).toEqual([CITY_ID]);
  });
});

describe('keys in a WHERE are a filter', () => {
  it('DELETE … OPTION (ATOMIC) of an existing and a missing key deletes the existing one; so does it without ATOMIC', async () => {
    const ids = (await f.conn.query("INSERT INTO account (name) OUTPUT INSERTED.accountid VALUES ('filter-1'), ('filter-2')")).rows.map((r) => String(r.accountid));
    const missing = '00000000-0000-4000-8000-00000000dead';
    const atomic = await f.conn.query(`DELETE FROM account WHERE accountid IN ('${ids[0]}', '${missing}') OPTION (ATOMIC)`);
    expect(atomic.rowCount).toBe(1);
    const plain = await f.conn.query(`DELETE FROM account WHERE accountid IN ('${ids[1]}', '${missing}')`);
    expect(plain.rowCount).toBe(1);
    expect((await f.conn.query("SELECT COUNT(*) AS n FROM account WHERE name LIKE 'filter-%'")).rows[0]!.n).toBe(0);
  });

  it('UPDATE … OPTION (ATOMIC) of a missing key changes nothing and fails nothing', async () => {
    const r = await f.conn.query("UPDATE account SET description = 'x' WHERE accountid = '00000000-0000-4000-8000-00000000dead' OPTION (ATOMIC)");
    expect(r.rowCount).toBe(0);
  });
});

describe('outer joins in UPDATE … FROM update the matched target rows', () => {
  async function contactsMatching(join: string, where: string): Promise<string[]> {
    const r = await f.conn.query(`SELECT DISTINCT c.contactid FROM contact c ${join} account a ON c.parentcustomerid = a.accountid ${where}`);
    return r.rows.filter((row) => row.contactid !== null).map((row) => String(row.contactid)).sort();
  }
  async function titled(value: string): Promise<string[]> {
    return (await f.conn.query('SELECT contactid FROM contact WHERE jobtitle = @v', { v: value })).rows.map((r) => String(r.contactid)).sort();
  }

  it('RIGHT JOIN', async () => {
    const expected = await contactsMatching('RIGHT JOIN', "WHERE a.name LIKE 'C%'");
    expect(expected.length).toBeGreaterThan(0);
    const r = await f.conn.query("UPDATE c SET c.jobtitle = 'right-joined' FROM contact c RIGHT JOIN account a ON c.parentcustomerid = a.accountid WHERE a.name LIKE 'C%'");
    expect(r.rowCount).toBe(expected.length);
    expect(await titled('right-joined')).toEqual(expected);
  });

  it('FULL JOIN', async () => {
    const expected = await contactsMatching('FULL JOIN', "WHERE a.name LIKE 'A%' OR a.accountid IS NULL");
    expect(expected.length).toBeGreaterThan(0);
    const r = await f.conn.query("UPDATE c SET c.jobtitle = 'full-joined' FROM contact c FULL JOIN account a ON c.parentcustomerid = a.accountid WHERE a.name LIKE 'A%' OR a.accountid IS NULL");
    expect(r.rowCount).toBe(expected.length);
    expect(await titled('full-joined')).toEqual(expected);
  });
});
