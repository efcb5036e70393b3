/**
 * Parallel Reads (issue 21): a scan past its first page read as ranges of createdon at once, against
 * the emulator failing about 5 % of requests (503s, resets, truncated bodies). Every row comes back
 * exactly once, in the statement's order, with its filter and its row limit, as the same statement
 * read page after page (Parallel Reads=Off) gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { boundUrl, withCondition } from '../../src/odata/index.js';
import { collationKey } from '../../src/util/index.js';

/** 12 pages of 100 */
const ROWS = 1_200;
const faults = { seed: 2101, serverErrorRate: 0.02, resetBeforeResponseRate: 0.015, truncateBodyRate: 0.015 };

let emulator: RunningEmulator;
let parallel: Connection;
let sequential: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: ROWS, faults });
  parallel = await connect(`Url=${emulator.url};Page Size=100;Parallel Reads=4`);
  sequential = await connect(`Url=${emulator.url};Page Size=100;Parallel Reads=Off`);
});

afterAll(async () => {
  await parallel?.close();
  await sequential?.close();
  await emulator?.close();
});

/** the statement's requests to the service, decoded, and its rows */
async function run(conn: Connection, sql: string): Promise<{ rows: Record<string, unknown>[]; urls: string[] }> {
  const before = emulator.requests().length;
  const { rows } = await conn.query(sql);
  const urls = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url));
  return { rows, urls };
}

function counts(rows: Record<string, unknown>[], key: string): Map<unknown, number> {
  const seen = new Map<unknown, number>();
  for (const row of rows) seen.set(row[key], (seen.get(row[key]) ?? 0) + 1);
  return seen;
}

describe('Parallel Reads under 5 % injected faults', () => {
  it('without ORDER BY: every row exactly once, read as four ranges of createdon', async () => {
    const faultsBefore = emulator.stats.faultsInjected ?? 0;
    const { rows, urls } = await run(parallel, 'SELECT accountid, name FROM account');
    const seen = counts(rows, 'accountid');
    expect(seen.size).toBe(ROWS);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // the two bounds, then the ranges: the first open below with the nulls, the last open above
    expect(urls.filter((u) => u.includes('$top=1') && u.includes('$orderby=createdon'))).not.toHaveLength(0);
    expect(urls.some((u) => /createdon eq null or createdon lt \d{4}-/.test(u))).toBe(true);
    expect(urls.some((u) => /createdon ge \d{4}-[^&]*$|createdon ge [^ &)]+\)(&|$)/.test(u))).toBe(true);
    expect((emulator.stats.faultsInjected ?? 0) - faultsBefore).toBeGreaterThan(0);
  });

  it('with ORDER BY: the ranges merged in the service\'s order, text under its collation', async () => {
    const sql = 'SELECT accountid, name FROM account ORDER BY name';
    const [{ rows, urls }, { rows: expected }] = await Promise.all([run(parallel, sql), run(sequential, sql)]);
    expect(urls.some((u) => u.includes('createdon ge'))).toBe(true);
    expect(counts(rows, 'accountid').size).toBe(ROWS);
    expect(rows).toHaveLength(ROWS);
    // names equal under the collation may come in either order, as from the service
    expect(rows.map((r) => collationKey(String(r.name ?? '')))).toEqual(expected.map((r) => collationKey(String(r.name ?? ''))));
  });

  it('with a filter and ORDER BY … DESC: the filter holds in every range, nulls last', async () => {
    const sql = 'SELECT accountid, revenue FROM account WHERE numberofemployees > 100 ORDER BY revenue DESC';
    const [{ rows, urls }, { rows: expected }] = await Promise.all([run(parallel, sql), run(sequential, sql)]);
    const ranges = urls.filter((u) => u.includes('createdon ge'));
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((u) => u.includes('numberofemployees gt 100'))).toBe(true);
    expect(new Set(rows.map((r) => r.accountid))).toEqual(new Set(expected.map((r) => r.accountid)));
    expect(rows).toHaveLength(expected.length);
    expect(rows.map((r) => r.revenue)).toEqual(expected.map((r) => r.revenue));
  });

  it('TOP and ORDER BY run locally over a scan read in ranges: the same rows as page after page', async () => {
    // upper(name) keeps the condition, so ORDER BY and TOP, local: the whole scan is read
    const sql = "SELECT TOP 25 accountid, name FROM account WHERE upper(name) <> 'NONE' ORDER BY name, accountid";
    const [{ rows, urls }, { rows: expected }] = await Promise.all([run(parallel, sql), run(sequential, sql)]);
    expect(urls.some((u) => u.includes('createdon ge'))).toBe(true);
    expect(rows).toEqual(expected);
  });

  it('a read of one page sends nothing more', async () => {
    const { rows, urls } = await run(parallel, 'SELECT accountid FROM account WHERE revenue > 4900000');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100);
    // one request (sent again when a fault meets it), no bounds, no ranges
    expect(new Set(urls).size).toBe(1);
    expect(urls.some((u) => u.includes('createdon'))).toBe(false);
  });
});

