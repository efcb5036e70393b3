/**
 * The randomized differential test's open typing classes (test/fuzz/KNOWN.md #17, #18, #20, #24–#26),
 * each statement as the fuzzer wrote it, end to end against the emulator's fuzz data with push-down
 * on and off. Expected answers are worked out here from the raw rows with T-SQL's documented rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 300, fuzzData: true });
  pushed = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
});

type Params = Record<string, unknown> | unknown[] | undefined;

/** the rows of a statement, checked equal with push-down on and off (order-insensitive unless `ordered`) */
async function both(sql: string, params?: Params, options?: { dialect: 'postgresql' }, ordered = false) {
  const a = await pushed.query(sql, params, options);
  const b = await local.query(sql, params, options);
  const key = (rows: readonly Record<string, unknown>[]) => (ordered ? rows : [...rows].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)));
  expect(key(b.rows)).toEqual(key(a.rows));
  expect(b.columns).toEqual(a.columns);
  return a;
}

/** error code of a statement, the same with push-down on and off */
async function errorCode(sql: string, params?: Params): Promise<string | undefined> {
  const codes: (string | undefined)[] = [];
  for (const conn of [pushed, local]) {
    codes.push(await conn.query(sql, params).then(() => undefined, (error: { code?: string }) => error.code ?? 'no code'));
  }
  expect(codes[1]).toBe(codes[0]);
  return codes[0];
}

const ci = (s: unknown) => (typeof s === 'string' ? s.toLowerCase().replace(/ +$/, '') : s);

describe('KNOWN #17: ORDER BY a constant output column', () => {
  it("SELECT @p1 AS c0, 2 AS c1, t0.contactid AS k FROM contact t0 ORDER BY c1, k (p1 = 'Buyer')", async () => {
    const r = await both('SELECT @p1 AS c0, 2 AS c1, t0.contactid AS k FROM contact t0 ORDER BY c1, k', { p1: 'Buyer' }, undefined, true);
    expect(r.rows.length).toBe(600);
    expect(r.rows.every((row) => row.c0 === 'Buyer' && row.c1 === 2)).toBe(true);
    const keys = r.rows.map((row) => String(row.k));
    expect(keys).toEqual([...keys].sort());
  });
});

describe('KNOWN #18 / #20: a string meets a date and converts to it', () => {
  it("SELECT MIN(t0.creditlimit) AS a0 FROM contact t0 WHERE COALESCE('1956-04-18', @p1) >= t0.birthdate GROUP BY t0.familystatuscode", async () => {
    const sql = "SELECT MIN(t0.creditlimit) AS a0 FROM contact t0 WHERE COALESCE('1956-04-18', @p1) >= t0.birthdate GROUP BY t0.familystatuscode";
    const r = await both(sql, { p1: new Date('1990-01-01T00:00:00Z') });
    const raw = (await local.query('SELECT birthdate, creditlimit, familystatuscode FROM contact')).rows;
    // COALESCE(varchar, datetime) is a datetime: the string converts, and birthdates up to 1956-04-18 pass
    const groups = new Map<unknown, number | null>();
    for (const row of raw) {
      if (row.birthdate === null || String(row.birthdate) > '1956-04-18') continue;
      const value = row.creditlimit === null ? null : Number(row.creditlimit);
      const seen = groups.get(row.familystatuscode);
      groups.set(row.familystatuscode, seen === undefined || seen === null ? value : value === null ? seen : Math.min(seen, value));
    }
    expect(groups.size).toBeGreaterThan(1);
    const expected = [...groups.values()].map((v) => (v === null ? null : v)).sort();
    expect(r.rows.map((row) => (row.a0 === null ? null : Number(row.a0))).sort()).toEqual(expected);
  });

  it('PostgreSQL: SELECT CASE WHEN … THEN t0.createdon ELSE $1 END with $1 a date string', async () => {
    const sql = 'SELECT t0.accountid AS k, t0.statecode AS s, t0.createdon AS d, CASE WHEN t0.statecode = 0 THEN t0.createdon ELSE $1 END AS c FROM account t0';
    const r = await both(sql, ['2024-07-15T12:00:00'], { dialect: 'postgresql' });
    expect(r.rows.length).toBe(300);
    expect(r.columns.find((c) => c.name === 'c')?.type).toBe('datetime2');
    let others = 0;
    for (const row of r.rows) {
      if (row.s === 0) expect(row.c).toEqual(row.d);
      else {
        others++;
        expect(row.c).toEqual(new Date('2024-07-15T12:00:00Z'));
      }
    }
    expect(others).toBeGreaterThan(0);
  });
});

describe('KNOWN #24: int * int past 2^31 is an arithmetic overflow (Msg 8115), not an answer', () => {
  it('SELECT SUM((t0.numberofemployees * @p1)) FROM account t0 GROUP BY t0.creditonhold (p1 = 19545)', async () => {
    expect(await errorCode('SELECT SUM((t0.numberofemployees * @p1)) FROM account t0 GROUP BY t0.creditonhold', { p1: 19545 })).toBe('DYNASQL_ERR_OVERFLOW');
  });

  it('a product past 2^31 row by row, and a SUM(int) past it, overflow too', async () => {
    expect(await errorCode('SELECT t0.numberofemployees * 2147483 AS p FROM account t0 WHERE t0.numberofemployees > 5000')).toBe('DYNASQL_ERR_OVERFLOW');
    expect(await errorCode('SELECT SUM(t0.numberofemployees * 200000) AS s FROM account t0')).toBe('DYNASQL_ERR_OVERFLOW');
    // the same in bigint fits
    const r = await both('SELECT SUM(CAST(t0.numberofemployees AS bigint) * 200000) AS s FROM account t0');
    expect(Number(r.rows[0]!.s)).toBeGreaterThan(2 ** 31);
  });
});

