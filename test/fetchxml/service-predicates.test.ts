/**
 * dynasql's service-only predicates (issue 18): the hierarchy (UNDER, EQ_OR_UNDER, NOT_UNDER, ABOVE,
 * EQ_OR_ABOVE), the calling user (CURRENT_USER_ID()) and the relative dates (LAST_X_DAYS, THIS_YEAR,
 * …) go as their FetchXML operators and give the rows the same question asked in plain SQL gives
 * with push-down off; where the statement cannot go as FetchXML, they are refused before any request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { asMultiset } from '../select/compare-rows.js';

// the emulator's clock: relative dates are taken from it, in UTC
const NOW = new Date('2024-06-15T10:00:00.000Z');
// a chain of three accounts below one of the seed (ids of our own), so that the hierarchy is deeper than one level
const TOP = '00000000-0000-4000-8000-0000000000a1';
const MIDDLE = '00000000-0000-4000-8000-0000000000a2';
const BOTTOM = '00000000-0000-4000-8000-0000000000a3';

let emulator: RunningEmulator;
let fetch: Connection;
let auto: Connection;
let odata: Connection;
let off: Connection;
let userId: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 80, now: () => NOW });
  fetch = await connect(`Url=${emulator.url};Remote Language=FetchXML`);
  auto = await connect(`Url=${emulator.url}`);
  odata = await connect(`Url=${emulator.url};Remote Language=OData`);
  off = await connect(`Url=${emulator.url};Pushdown=false`);
  await off.query(`INSERT INTO account (accountid, name) VALUES ('${TOP}', 'Hierarchy top')`);
  await off.query(`INSERT INTO account (accountid, name, parentaccountid) VALUES ('${MIDDLE}', 'Hierarchy middle', '${TOP}')`);
  await off.query(`INSERT INTO account (accountid, name, parentaccountid) VALUES ('${BOTTOM}', 'Hierarchy bottom', '${MIDDLE}')`);
  const whoAmI = await globalThis.fetch(`${emulator.url}WhoAmI`);
  userId = ((await whoAmI.json()) as { UserId: string }).UserId;
});

afterAll(async () => {
  for (const conn of [fetch, auto, odata, off]) await conn?.close();
  await emulator?.close();
});

/** the rows of `sql` on `conn`, and the FetchXML it sent */
async function run(conn: Connection, sql: string): Promise<{ rows: string[]; fetches: string[]; requests: number }> {
  const before = emulator.requests().length;
  const result = await conn.query(sql);
  const sent = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url));
  return { rows: asMultiset(result.rows), fetches: sent.filter((u) => u.includes('fetchXml=')), requests: sent.length };
}

/** every account's parent, read with push-down off, to walk the hierarchy in the test */
async function parents(): Promise<Map<string, string | null>> {
  const rows = (await off.query('SELECT accountid, parentaccountid FROM account')).rows as { accountid: string; parentaccountid: string | null }[];
  return new Map(rows.map((r) => [r.accountid.toLowerCase(), r.parentaccountid?.toLowerCase() ?? null]));
}

function below(tree: Map<string, string | null>, id: string): Set<string> {
  const out = new Set<string>();
  for (const [child] of tree) {
    for (let at = tree.get(child), steps = 0; at && steps < tree.size; at = tree.get(at), steps++) {
      if (at === id) out.add(child);
    }
  }
  return out;
}

function above(tree: Map<string, string | null>, id: string): Set<string> {
  const out = new Set<string>();
  for (let at = tree.get(id), steps = 0; at && steps < tree.size; at = tree.get(at), steps++) out.add(at);
  return out;
}

const idList = (ids: Iterable<string>) => [...ids].map((id) => `'${id}'`).join(', ');

describe('hierarchy predicates', () => {
  it('UNDER, EQ_OR_UNDER, ABOVE, EQ_OR_ABOVE give the rows the walked hierarchy gives', async () => {
    const tree = await parents();
    const cases: [string, string, Set<string>][] = [
      ['UNDER', TOP, below(tree, TOP)],
      ['EQ_OR_UNDER', TOP, new Set([TOP, ...below(tree, TOP)])],
      ['ABOVE', BOTTOM, above(tree, BOTTOM)],
      ['EQ_OR_ABOVE', BOTTOM, new Set([BOTTOM, ...above(tree, BOTTOM)])],
    ];
    for (const [fn, id, expected] of cases) {
      expect(expected.size, fn).toBeGreaterThanOrEqual(2);
      const sql = `SELECT accountid, name FROM account WHERE ${fn}(accountid, '${id}')`;
      for (const conn of [fetch, auto]) {
        const pushed = await run(conn, sql);
        expect(pushed.fetches, sql).toHaveLength(1);
        expect(pushed.fetches[0]).toContain(`<condition attribute="accountid" operator="${fn.toLowerCase().replace(/_/g, '-')}" value="${id}"/>`);
        const plain = await run(off, `SELECT accountid, name FROM account WHERE accountid IN (${idList(expected)})`);
        expect(pushed.rows, sql).toEqual(plain.rows);
      }
    }
  });

  it('NOT_UNDER is the service\'s not-under, combined with other conditions and a join', async () => {
    const tree = await parents();
    const sql = `SELECT a.name, p.name AS parent FROM account a JOIN account p ON p.accountid = a.parentaccountid WHERE NOT_UNDER(a.accountid, '${TOP}') AND a.name LIKE '%'`;
    const pushed = await run(fetch, sql);
    expect(pushed.fetches[0]).toContain(`operator="not-under" value="${TOP}"`);
    // the emulator's not-under leaves out the record itself and every row below it (src/emulator/README.md)
    const excluded = new Set([TOP, ...below(tree, TOP)]);
    const plain = await run(off, `SELECT a.name, p.name AS parent FROM account a JOIN account p ON p.accountid = a.parentaccountid WHERE a.accountid NOT IN (${idList(excluded)})`);
    expect(pushed.rows).toEqual(plain.rows);
    expect(pushed.rows.length).toBeGreaterThan(0);
  });
});

