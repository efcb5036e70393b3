/**
 * Issue 14's wrong answers that came from untyped expressions, each as written in the issue, end to
 * end against the emulator with push-down on and off. Expected values are worked out here from the
 * raw rows with T-SQL's documented rules (integer AVG and division truncate, money stays exact at 4
 * places, strings compare case-insensitively and without trailing blanks), never by the renderer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  pushed = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
});

/** runs on both connections, checks they agree, returns the push-down one */
async function both(sql: string, params?: Record<string, unknown> | unknown[], options?: { dialect: 'postgresql' }) {
  const a = await pushed.query(sql, params, options);
  const b = await local.query(sql, params, options);
  expect(b.rows).toEqual(a.rows);
  expect(b.columns).toEqual(a.columns);
  return a;
}

const truncatedAverage = (values: number[]): number => Math.trunc(values.reduce((s, v) => s + v, 0) / values.length);

/** money `a / b` at 4 places, rounded half away from zero, from exact integers (no floats) */
function moneyQuotient(a: string, b: number): string {
  const [whole, fraction = ''] = a.split('.');
  const scaled = BigInt(`${whole}${fraction.padEnd(4, '0').slice(0, 4)}`);
  const tenTimes = (scaled * 10n) / BigInt(b);
  const rounded = (tenTimes + (tenTimes < 0n ? -5n : 5n)) / 10n;
  const negative = rounded < 0n;
  const digits = (negative ? -rounded : rounded).toString().padStart(5, '0');
  const text = `${negative ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

describe('issue 14.3: AVG of an integer column is an int', () => {
  it('HAVING AVG(leadqualitycode) > 2 keeps only the groups whose truncated average is above 2', async () => {
    const raw = (await local.query('SELECT lastname, leadqualitycode FROM lead')).rows;
    const groups = new Map<string, number[]>();
    for (const row of raw) {
      const key = String(row.lastname).toLowerCase();
      if (row.leadqualitycode !== null) groups.set(key, [...(groups.get(key) ?? []), row.leadqualitycode as number]);
    }
    const expected = [...groups.entries()].filter(([, v]) => truncatedAverage(v) > 2).map(([k]) => k).sort();
    const asFloats = [...groups.values()].filter((v) => v.reduce((s, x) => s + x, 0) / v.length > 2).length;
    const result = await both('SELECT lastname, AVG(leadqualitycode) AS a FROM lead GROUP BY lastname HAVING AVG(leadqualitycode) > 2');
    expect(result.rows.map((r) => String(r.lastname).toLowerCase()).sort()).toEqual(expected);
    expect(result.rows.length).toBeLessThan(asFloats);
    expect(result.columns[1]).toEqual({ name: 'a', type: 'int' });
    for (const row of result.rows) expect(Number.isInteger(row.a)).toBe(true);
  });

  it('AVG of {1, 2} is 1 and of {-7, 0, 0} is -2', async () => {
    const r = await both('SELECT AVG(x) AS a FROM (SELECT 1 AS x UNION ALL SELECT 2) t');
    expect(r.rows).toEqual([{ a: 1 }]);
    const n = await both('SELECT AVG(x) AS a FROM (SELECT -7 AS x UNION ALL SELECT 0 UNION ALL SELECT 0) t');
    expect(n.rows).toEqual([{ a: -2 }]);
  });

  it('AVG(DISTINCT x) of ints is an int; a CTE column list keeps the types', async () => {
    const r = await both('WITH c (x) AS (SELECT @a AS x UNION ALL SELECT @b UNION ALL SELECT @c) SELECT AVG(DISTINCT x) AS a, SUM(DISTINCT x) AS s, AVG(x) AS b FROM c', { a: 1, b: 2, c: 2 });
    expect(r.rows).toEqual([{ a: 1, s: 3, b: 1 }]);
    expect(r.columns.map((c) => c.type)).toEqual(['int', 'int', 'int']);
  });

  it('the PostgreSQL dialect keeps its own rule: AVG of an int is a numeric', async () => {
    const r = await both('SELECT AVG(x) AS a FROM (SELECT 1 AS x UNION ALL SELECT 2) t', [], { dialect: 'postgresql' });
    expect(r.rows).toEqual([{ a: '1.5' }]);
    expect(r.columns[0]!.type).toBe('decimal');
  });
});

describe('issue 14.4: integer division for every integer-typed expression', () => {
  it('SELECT ABS(numberofemployees) / 4 truncates', async () => {
    const raw = (await local.query('SELECT accountid, numberofemployees FROM account WHERE numberofemployees IS NOT NULL')).rows;
    const result = await both('SELECT accountid, ABS(numberofemployees) / 4 AS q FROM account WHERE numberofemployees IS NOT NULL');
    const byId = new Map(result.rows.map((r) => [r.accountid, r.q]));
    expect(raw.length).toBeGreaterThan(10);
    for (const row of raw) expect(byId.get(row.accountid)).toBe(Math.trunc(Math.abs(row.numberofemployees as number) / 4));
    expect(result.columns[1]!.type).toBe('int');
  });

  it('LEN(x) / 2 truncates (LEN of an nvarchar(max) column is a bigint)', async () => {
    const r = await both("SELECT LEN('abc') / 2 AS a, LEN(name) / 2 AS b, LEN(name + 'x') / 2 AS c FROM account WHERE name = 'Fourth Coffee (sample)'");
    expect(r.rows).toEqual([{ a: 1, b: 11, c: 11 }]);
    expect(r.columns.map((c) => c.type)).toEqual(['int', 'bigint', 'bigint']);
  });

  it('a COUNT() from a CTE divided by 6 truncates', async () => {
    const total = (await local.query('SELECT COUNT(*) AS n FROM account')).rows[0]!.n as number;
    const r = await both('WITH c AS (SELECT COUNT(*) AS n FROM account) SELECT n / 6 AS q FROM c');
    expect(r.rows).toEqual([{ q: Math.trunc(total / 6) }]);
    expect(r.columns).toEqual([{ name: 'q', type: 'int' }]);
  });

  it('-7 / 2 is -3, and a division by zero is an error, not NULL', async () => {
    expect((await both('SELECT -7 / 2 AS q')).rows).toEqual([{ q: -3 }]);
    await expect(local.query('SELECT numberofemployees / 0 AS q FROM account')).rejects.toThrow(/Divide by zero/);
  });
});

describe('issue 14.12: money and decimal arithmetic stays exact and typed', () => {
  it('revenue / 3 and revenue / numberofemployees are money, rounded at 4 places', async () => {
    const raw = (await local.query('SELECT accountid, revenue, numberofemployees FROM account WHERE revenue IS NOT NULL AND numberofemployees > 0')).rows;
    const result = await both('SELECT accountid, revenue / 3 AS third, revenue / numberofemployees AS per FROM account WHERE revenue IS NOT NULL AND numberofemployees > 0');
    expect(result.columns.slice(1)).toEqual([
      { name: 'third', type: 'money', precision: 19, scale: 4 },
      { name: 'per', type: 'money', precision: 19, scale: 4 },
    ]);
    const byId = new Map(result.rows.map((r) => [r.accountid, r]));
    expect(raw.length).toBeGreaterThan(10);
    for (const row of raw) {
      const got = byId.get(row.accountid)!;
      expect(got.third).toBe(moneyQuotient(String(row.revenue), 3));
      expect(got.per).toBe(moneyQuotient(String(row.revenue), row.numberofemployees as number));
    }
  });

  it('decimal division follows the precision and scale rules: 1.0 / 3 is decimal(7,6) 0.333333', async () => {
    const r = await both('SELECT 1.0 / 3 AS q, 2.0 / 3 AS t');
    expect(r.rows).toEqual([{ q: '0.333333', t: '0.666666' }]);
    expect(r.columns[0]).toEqual({ name: 'q', type: 'decimal', precision: 7, scale: 6 });
  });

  it('SUM of money is money', async () => {
    const r = await both("SELECT SUM(revenue) AS total FROM account WHERE name LIKE '%Coffee%'");
    expect(r.columns).toEqual([{ name: 'total', type: 'money', precision: 19, scale: 4 }]);
  });
});

describe('issue 14.5: string functions under the case-insensitive collation', () => {
  it("CHARINDEX('N', description) finds the lower-case n", async () => {
    const r = await both("SELECT TOP 1 CHARINDEX('N', description) AS i, description FROM account WHERE description = 'Key account — renewal due'");
    expect(r.rows).toEqual([{ i: 10, description: 'Key account — renewal due' }]);
  });

  it("REPLACE(firstname, 'D', '*') changes 'Sidney'", async () => {
    const r = await both("SELECT DISTINCT firstname, REPLACE(firstname, 'D', '*') AS r FROM contact WHERE firstname = 'Sidney'");
    expect(r.rows).toEqual([{ firstname: 'Sidney', r: 'Si*ney' }]);
  });

  it('REPLACE takes the pattern and the replacement literally', async () => {
    const r = await both("SELECT REPLACE('a.b.c', '.', @r) AS r, REPLACE('A+B', 'a+', '$1') AS s, REPLACE('abc', '', 'x') AS t", { r: '\\1' });
    expect(r.rows).toEqual([{ r: 'a\\1b\\1c', s: '$1B', t: 'abc' }]);
  });

  it('COUNT(DISTINCT x) over name UNION ALL UPPER(name) counts each name once', async () => {
    const names = (await local.query('SELECT name FROM account')).rows.map((r) => String(r.name).toLowerCase().replace(/ +$/, ''));
    const r = await both('SELECT COUNT(DISTINCT x) AS n FROM (SELECT name AS x FROM account UNION ALL SELECT UPPER(name) FROM account) u');
    expect(r.rows).toEqual([{ n: new Set(names).size }]);
  });
});

describe('issue 14.7: ORDER BY a name binds to the select-list alias first', () => {
  it('SELECT TOP 3 numberofemployees AS name FROM account ORDER BY name, accountid sorts by the alias', async () => {
    const raw = (await local.query('SELECT accountid, numberofemployees FROM account')).rows;
    const sorted = [...raw].sort((a, b) => {
      const [x, y] = [a.numberofemployees as number | null, b.numberofemployees as number | null];
      if (x !== y) return x === null ? -1 : y === null ? 1 : x - y;
      return String(a.accountid).localeCompare(String(b.accountid));
    });
    const r = await both('SELECT TOP 3 numberofemployees AS name FROM account ORDER BY name, accountid');
    expect(r.rows).toEqual(sorted.slice(0, 3).map((row) => ({ name: row.numberofemployees })));
  });

  it('the same in the PostgreSQL dialect', async () => {
    const t = await both('SELECT TOP 5 numberofemployees AS name FROM account ORDER BY name DESC, accountid');
    const p = await both('SELECT numberofemployees AS name FROM account ORDER BY name DESC, accountid LIMIT 5', [], { dialect: 'postgresql' });
    expect(p.rows).toEqual(t.rows);
  });

  it('two different output columns with the name make ORDER BY ambiguous', async () => {
    await expect(local.query('SELECT name AS x, accountid AS x FROM account ORDER BY x')).rejects.toThrow(/ambiguous/);
  });
});

describe('issue 14.8: trailing blanks', () => {
  it("LEN(' x ') is 2", async () => {
    expect((await both("SELECT LEN(' x ') AS n")).rows).toEqual([{ n: 2 }]);
  });

  it('comparison ignores trailing blanks: =, <>, <, IN', async () => {
    const r = await both("SELECT CASE WHEN 'a' = 'a  ' THEN 1 ELSE 0 END AS eq, CASE WHEN 'a' <> 'A ' THEN 1 ELSE 0 END AS ne, CASE WHEN 'a ' < 'a' THEN 1 ELSE 0 END AS lt, CASE WHEN 'b  ' IN ('B') THEN 1 ELSE 0 END AS inl");
    expect(r.rows).toEqual([{ eq: 1, ne: 0, lt: 0, inl: 1 }]);
    // locally evaluated (the emulator's own $filter eq compares trailing blanks: a push-down/emulator matter)
    const rows = await local.query("SELECT name FROM account WHERE UPPER(name) = 'FOURTH COFFEE (SAMPLE)   '");
    expect(rows.rows).toEqual([{ name: 'Fourth Coffee (sample)' }]);
  });
});

describe('issue 14.8: GROUP BY and DISTINCT treat trailing blanks and case as equal', () => {
  const values = { a: 'x', b: 'x  ', c: 'X', d: 'y', e: null };
  const rows = '(SELECT @a AS v UNION ALL SELECT @b UNION ALL SELECT @c UNION ALL SELECT @d UNION ALL SELECT @e) t';

  it('GROUP BY makes one group of x, x and X', async () => {
    const r = await both(`SELECT UPPER(RTRIM(v)) AS k, COUNT(*) AS n, MIN(LEN(v)) AS l FROM ${rows} GROUP BY v ORDER BY k`, values);
    expect(r.rows).toEqual([{ k: null, n: 1, l: null }, { k: 'X', n: 3, l: 1 }, { k: 'Y', n: 1, l: 1 }]);
  });

  it('a grouped string in the select list is one of its spellings', async () => {
    const r = await both(`SELECT v, COUNT(*) AS n FROM ${rows} GROUP BY v HAVING COUNT(*) > 1`, values);
    expect(r.rows.length).toBe(1);
    expect(['x', 'x  ', 'X']).toContain(r.rows[0]!.v);
    expect(r.rows[0]!.n).toBe(3);
  });

  it('SELECT DISTINCT returns x once', async () => {
    const r = await both(`SELECT DISTINCT UPPER(v) AS u FROM ${rows} ORDER BY u`, values);
    expect(r.rows.map((row) => (row.u === null ? null : String(row.u).trimEnd()))).toEqual([null, 'X', 'Y']);
    const count = await both(`SELECT COUNT(DISTINCT v) AS n FROM ${rows}`, values);
    expect(count.rows).toEqual([{ n: 2 }]);
  });

  it('UNION removes x  and X as duplicates of x', async () => {
    const r = await both('SELECT UPPER(v) AS u FROM (SELECT @a AS v UNION SELECT @b UNION SELECT @c) t ORDER BY u', values);
    expect(r.rows.map((row) => String(row.u).trimEnd())).toEqual(['X']);
  });

  it('ORDER BY ties x and X  (the next key decides)', async () => {
    const r = await both('SELECT v, k FROM (SELECT @b AS v, 1 AS k UNION ALL SELECT @a, 2) t ORDER BY v, k DESC', values);
    expect(r.rows.map((row) => row.k)).toEqual([2, 1]);
  });

  it('INTERSECT and EXCEPT compare x, x  and X as equal', async () => {
    expect((await both('SELECT v FROM (SELECT @a AS v) t INTERSECT SELECT v FROM (SELECT @b AS v) u', values)).rows.length).toBe(1);
    expect((await both('SELECT v FROM (SELECT @c AS v) t EXCEPT SELECT v FROM (SELECT @b AS v) u', values)).rows).toEqual([]);
  });

  it('MIN and MAX of strings ignore case and trailing blanks, also over a subquery', async () => {
    const r = await both(`SELECT UPPER(RTRIM(MAX(v))) AS hi, UPPER(MIN(v)) AS lo FROM ${rows}`, values);
    expect(r.rows).toEqual([{ hi: 'Y', lo: 'X' }]);
    const sub = await both("SELECT MAX(CASE WHEN t0.customertypecode < (SELECT MIN(s1.statecode) AS x FROM account s1) THEN 'PRESS' ELSE t0.name END) AS a0 FROM account t0");
    expect(typeof sub.rows[0]!.a0).toBe('string');
  });

  it("NULLIF(v, 'X ') is NULL for x", async () => {
    const r = await both("SELECT NULLIF(v, 'X ') AS n FROM (SELECT @a AS v) t", values);
    expect(r.rows).toEqual([{ n: null }]);
  });
});

describe('result column types come from the binder', () => {
  it('an aggregate the service computes reports the bound type: COUNT an int in T-SQL, a bigint in PostgreSQL', async () => {
    const t = await both('SELECT COUNT(*) AS n, SUM(numberofemployees) AS s FROM account');
    expect(t.columns.map((c) => c.type)).toEqual(['int', 'int']);
    const p = await both('SELECT COUNT(*) AS n, SUM(numberofemployees) AS s FROM account', [], { dialect: 'postgresql' });
    expect(p.columns.map((c) => c.type)).toEqual(['bigint', 'bigint']);
  });

  it('a * next to columns the statement also reads reports each column with its own type', async () => {
    const r = await both('SELECT *, 1 AS x FROM account a WHERE a.primarycontactidname IS NOT NULL');
    const types = new Map(r.columns.map((c) => [c.name, c.type]));
    expect(types.get('accountid')).toBe('uniqueidentifier');
    expect(types.get('revenue')).toBe('money');
    expect(types.get('name')).toBe('nvarchar');
    expect(types.get('x')).toBe('int');
    expect(r.columns.map((c) => c.name)).not.toContain('primarycontactidname');
  });
});

describe('issue 14: errors on valid SQL', () => {
  it("a string literal in GROUP BY matches the select list: CHARINDEX('ro', name)", async () => {
    const names = (await local.query('SELECT name FROM account')).rows.map((r) => String(r.name).toLowerCase());
    const expected = new Map<number, number>();
    for (const n of names) { const i = n.indexOf('ro') + 1; expected.set(i, (expected.get(i) ?? 0) + 1); }
    const r = await both("SELECT CHARINDEX('ro', name) AS c, COUNT(*) FROM account GROUP BY CHARINDEX('ro', name)");
    expect(new Map(r.rows.map((row) => [Number(row.c), row.count]))).toEqual(expected);
  });

  it("date_trunc('month', createdon) in the PostgreSQL dialect groups", async () => {
    const raw = (await local.query('SELECT createdon FROM account')).rows;
    const months = new Set(raw.map((r) => (r.createdon as Date).toISOString().slice(0, 7)));
    const r = await both("SELECT date_trunc('month', createdon) AS m, COUNT(*) AS n FROM account GROUP BY date_trunc('month', createdon)", [], { dialect: 'postgresql' });
    expect(new Set(r.rows.map((row) => (row.m as Date).toISOString().slice(0, 7)))).toEqual(months);
    expect(r.rows.reduce((s, row) => s + Number(row.n), 0)).toBe(raw.length);
  });

  it('+ between strings of a derived table and of a CASE concatenates', async () => {
    const r = await both("SELECT d.a + d.b AS ab, CASE WHEN d.a IS NOT NULL THEN 'x' END + 'y' AS xy FROM (SELECT name AS a, UPPER(name) AS b FROM account WHERE name = 'Fourth Coffee (sample)') d");
    expect(r.rows).toEqual([{ ab: 'Fourth Coffee (sample)FOURTH COFFEE (SAMPLE)', xy: 'xy' }]);
    const c = await both('SELECT c.x + c.y AS xy FROM (SELECT a.name AS x, a.name AS y FROM account a) c WHERE c.x = @n', { n: 'Fourth Coffee (sample)' });
    expect(c.rows).toEqual([{ xy: 'Fourth Coffee (sample)Fourth Coffee (sample)' }]);
  });

  it('a string that is not a literal converts to a datetime where a datetime is compared', async () => {
    const all = (await local.query('SELECT COUNT(*) AS n FROM account')).rows[0]!.n;
    const r = await both("SELECT COUNT(*) AS n FROM account WHERE createdon > CONCAT('2000', '-01-01')");
    expect(r.rows).toEqual([{ n: all }]);
    const p = await both('SELECT COUNT(*) AS n FROM account a JOIN (SELECT accountid, @d AS d FROM account) t ON t.accountid = a.accountid WHERE a.createdon > t.d', { d: '2000-01-01' });
    expect(p.rows).toEqual([{ n: all }]);
  });
});

describe('issue 14: errors raised by the local engine say what in the statement is wrong', () => {
  const failure = async (sql: string) => {
    try {
      await local.query(sql);
    } catch (error) {
      return error as { code: string; message: string };
    }
    throw new Error(`${sql} did not fail`);
  };

  it('a division by zero, a value that does not convert, an overflow', async () => {
    const zero = await failure('SELECT numberofemployees / 0 AS q FROM account');
    expect(zero.code).toBe('DYNASQL_ERR_DIVIDE_BY_ZERO');
    expect(zero.message).toBe('Divide by zero error encountered.');
    const conversion = await failure("SELECT CAST(name AS int) AS n FROM account WHERE name = 'Fourth Coffee (sample)'");
    expect(conversion.code).toBe('DYNASQL_ERR_CONVERSION');
    expect(conversion.message).toBe("Conversion failed: 'Fourth Coffee (sample)' is not a valid int");
    const overflow = await failure('SELECT numberofemployees * 2147483647 AS n FROM account WHERE numberofemployees > 1');
    expect(overflow.code).toBe('DYNASQL_ERR_OVERFLOW');
    expect(overflow.message).toMatch(/^Arithmetic overflow error converting an expression to data type int$/);
    const substring = await failure('SELECT SUBSTRING(name, 1, -1) AS s FROM account');
    expect(substring.code).toBe('DYNASQL_ERR_INVALID_ARGUMENT');
    for (const e of [zero, conversion, overflow, substring]) expect(e.message).not.toMatch(/SELECT|LINE|scan_/);
  });
});
