/**
 * Ungrouped aggregates no one request computes, answered by a request per part and set side by side
 * (src/pushdown/aggregate-parts.ts), end to end against the emulator: the rows push-down off gives,
 * one row read per part; over no rows too; and, when the service refuses a part (its 50,000-row
 * limit, lowered here), by parts past the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection, type Progress } from '../../src/index.js';

const ISSUE = 'SELECT count(*), count(name), count(DISTINCT name), max(name), min(name), avg(numberofemployees) FROM account';

let emulator: RunningEmulator;
let limited: RunningEmulator;
let conns: Connection[] = [];

beforeAll(async () => {
  [emulator, limited] = await Promise.all([startEmulator({ port: 0, rows: 120 }), startEmulator({ port: 0, rows: 120, aggregateLimit: 40 })]);
});

afterAll(async () => {
  for (const c of conns) await c.close();
  await emulator?.close();
  await limited?.close();
});

async function open(on: RunningEmulator, settings = ''): Promise<Connection> {
  const conn = await connect(`Url=${on.url};${settings}`);
  conns.push(conn);
  return conn;
}

async function run(on: RunningEmulator, conn: Connection, sql: string): Promise<{ rows: unknown[]; read: number; sent: string[] }> {
  const before = on.requests().length;
  let last: Progress | undefined;
  const result = await conn.query(sql, undefined, { onProgress: (p) => { last = p; } });
  // the metadata API's one read per table (is numberofemployees a choice? pushdown/column-kinds.ts) is not the statement's
  const sent = on.requests().slice(before).map((r) => decodeURIComponent(r.url)).filter((url) => !url.includes('EntityDefinitions('));
  return { rows: result.rows, read: last?.rows ?? 0, sent };
}

describe('ungrouped aggregates by parts', () => {
  it("issue 18's statement: two aggregate requests, one row each, the rows of push-down off", async () => {
    const off = await open(emulator, 'Pushdown=false');
    for (const language of ['Auto', 'FetchXML']) {
      const conn = await open(emulator, `Remote Language=${language}`);
      const { rows, read, sent } = await run(emulator, conn, ISSUE);
      expect(rows).toEqual((await off.query(ISSUE)).rows);
      expect(read).toBe(2);
      expect(sent).toHaveLength(2);
      expect(sent[0]).toContain('aggregate="countcolumn" distinct="true"');
      expect(sent[1]).toContain('$apply=aggregate(name with max as a1,name with min as a2)');
    }
  });

  it('over no rows: counts of 0, NULL for the rest, as push-down off', async () => {
    const sql = `${ISSUE} WHERE name = 'no such account'`;
    const { rows, sent } = await run(emulator, await open(emulator), sql);
    expect(rows).toEqual([{ count: 0, count_2: 0, count_3: 0, max: null, min: null, avg: null }]);
    expect(rows).toEqual((await (await open(emulator, 'Pushdown=false')).query(sql)).rows);
    expect(sent).toHaveLength(2);
  });

  it('EXPLAIN shows each request and why the parts', async () => {
    const { rows } = await (await open(emulator)).query(`EXPLAIN ${ISSUE}`);
    const text = rows.map((r) => Object.values(r).join(' ')).join('\n');
    expect(text.match(/^Remote/gm)).toHaveLength(2);
    expect(text).toContain('the aggregates are computed by 2 requests over the same rows');
  });

  it('a part the service refuses (the aggregate limit) is answered by the parts past the limit: MIN / MAX of text as first rows', async () => {
    const sql = `${ISSUE} WHERE statecode = 0`;
    const { rows, read, sent } = await run(limited, await open(limited), sql);
    expect(rows).toEqual((await (await open(limited, 'Pushdown=false')).query(sql)).rows);
    // the distinct count reads the parts' groups of name; MAX and MIN of name a row each (pushdown/rules/extreme-as-first-row.ts)
    expect(sent.filter((u) => u.includes('top="1"') && u.includes('<order attribute="name"'))).toHaveLength(2);
    expect(sent.some((u) => u.includes('$select='))).toBe(false);
    expect(read).toBeLessThan(120);
    expect(await (await open(limited)).explain(sql)).toContain('1 FetchXML aggregate and 2 first-row reads');
  });
});