describe('NOT of a hierarchy predicate', () => {
  it('NOT UNDER is not-under or the record itself, NOT EQ_OR_UNDER is not-under and not the record: exact whether not-under keeps the record or not', async () => {
    const tree = await parents();
    const cases: [string, string, Set<string>][] = [
      [`NOT UNDER(accountid, '${TOP}')`, `<filter type="or"><condition attribute="accountid" operator="not-under" value="${TOP}"/><condition attribute="accountid" operator="eq" value="${TOP}"/></filter>`, below(tree, TOP)],
      [`NOT EQ_OR_UNDER(accountid, '${MIDDLE}') AND name LIKE 'H%'`, `<condition attribute="accountid" operator="not-under" value="${MIDDLE}"/><condition attribute="accountid" operator="ne" value="${MIDDLE}"/>`, new Set([MIDDLE, ...below(tree, MIDDLE)])],
    ];
    for (const [where, conditions, excluded] of cases) {
      expect(excluded.size).toBeGreaterThanOrEqual(1);
      const sql = `SELECT accountid, name FROM account WHERE ${where}`;
      const pushed = await run(auto, sql);
      expect(pushed.fetches, sql).toHaveLength(1);
      expect(pushed.fetches[0]).toContain(conditions);
      const rest = where.includes(' AND ') ? ` AND ${where.slice(where.indexOf(' AND ') + 5)}` : '';
      const plain = await run(off, `SELECT accountid, name FROM account WHERE accountid NOT IN (${idList(excluded)})${rest}`);
      expect(pushed.rows, sql).toEqual(plain.rows);
      expect(pushed.rows.length).toBeGreaterThan(0);
    }
  });

  it('NOT NOT_UNDER, NOT ABOVE, NOT EQ_OR_ABOVE and NOT of a relative date are refused, saying why', async () => {
    const cases: [string, RegExp][] = [
      [`NOT NOT_UNDER(accountid, '${TOP}')`, /whether not-under keeps the record itself/],
      [`NOT ABOVE(accountid, '${BOTTOM}')`, /no not-above operator/],
      [`NOT (EQ_OR_ABOVE(accountid, '${BOTTOM}') AND name IS NOT NULL)`, /no not-above operator/],
      ['NOT TODAY(createdon)', /no operator is documented to keep exactly the dates outside today/],
      ['NOT LAST_X_DAYS(createdon, 3) OR name IS NULL', /outside last-x-days/],
    ];
    for (const [where, reason] of cases) {
      const before = emulator.requests().length;
      await expect(auto.query(`SELECT name FROM account WHERE ${where}`), where).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL', message: expect.stringMatching(reason) });
      expect(emulator.requests().length).toBe(before);
    }
  });
});

describe('the calling user', () => {
  it('= CURRENT_USER_ID() is eq-userid, <> is ne-userid without nulls, as ownerid compared with the WhoAmI id', async () => {
    for (const [op, operator] of [['=', 'eq-userid'], ['<>', 'ne-userid']] as const) {
      const pushed = await run(auto, `SELECT name, ownerid FROM account WHERE ownerid ${op} CURRENT_USER_ID()`);
      expect(pushed.fetches[0]).toContain(`<condition attribute="ownerid" operator="${operator}"/>`);
      const plain = await run(off, `SELECT name, ownerid FROM account WHERE ownerid ${op} '${userId}'`);
      expect(pushed.rows).toEqual(plain.rows);
      expect(pushed.rows.length).toBeGreaterThan(0);
    }
  });
});

