/**
 * The PostgreSQL forms BI tools and ORMs send (issue 17), end to end through `conn.query(…,
 * {dialect: 'postgresql'})` against the emulator: each answer is checked against the same question
 * computed here in JavaScript over the emulator's rows, read once with a plain SELECT, and where a
 * form can run on the service, EXPLAIN shows the request it becomes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

interface Account { accountid: string; name: string; createdon: Date; modifiedon: Date; numberofemployees: number | null; revenue: string | null }

let emulator: RunningEmulator;
let conn: Connection;
let accounts: Account[];

const pg = { dialect: 'postgresql' } as const;
const query = async (sql: string, params?: unknown[]) => (await conn.query(sql, params, pg)).rows as Record<string, unknown>[];
const explain = async (sql: string, params?: unknown[]) => (await query(`EXPLAIN ${sql}`, params)).map((r) => String(r.plan)).join('\n');
const countWhere = (test: (a: Account) => boolean) => accounts.filter(test).length;
const DAY = 86_400_000;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 30 });
  conn = await connect(`Url=${emulator.url}`);
  accounts = (await conn.query('SELECT accountid, name, createdon, modifiedon, numberofemployees, revenue FROM account')).rows as unknown as Account[];
  expect(accounts.length).toBe(30);
  expect(accounts.some((a) => a.numberofemployees === null)).toBe(true);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

describe('dates and times', () => {
  it('extract(epoch FROM …) and the other fields, date_part with a fraction', async () => {
    const rows = await query('SELECT accountid, extract(epoch FROM createdon) AS e, extract(year FROM createdon) AS y, extract(dow FROM createdon) AS dow, extract(hour FROM createdon) AS h, date_part(\'epoch\', createdon) AS p FROM account');
    for (const row of rows) {
      const created = accounts.find((a) => a.accountid === row.accountid)!.createdon;
      expect(Number(row.e)).toBe(created.getTime() / 1000);
      expect(row.p).toBe(created.getTime() / 1000);
      expect(Number(row.y)).toBe(created.getUTCFullYear());
      expect(Number(row.dow)).toBe(created.getUTCDay());
      expect(Number(row.h)).toBe(created.getUTCHours());
    }
  });

  it("Metabase's time grouping: date_trunc('month', createdon) in the select list and GROUP BY", async () => {
    const rows = await query(`SELECT date_trunc('month', "public"."account"."createdon") AS "createdon", count(*) AS "count" FROM "public"."account" GROUP BY date_trunc('month', "public"."account"."createdon") ORDER BY date_trunc('month', "public"."account"."createdon") ASC`.replace(/"public"\./g, ''));
    const expected = new Map<number, number>();
    for (const a of accounts) {
      const month = Date.UTC(a.createdon.getUTCFullYear(), a.createdon.getUTCMonth(), 1);
      expected.set(month, (expected.get(month) ?? 0) + 1);
    }
    expect(rows.map((r) => [(r.createdon as Date).getTime(), r.count])).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]));
  });

  it('date_trunc by day, week and year, grouped by the alias and by the ordinal', async () => {
    const byAlias = await query("SELECT date_trunc('day', createdon) AS day, count(*) AS n FROM account GROUP BY day ORDER BY day");
    const byOrdinal = await query("SELECT date_trunc('day', createdon) AS day, count(*) AS n FROM account GROUP BY 1 ORDER BY 1");
    expect(byOrdinal).toEqual(byAlias);
    expect(byAlias.reduce((sum, r) => sum + Number(r.n), 0)).toBe(30);
    expect(byAlias.map((r) => (r.day as Date).getTime())).toEqual([...new Set(accounts.map((a) => Math.floor(a.createdon.getTime() / DAY) * DAY))].sort((a, b) => a - b));
    // weeks start on Monday in PostgreSQL
    const weeks = await query("SELECT DISTINCT date_trunc('week', createdon) AS w FROM account");
    for (const r of weeks) expect((r.w as Date).getUTCDay()).toBe(1);
    const years = await query("SELECT date_trunc('year', createdon) AS y, count(*) AS n FROM account GROUP BY 1");
    expect(years.reduce((sum, r) => sum + Number(r.n), 0)).toBe(30);
  });

  it('interval arithmetic: timestamp ± interval, timestamp − timestamp, date − date', async () => {
    const rows = await query("SELECT accountid, createdon + interval '1 day' AS next, createdon - interval '1 month' AS before, modifiedon - createdon AS age, createdon::date - DATE '2020-01-01' AS days FROM account");
    for (const row of rows) {
      const a = accounts.find((x) => x.accountid === row.accountid)!;
      expect((row.next as Date).getTime()).toBe(a.createdon.getTime() + DAY);
      const before = new Date(a.createdon);
      const day = before.getUTCDate();
      before.setUTCDate(1);
      before.setUTCMonth(before.getUTCMonth() - 1);
      before.setUTCDate(Math.min(day, new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth() + 1, 0)).getUTCDate()));
      expect((row.before as Date).getTime()).toBe(before.getTime());
      const ms = a.modifiedon.getTime() - a.createdon.getTime();
      const days = Math.floor(ms / DAY);
      const rest = ms - days * DAY;
      const hms = [Math.floor(rest / 3_600_000), Math.floor((rest % 3_600_000) / 60_000), Math.floor((rest % 60_000) / 1000)].map((n) => String(n).padStart(2, '0')).join(':');
      expect(row.age).toBe([days ? `${days} day${days === 1 ? '' : 's'}` : '', rest ? hms : ''].filter(Boolean).join(' ') || '00:00:00');
      expect(row.days).toBe(Math.floor((Date.UTC(a.createdon.getUTCFullYear(), a.createdon.getUTCMonth(), a.createdon.getUTCDate()) - Date.UTC(2020, 0, 1)) / DAY));
    }
    const [literals] = await query("SELECT interval '1 year 2 mons 3 days 04:05:06.5' AS i, interval '3' hour AS h, '1 week'::interval AS w, interval '2 days' + interval '1 hour' AS s");
    expect(literals).toEqual({ i: '1 year 2 mons 3 days 04:05:06.5', h: '03:00:00', w: '7 days', s: '2 days 01:00:00' });
    await expect(query("SELECT interval 'soon' AS x")).rejects.toThrow(/Invalid interval 'soon'/);
  });

  it("createdon >= now() - interval '…' is one $filter, with one instant for the statement", async () => {
    const plan = await explain("SELECT name FROM account WHERE createdon >= now() - interval '7 days'");
    expect(plan).toMatch(/\$filter=createdon%20ge%20\d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(plan).not.toMatch(/\n\s*sql:/); // nothing left for the local engine
    const instant = new Date(decodeURIComponent(/createdon%20ge%20([^&\s]+)/.exec(plan)![1]!));
    expect(Math.abs(instant.getTime() + 7 * DAY - Date.now())).toBeLessThan(60_000);
    const before = Date.now();
    const [row] = await query("SELECT count(*) AS n FROM account WHERE createdon >= now() - interval '3 years'");
    const after = Date.now();
    const cutoff = (t: number) => { const d = new Date(t); d.setUTCFullYear(d.getUTCFullYear() - 3); return d.getTime(); };
    expect(Number(row!.n)).toBeGreaterThanOrEqual(countWhere((a) => a.createdon.getTime() >= cutoff(after)));
    expect(Number(row!.n)).toBeLessThanOrEqual(countWhere((a) => a.createdon.getTime() >= cutoff(before)));
    // one instant: now() equals itself and current_timestamp within a statement, and current_date is its UTC date
    const [same] = await query('SELECT now() = current_timestamp AS same, current_date AS today, now() AS t');
    expect(same!.same).toBe(true);
    const t = same!.t as Date;
    expect(same!.today).toBe(t.toISOString().slice(0, 10));
    expect(await explain('SELECT name FROM account WHERE createdon >= current_date')).toContain(`createdon%20ge%20${t.toISOString().slice(0, 10)}T00:00:00Z`);
  });

  it("Metabase's relative dates (date_trunc of now() plus a negative interval) are one $filter", async () => {
    const sql = `SELECT date_trunc('week', "account"."createdon") AS "createdon", count(*) AS "count" FROM "account" WHERE ("account"."createdon" >= date_trunc('month', (now() + (INTERVAL '-48 month'))) AND "account"."createdon" < date_trunc('month', now())) GROUP BY date_trunc('week', "account"."createdon") ORDER BY date_trunc('week', "account"."createdon") ASC`;
    const plan = await explain(sql);
    const now = new Date();
    const monthStart = (months: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1)).toISOString().replace('.000Z', 'Z');
    expect(plan).toContain(`$filter=createdon%20ge%20${monthStart(-48)}%20and%20createdon%20lt%20${monthStart(0)}`);
    const rows = await query(sql);
    const inRange = accounts.filter((a) => a.createdon.toISOString() >= monthStart(-48).replace('Z', '.000Z') && a.createdon.toISOString() < monthStart(0).replace('Z', '.000Z'));
    expect(rows.reduce((sum, r) => sum + Number(r.count), 0)).toBe(inRange.length);
  });

  it('to_char as BI tools use it', async () => {
    const rows = await query("SELECT accountid, to_char(createdon, 'YYYY-MM-DD') AS d, to_char(createdon, 'YYYY-MM') AS m, to_char(createdon, 'HH24:MI:SS') AS t FROM account");
    for (const row of rows) {
      const iso = accounts.find((a) => a.accountid === row.accountid)!.createdon.toISOString();
      expect([row.d, row.m, row.t]).toEqual([iso.slice(0, 10), iso.slice(0, 7), iso.slice(11, 19)]);
    }
  });
});

describe('text matching', () => {
  it('~ is case-sensitive, ~* is not, !~ and !~* negate', async () => {
    const names = async (sql: string) => (await query(sql)).map((r) => r.name).sort();
    const expected = (re: RegExp) => accounts.map((a) => a.name).filter((n) => re.test(n)).sort();
    expect(await names("SELECT name FROM account WHERE name ~ '^A'")).toEqual(expected(/^A/));
    expect(await names("SELECT name FROM account WHERE name ~ '^a'")).toEqual(expected(/^a/));
    expect(await names("SELECT name FROM account WHERE name ~* '^a'")).toEqual(expected(/^a/i));
    expect(await names("SELECT name FROM account WHERE name !~ 'sample'")).toEqual(accounts.map((a) => a.name).filter((n) => !/sample/.test(n)).sort());
    expect(await names("SELECT name FROM account WHERE name !~* 'SAMPLE'")).toEqual(accounts.map((a) => a.name).filter((n) => !/sample/i.test(n)).sort());
    expect(await explain("SELECT name FROM account WHERE name ~ '^A'")).toContain('regexp_matches');
  });

  it('ILIKE matches without case', async () => {
    const rows = await query("SELECT name FROM account WHERE name ILIKE '%SAMPLE%'");
    expect(rows.length).toBe(countWhere((a) => /sample/i.test(a.name)));
  });
});

describe('arrays, ANY and ALL', () => {
  it('= ANY($1) with a JavaScript array is Microsoft.Dynamics.CRM.In', async () => {
    const wanted = accounts.slice(0, 3).map((a) => a.name);
    const rows = await query('SELECT name FROM account WHERE name = ANY($1)', [wanted]);
    expect(rows.map((r) => r.name).sort()).toEqual([...wanted].sort());
    expect(decodeURIComponent(await explain('SELECT name FROM account WHERE name = ANY($1)', [wanted]))).toContain("Microsoft.Dynamics.CRM.In(PropertyName='name'");
  });

  it('<> ALL($1), an array in PostgreSQL text with a cast, ARRAY[…], an empty array', async () => {
    const wanted = accounts.slice(0, 2).map((a) => a.name);
    expect((await query('SELECT name FROM account WHERE name <> ALL($1)', [wanted])).length).toBe(28);
    const sizes = accounts.filter((a) => a.numberofemployees !== null).slice(0, 2).map((a) => a.numberofemployees!);
    const text = await query('SELECT name FROM account WHERE numberofemployees = ANY($1::int[])', [`{${sizes.join(',')}}`]);
    expect(text.length).toBe(countWhere((a) => a.numberofemployees !== null && sizes.includes(a.numberofemployees)));
    const literal = await query(`SELECT name FROM account WHERE numberofemployees = ANY(ARRAY[${sizes.join(', ')}])`);
    expect(literal.length).toBe(text.length);
    const above = await query(`SELECT name FROM account WHERE numberofemployees > ALL(ARRAY[${sizes.join(', ')}])`);
    expect(above.length).toBe(countWhere((a) => a.numberofemployees !== null && sizes.every((s) => a.numberofemployees! > s)));
    expect((await query('SELECT name FROM account WHERE name = ANY($1::text[])', ['{"' + wanted[0] + '","nobody"}'])).map((r) => r.name)).toEqual([wanted[0]]);
    expect(await query('SELECT name FROM account WHERE name = ANY($1)', [[]])).toEqual([]);
    expect((await query('SELECT name FROM account WHERE name <> ALL($1)', [[]])).length).toBe(30);
    await expect(query('SELECT name FROM account WHERE name = $1', [['a']])).rejects.toThrow(/holds an array/);
  });
});

describe('grouping, ordering and values', () => {
  it('GROUP BY an output alias or ordinal, ORDER BY an ordinal', async () => {
    const rows = await query('SELECT numberofemployees IS NULL AS missing, count(*) AS n FROM account GROUP BY missing ORDER BY 2 DESC');
    const missing = countWhere((a) => a.numberofemployees === null);
    expect(rows.map((r) => Number(r.n))).toEqual([30 - missing, missing].sort((a, b) => b - a));
    const ordinal = await query('SELECT numberofemployees IS NULL AS missing, count(*) AS n FROM account GROUP BY 1 ORDER BY 2 DESC');
    expect(ordinal).toEqual(rows);
    await expect(query('SELECT name FROM account GROUP BY 2')).rejects.toThrow(/GROUP BY position 2/);
  });

  it('COALESCE, NULLIF, GREATEST, LEAST, casts with PostgreSQL type names', async () => {
    const rows = await query("SELECT accountid, COALESCE(numberofemployees, -1) AS c, NULLIF(numberofemployees, 0) AS z, GREATEST(numberofemployees, 1000) AS g, LEAST(numberofemployees, 1000) AS l, createdon::date AS d, numberofemployees::text AS t, CAST(numberofemployees AS bigint) AS b, CAST(createdon AS timestamp) AS ts FROM account");
    for (const row of rows) {
      const a = accounts.find((x) => x.accountid === row.accountid)!;
      const n = a.numberofemployees;
      expect(row.c).toBe(n ?? -1);
      expect(row.g).toBe(n === null ? 1000 : Math.max(n, 1000));
      expect(row.l).toBe(n === null ? 1000 : Math.min(n, 1000));
      expect(row.d).toBe(a.createdon.toISOString().slice(0, 10));
      expect(row.t).toBe(n === null ? null : String(n));
      expect(Number(row.b ?? NaN)).toBe(n ?? NaN);
      expect((row.ts as Date).getTime()).toBe(a.createdon.getTime());
    }
  });

  it('a comparison with a cast parameter (SQLAlchemy, node-postgres) is still sent to the service', async () => {
    const plan = await explain('SELECT name FROM account WHERE numberofemployees >= $1::INTEGER AND accountid <> $2::uuid AND createdon < $3::timestamptz', [5000, accounts[0]!.accountid, new Date('2030-01-01T00:00:00Z')]);
    expect(plan).toContain('$filter=numberofemployees%20ge%205000%20and%20accountid%20ne%20');
    expect(plan).toContain('createdon%20lt%202030-01-01T00:00:00Z');
    const rows = await query('SELECT name FROM account WHERE numberofemployees >= $1::INTEGER AND accountid <> $2::uuid', [5000, accounts[0]!.accountid]);
    expect(rows.length).toBe(countWhere((a) => a.numberofemployees !== null && a.numberofemployees >= 5000 && a.accountid !== accounts[0]!.accountid));
    // a cast that could change or refuse the value is left to the local engine ('12.7'::int is an error in PostgreSQL)
    expect(await explain('SELECT name FROM account WHERE numberofemployees >= $1::int', ['12.7'])).not.toContain('$filter');
  });

  it('IS TRUE / IS FALSE / IS NOT TRUE treat NULL as neither', async () => {
    const count = async (test: string) => Number((await query(`SELECT count(*) AS n FROM account WHERE (numberofemployees > 5000) ${test}`))[0]!.n);
    const big = countWhere((a) => a.numberofemployees !== null && a.numberofemployees > 5000);
    const small = countWhere((a) => a.numberofemployees !== null && a.numberofemployees <= 5000);
    expect(await count('IS TRUE')).toBe(big);
    expect(await count('IS FALSE')).toBe(small);
    expect(await count('IS NOT TRUE')).toBe(30 - big);
    expect(await count('IS NOT FALSE')).toBe(30 - small);
  });

  it('BETWEEN SYMMETRIC takes its bounds in either order', async () => {
    const [row] = await query('SELECT count(*) AS n FROM account WHERE numberofemployees BETWEEN SYMMETRIC 20000 AND 1000');
    expect(Number(row!.n)).toBe(countWhere((a) => a.numberofemployees !== null && a.numberofemployees >= 1000 && a.numberofemployees <= 20000));
    const [not] = await query('SELECT count(*) AS n FROM account WHERE numberofemployees NOT BETWEEN SYMMETRIC 20000 AND 1000');
    expect(Number(not!.n)).toBe(countWhere((a) => a.numberofemployees !== null && (a.numberofemployees < 1000 || a.numberofemployees > 20000)));
  });

  it("PostgreSQL's semantics: integer division, AVG(int) numeric, NULLS FIRST, || with NULL", async () => {
    const [row] = await query("SELECT 7 / 2 AS d, avg(numberofemployees) AS a, 'a' || NULL AS c FROM account");
    const known = accounts.filter((a) => a.numberofemployees !== null).map((a) => a.numberofemployees!);
    expect(row!.d).toBe(3);
    expect(Number(row!.a)).toBeCloseTo(known.reduce((s, n) => s + n, 0) / known.length, 10);
    expect(row!.c).toBeNull();
    const first = await query('SELECT numberofemployees FROM account ORDER BY numberofemployees DESC NULLS FIRST LIMIT 1');
    expect(first[0]!.numberofemployees).toBeNull();
    const last = await query('SELECT numberofemployees FROM account ORDER BY numberofemployees NULLS LAST LIMIT 1');
    expect(last[0]!.numberofemployees).toBe(Math.min(...known));
  });

  it('window functions in the PostgreSQL dialect', async () => {
    const rows = await query('SELECT name, row_number() OVER (ORDER BY createdon, accountid) AS rn, count(*) OVER () AS total FROM account ORDER BY rn');
    const ordered = [...accounts].sort((a, b) => a.createdon.getTime() - b.createdon.getTime() || (a.accountid < b.accountid ? -1 : 1));
    expect(rows.map((r) => r.name)).toEqual(ordered.map((a) => a.name));
    expect(rows.every((r, i) => Number(r.rn) === i + 1 && Number(r.total) === 30)).toBe(true);
  });
});

describe('writes with the same forms (last: they change the rows)', () => {
  it("UPDATE … WHERE createdon < now() - interval … AND name = ANY($1), INSERT … now(), DELETE … = ANY($1::text[])", async () => {
    const target = accounts[0]!;
    const updated = await conn.query("UPDATE account SET description = 'touched' WHERE createdon < now() - interval '1 year' AND name = ANY($1)", [[target.name]], pg);
    expect(updated.rowCount).toBe(1);
    expect((await query('SELECT description FROM account WHERE accountid = $1::uuid', [target.accountid]))[0]!.description).toBe('touched');
    const before = Date.now();
    await conn.query("INSERT INTO account (name, lastusedincampaign) VALUES ('Interval Test', now())", [], pg);
    const [inserted] = await query("SELECT lastusedincampaign FROM account WHERE name = 'Interval Test' AND lastusedincampaign >= now() - interval '10 minutes'");
    expect((inserted!.lastusedincampaign as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const deleted = await conn.query('DELETE FROM account WHERE name = ANY($1::text[])', ['{"Interval Test"}'], pg);
    expect(deleted.rowCount).toBe(1);
  });
});
