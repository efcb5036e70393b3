/**
 * HAVING on a count over FetchXML groups (src/connection/having-cut.ts): the groups come ordered by
 * the count and are read 100, then 1,000, then all, until the last one read fails the bound. The
 * rows are push-down off's whichever read ends it; issue 18's `GROUP BY name HAVING count(*) > 1`
 * reads 100 groups of 1,200.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection, type Progress } from '../../src/index.js';
import { asMultiset } from '../select/compare-rows.js';

let emulator: RunningEmulator;
let conn: Connection;
let off: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 1200 });
  conn = await connect(`Url=${emulator.url}`);
  off = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await conn?.close();
  await off?.close();
  await emulator?.close();
});

async function run(sql: string): Promise<{ read: number; sent: string[] }> {
  const before = emulator.requests().length;
  let last: Progress | undefined;
  const result = await conn.query(sql, undefined, { onProgress: (p) => { last = p; } });
  const sent = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url));
  expect(asMultiset(result.rows)).toEqual(asMultiset((await off.query(sql)).rows));
  return { read: last?.rows ?? 0, sent };
}

describe('HAVING on a count over FetchXML groups', () => {
  it("issue 18's GROUP BY name HAVING count(*) > 1: one request of the first 100 groups by count, descending", async () => {
    const { read, sent } = await run('SELECT name, count(*) FROM account GROUP BY name HAVING count(*) > 1');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('<fetch aggregate="true" top="100">');
    expect(sent[0]).toContain('<order alias="a1" descending="true"/>');
    expect(read).toBe(100);
  });

  it('every group passing: 100, then 1,000, then the whole aggregate', async () => {
    const { read, sent } = await run('SELECT name, count(*) AS n FROM account GROUP BY name HAVING count(*) >= 1 AND count(*) < 5');
    expect(sent.map((u) => /top="(\d+)"/.exec(u)?.[1] ?? 'all')).toEqual(['100', '1000', 'all']);
    expect(read).toBe(100 + 1000 + 1200);
  });

  it('the bound on the left and a count below it: ascending order', async () => {
    const { sent } = await run('SELECT name, count(name) AS n FROM account GROUP BY name HAVING 2 > count(name) ORDER BY n, name');
    expect(sent[0]).toContain('<order alias="a1"/>');
  });
});