describe('relative dates', () => {
  // the emulator's bounds, in UTC (src/emulator/README.md), written as plain SQL ranges
  const CASES: [string, string][] = [
    ['THIS_YEAR(createdon)', "createdon >= '2024-01-01' AND createdon < '2025-01-01'"],
    ['LAST_YEAR(createdon)', "createdon >= '2023-01-01' AND createdon < '2024-01-01'"],
    ['LAST_X_MONTHS(createdon, 4)', "createdon >= '2024-02-15' AND createdon <= '2024-06-15T10:00:00'"],
    ['LAST_X_DAYS(createdon, 90)', "createdon >= '2024-03-17' AND createdon <= '2024-06-15T10:00:00'"],
    // the operator's name without dashes is a second spelling
    ['LastXDays(createdon, 90) AND modifiedon IS NOT NULL OR OlderThanXYears(createdon, 5)', "createdon >= '2024-03-17' AND createdon <= '2024-06-15T10:00:00' AND modifiedon IS NOT NULL OR createdon < '2019-06-15'"],
    ['OLDER_THAN_X_MONTHS(createdon, 12)', "createdon < '2023-06-15'"],
  ];
  it.each(CASES)('%s', async (predicate, range) => {
    const pushed = await run(fetch, `SELECT name, createdon FROM account WHERE ${predicate}`);
    expect(pushed.fetches).toHaveLength(1);
    const plain = await run(off, `SELECT name, createdon FROM account WHERE ${range}`);
    expect(pushed.rows).toEqual(plain.rows);
    expect(pushed.rows.length).toBeGreaterThan(0);
  });

  it('counts per group with the predicate, in one aggregate request', async () => {
    const pushed = await run(auto, 'SELECT MONTH(createdon) AS m, COUNT(*) AS n FROM account WHERE THIS_YEAR(createdon) GROUP BY MONTH(createdon)');
    expect(pushed.fetches).toHaveLength(1);
    expect(pushed.fetches[0]).toMatch(/aggregate="true".*operator="this-year"/);
    const plain = await run(off, "SELECT MONTH(createdon) AS m, COUNT(*) AS n FROM account WHERE createdon >= '2024-01-01' AND createdon < '2025-01-01' GROUP BY MONTH(createdon)");
    expect(pushed.rows).toEqual(plain.rows);
  });
});

describe('the search for a predicate', () => {
  it('looks into a recursive CTE, and leaves one without a predicate alone', async () => {
    const cte = (where: string) => `WITH RECURSIVE h AS (SELECT t0.accountid AS id, 0 AS lvl FROM account t0 WHERE ${where} UNION ALL SELECT t1.accountid AS id, (r1.lvl + 1) AS lvl FROM h r1 JOIN account t1 ON t1.parentaccountid = r1.id WHERE r1.lvl < 1) SELECT d.id, d.lvl FROM h d`;
    const plain = await auto.query(cte("t0.name >= 'A'"), undefined, { dialect: 'postgresql' });
    expect(plain.rows.length).toBeGreaterThan(0);
    await expect(auto.query(cte('THISYEAR(t0.createdon)'), undefined, { dialect: 'postgresql' })).rejects.toThrow(/THIS_YEAR\(\) is answered by the service alone/);
  });
});

describe('refusals, before any request', () => {
  const CASES: ['odata' | 'auto', string, string][] = [
    ['odata', `SELECT name FROM account WHERE UNDER(accountid, '${TOP}')`, 'DYNASQL_ERR_UNSUPPORTED_SQL'],
    ['auto', 'SELECT name FROM account WHERE NOT LAST_X_DAYS(createdon, 3)', 'DYNASQL_ERR_UNSUPPORTED_SQL'],
    ['auto', `EXPLAIN SELECT name FROM account WHERE UNDER(accountid, (SELECT TOP 1 accountid FROM account))`, 'DYNASQL_ERR_UNSUPPORTED_SQL'],
    ['auto', 'SELECT name, THIS_MONTH(createdon) FROM account', 'DYNASQL_ERR_UNSUPPORTED_SQL'],
    ['auto', `SELECT name FROM account WHERE UNDER(name, '${TOP}')`, 'DYNASQL_ERR_TYPE'],
    ['auto', 'SELECT name FROM account WHERE LAST_X_DAYS(name, 3)', 'DYNASQL_ERR_TYPE'],
    ['auto', 'SELECT name FROM account WHERE LAST_X_DAYS(createdon, -3)', 'DYNASQL_ERR_TYPE'],
    ['auto', 'SELECT name FROM account WHERE name = CURRENT_USER_ID()', 'DYNASQL_ERR_UNSUPPORTED_SQL'],
  ];
  it.each(CASES)('%s: %s', async (language, sql, code) => {
    const before = emulator.requests().length;
    await expect((language === 'odata' ? odata : auto).query(sql)).rejects.toMatchObject({ code });
    if (code === 'DYNASQL_ERR_UNSUPPORTED_SQL') await expect((language === 'odata' ? odata : auto).query(sql)).rejects.toThrow(/answered by the service alone/);
    expect(emulator.requests().length).toBe(before);
  });
});