describe('TOP above the largest page (5,000 rows)', () => {
  it('exactly that many rows, the first in the order', async () => {
    const big = await startEmulator({ port: 0, rows: 5_200 });
    const [fast, slow] = await Promise.all([
      connect(`Url=${big.url};Page Size=1000;Parallel Reads=3`), connect(`Url=${big.url};Page Size=1000;Parallel Reads=Off`),
    ]);
    try {
      const sql = 'SELECT TOP 5100 accountid, revenue FROM account ORDER BY revenue';
      const before = big.requests().length;
      const [{ rows }, { rows: expected }] = await Promise.all([fast.query(sql), slow.query(sql)]);
      expect(big.requests().slice(before).some((r) => decodeURIComponent(r.url).includes('createdon ge'))).toBe(true);
      expect(rows).toHaveLength(5100);
      expect(counts(rows, 'accountid').size).toBe(5100);
      expect(rows.map((r) => r.revenue)).toEqual(expected.map((r) => r.revenue));
    } finally {
      await fast.close();
      await slow.close();
      await big.close();
    }
  });
});

describe('EXPLAIN and the setting', () => {
  it('shows the ranges and the merge; Off gives the plan page after page', async () => {
    const sql = 'SELECT name, revenue FROM account ORDER BY name';
    expect(await parallel.explain(sql)).toContain('parallel: past a full first page, every row read as 4 ranges of createdon at once (bounds from two one-row reads), merged in the order of name');
    expect(await sequential.explain(sql)).not.toContain('parallel');
    expect(await parallel.explain('SELECT name FROM account')).toContain('their rows handed out as they arrive');
  });

  it('Pushdown off reads page after page whatever Parallel Reads says: the service is asked for plain reads only (the in-suite fuzz caught a range $filter sent with push-down off)', async () => {
    const plain = await connect(`Url=${emulator.url};Page Size=100;Parallel Reads=4;Pushdown=false`);
    try {
      expect(await plain.explain('SELECT accountid FROM account')).not.toContain('parallel:');
      const { rows, urls } = await run(plain, 'SELECT accountid FROM account');
      expect(new Set(rows.map((r) => r.accountid)).size).toBe(ROWS);
      expect(urls.filter((u) => u.includes('$filter=') || u.includes('$orderby='))).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('a GUID order is read page after page, and EXPLAIN says why', async () => {
    const text = await parallel.explain('SELECT accountid FROM account ORDER BY accountid');
    expect(text).toContain("page after page: accountid is a GUID, which the service orders as SQL Server's uniqueidentifier");
    expect(text).not.toContain('parallel:');
  });

  it('refuses a value that is not Auto, Off or 2..64', async () => {
    await expect(connect(`Url=${emulator.url};Parallel Reads=1`)).rejects.toMatchObject({ code: 'DYNASQL_ERR_CONFIG' });
    await expect(connect(`Url=${emulator.url};Parallel Reads=sometimes`)).rejects.toThrow(/Parallel Reads' must be Auto, Off or a whole number from 2 to 64/);
  });
});

describe('cancelling a read in ranges', () => {
  it('stops every range: no request is sent after the cancel', async () => {
    const controller = new AbortController();
    let read = 0;
    const error = await (async () => {
      for await (const _ of parallel.stream('SELECT accountid FROM account ORDER BY name', undefined, { signal: controller.signal })) {
        if (++read === 150) controller.abort();
      }
    })().then(() => undefined, (e: { code: string }) => e);
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    const after = emulator.requests().length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emulator.requests().length).toBe(after);
  });
});

describe('the ranges\' requests (odata/range-query.ts)', () => {
  it('ands the range to the filter, each side in parentheses, and adds a filter where there is none', () => {
    expect(withCondition("accounts?$select=name&$filter=name%20eq%20'a'%20or%20revenue%20gt%200&$orderby=name", 'createdon lt 2024-01-01T00:00:00.000Z'))
      .toBe("accounts?$select=name&$filter=(name%20eq%20%27a%27%20or%20revenue%20gt%200)%20and%20(createdon%20lt%202024-01-01T00:00:00.000Z)&$orderby=name");
    expect(withCondition('accounts?$select=name&$orderby=name', 'createdon ge 2024-01-01T00:00:00.000Z'))
      .toBe('accounts?$select=name&$filter=createdon%20ge%202024-01-01T00:00:00.000Z&$orderby=name');
  });

  it('reads a bound as one row of the column alone, the filter kept, $expand and the order dropped', () => {
    expect(boundUrl('accounts?$select=name&$expand=primarycontactid($select=fullname)&$filter=revenue%20gt%200&$orderby=name', 'createdon', true))
      .toBe('accounts?$filter=(revenue%20gt%200)%20and%20(createdon%20ne%20null)&$select=createdon&$orderby=createdon%20desc&$top=1');
  });
});