describe('KNOWN #25: a string literal that looks like a date is a varchar', () => {
  it("SELECT ISNULL(CASE WHEN t0.statecodename NOT IN ('Active') THEN '2024-08-06' END, '2024-07-15T12:00:00') AS c2 FROM account t0", async () => {
    const sql = "SELECT ISNULL(CASE WHEN t0.statecodename NOT IN ('Active') THEN '2024-08-06' END, '2024-07-15T12:00:00') AS c2 FROM account t0";
    const r = await both(sql);
    // every operand is a varchar, so nothing becomes a date; ISNULL's type is its first argument's,
    // the CASE's varchar(10), and SQL Server truncates the replacement to it (the ISNULL docs)
    expect(r.columns).toEqual([{ name: 'c2', type: 'varchar', length: 10 }]);
    const values = new Set(r.rows.map((row) => row.c2));
    expect(values).toEqual(new Set(['2024-08-06', '2024-07-15']));
  });

  it('COALESCE of the same operands keeps the whole string (its type is the longest varchar)', async () => {
    const sql = "SELECT COALESCE(CASE WHEN t0.statecodename NOT IN ('Active') THEN '2024-08-06' END, '2024-07-15T12:00:00') AS c2 FROM account t0";
    const r = await both(sql);
    expect(r.columns).toEqual([{ name: 'c2', type: 'varchar', length: 19 }]);
    expect(new Set(r.rows.map((row) => row.c2))).toEqual(new Set(['2024-08-06', '2024-07-15T12:00:00']));
  });
});

describe('KNOWN #26: a scalar subquery inside an aggregate', () => {
  const sql = "SELECT MAX(CASE WHEN t0.familystatuscode < (SELECT MAX(s1.gendercode) FROM contact s1) THEN 'CONTOSO' ELSE t0.parentcustomeridtype END) AS a0 FROM contact t0 GROUP BY t0.familystatuscode";

  async function expected(): Promise<unknown[]> {
    const raw = (await local.query('SELECT familystatuscode, gendercode, parentcustomeridtype FROM contact')).rows;
    const maxGender = Math.max(...raw.filter((r) => r.gendercode !== null).map((r) => Number(r.gendercode)));
    const groups = new Map<unknown, string | null>();
    for (const row of raw) {
      const value = row.familystatuscode !== null && Number(row.familystatuscode) < maxGender ? 'CONTOSO' : (row.parentcustomeridtype as string | null);
      const seen = groups.get(row.familystatuscode) ?? null;
      // MAX of strings under the case-insensitive collation
      groups.set(row.familystatuscode, seen === null ? value : value === null ? seen : String(ci(value)) > String(ci(seen)) ? value : seen);
    }
    return [...groups.values()].map(ci).sort();
  }

  it('as written (T-SQL)', async () => {
    const r = await both(sql);
    expect(r.rows.map((row) => ci(row.a0)).sort()).toEqual(await expected());
  });

  it('PostgreSQL dialect', async () => {
    const r = await both(sql, undefined, { dialect: 'postgresql' });
    expect(r.rows.map((row) => ci(row.a0)).sort()).toEqual(await expected());
  });
});

describe('trailing blanks are ignored by <, <=, >, >= as by =, in both dialects (the rows live under SQL Server\'s collation)', () => {
  for (const dialect of ['tsql', 'postgresql'] as const) {
    it(`${dialect}: address1_city < 'SEATTLE ' is false for 'Seattle', 'SEATTLE' and 'Seattle '`, async () => {
      const options = dialect === 'postgresql' ? { dialect } : undefined;
      const count = async (where: string) => {
        const direct = await both(`SELECT COUNT(*) AS n FROM account WHERE ${where.replaceAll('c ', 'address1_city ')}`, undefined, options);
        // through a derived table the comparison runs in the local engine
        const derived = await both(`SELECT COUNT(*) AS n FROM (SELECT address1_city AS c FROM account) d WHERE ${where.replaceAll('c ', 'd.c ')}`, undefined, options);
        expect(derived.rows).toEqual(direct.rows);
        return Number(direct.rows[0]!.n);
      };
      const equal = await count("c = 'SEATTLE'");
      expect(equal).toBeGreaterThan(2);
      expect(await count("c = 'SEATTLE '")).toBe(equal);
      const below = await count("c < 'SEATTLE'");
      expect(await count("c < 'SEATTLE '")).toBe(below);
      expect(await count("c <= 'SEATTLE   '")).toBe(below + equal);
      const above = await count("c > 'SEATTLE'");
      expect(await count("c > 'SEATTLE  '")).toBe(above);
      expect(await count("c >= 'SEATTLE '")).toBe(above + equal);
      expect(await count('c IS NOT NULL')).toBe(below + equal + above);
    });
  }
});
