/**
 * Statements from issues 14 and 22 that the SQL front end misread, run against the emulator as
 * written: row limits in both dialects, a WHERE of 2,000 OR terms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;
let names: string[];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 100 });
  conn = await connect(`Url=${emulator.url}`);
  names = (await conn.query('SELECT name, accountid FROM account ORDER BY name, accountid')).rows.map((r) => String(r.name));
}, 60_000);

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

const pg = (sql: string, params: unknown[] = []) => conn.query(sql, params, { dialect: 'postgresql' });
const namesOf = (rows: Record<string, unknown>[]) => rows.map((r) => String(r.name));

describe('row limits (issue 14)', () => {
  it('PostgreSQL: ORDER BY name OFFSET 98 skips 98 rows and returns the rest', async () => {
    expect(names).toHaveLength(100);
    const { rows } = await pg('SELECT name FROM account ORDER BY name, accountid OFFSET 98');
    expect(namesOf(rows)).toEqual(names.slice(98));
  });

  it('PostgreSQL: OFFSET before LIMIT, LIMIT ALL, OFFSET … FETCH NEXT n ROWS ONLY, and parameters', async () => {
    expect(namesOf((await pg('SELECT name FROM account ORDER BY name, accountid OFFSET 10 LIMIT 3')).rows)).toEqual(names.slice(10, 13));
    expect(namesOf((await pg('SELECT name FROM account ORDER BY name, accountid LIMIT 3 OFFSET 10')).rows)).toEqual(names.slice(10, 13));
    expect(namesOf((await pg('SELECT name FROM account ORDER BY name, accountid LIMIT ALL OFFSET 97')).rows)).toEqual(names.slice(97));
    expect(namesOf((await pg('SELECT name FROM account ORDER BY name, accountid OFFSET 5 ROWS FETCH NEXT 2 ROWS ONLY')).rows)).toEqual(names.slice(5, 7));
    expect(namesOf((await pg('SELECT name FROM account ORDER BY name, accountid OFFSET $1 LIMIT $2', [20, 4])).rows)).toEqual(names.slice(20, 24));
  });

  it('T-SQL: OFFSET n ROWS without FETCH skips n rows and returns the rest', async () => {
    const { rows } = await conn.query('SELECT name FROM account ORDER BY name, accountid OFFSET 95 ROWS');
    expect(namesOf(rows)).toEqual(names.slice(95));
    const fetched = await conn.query('SELECT name FROM account ORDER BY name, accountid OFFSET 95 ROWS FETCH FIRST 1 ROW ONLY');
    expect(namesOf(fetched.rows)).toEqual(names.slice(95, 96));
  });
});

describe('nothing silently dropped (issue 14)', () => {
  it('PIVOT is not dropped: the pivoted columns are gone, so the issue\'s statement names an unknown column instead of returning unpivoted rows', async () => {
    // PIVOT itself runs: test/select/tsql-constructs-e2e.test.ts
    await expect(conn.query('SELECT name, revenue FROM account PIVOT (SUM(revenue) FOR name IN ([A],[B])) p'))
      .rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_COLUMN' });
  });

  it('FROM account (NOLOCK) and WITH (NOLOCK) are accepted and change nothing', async () => {
    for (const sql of ['SELECT name FROM account (NOLOCK) ORDER BY name, accountid', 'SELECT name FROM account WITH (NOLOCK) ORDER BY name, accountid']) {
      expect(namesOf((await conn.query(sql)).rows)).toEqual(names);
    }
  });
});

describe('constructs that were refused or misread (issue 14)', () => {
  it('EXCEPT and INTERSECT in T-SQL and PostgreSQL', async () => {
    const aNames = names.filter((n) => /^a/i.test(n));
    for (const dialect of ['tsql', 'postgresql'] as const) {
      const except = await conn.query("SELECT name FROM account EXCEPT SELECT name FROM account WHERE name LIKE 'A%' ORDER BY name", [], { dialect });
      expect(namesOf(except.rows).sort()).toEqual([...new Set(names.filter((n) => !/^a/i.test(n)))].sort());
      const intersect = await conn.query("SELECT name FROM account INTERSECT SELECT name FROM account WHERE name LIKE 'A%'", [], { dialect });
      expect(namesOf(intersect.rows).sort()).toEqual([...new Set(aNames)].sort());
    }
  });

  it('SUM(DISTINCT x) sums each value once', async () => {
    const values = (await conn.query('SELECT industrycode FROM account WHERE industrycode IS NOT NULL')).rows.map((r) => Number(r.industrycode));
    const distinctSum = [...new Set(values)].reduce((a, b) => a + b, 0);
    expect(distinctSum).not.toBe(values.reduce((a, b) => a + b, 0));
    for (const dialect of ['tsql', 'postgresql'] as const) {
      const { rows } = await conn.query('SELECT SUM(DISTINCT industrycode) AS s FROM account', [], { dialect });
      expect(Number(rows[0]!.s)).toBe(distinctSum);
    }
  });

  it('WITH cte (a, b) AS … names the CTE\'s columns', async () => {
    const { rows } = await conn.query('WITH c (a, b) AS (SELECT name, accountid FROM account) SELECT a FROM c ORDER BY a, b');
    expect(rows.map((r) => String(r.a))).toEqual(names);
  });
});

describe('bad input that threw uncoded errors (issue 22 item 6)', () => {
  it('a WHERE with 2,000 OR terms runs', async () => {
    const terms = Array.from({ length: 2000 }, (_, i) => `name = 'no such name ${i}'`);
    terms[1234] = `name = N'${names[3]!.replaceAll("'", "''")}'`;
    const { rows } = await conn.query(`SELECT name FROM account WHERE ${terms.join(' OR ')}`);
    expect(namesOf(rows)).toEqual(names.filter((n) => n.toLowerCase() === names[3]!.toLowerCase()));
  });
});
