/**
 * `QueryOptions.onProgress` reports as pages arrive (not only at the end), with the statement's own
 * request count, against the emulator over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection, type Progress } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 300 });
  conn = await connect(`Url=${emulator.url};Page Size=100;Remote Language=OData;Parallel Reads=Off`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('onProgress', () => {
  it('reports each page of a streamed SELECT before the statement ends, with increasing counts', async () => {
    const events: Progress[] = [];
    const seenDuringRows: number[] = [];
    let count = 0;
    for await (const _row of conn.stream('SELECT name FROM account', undefined, { onProgress: (p) => events.push(p) })) {
      count++;
      // a slow consumer: the throttle (10 a second) lets each page's report through
      if (count % 100 === 0) await pause(120);
      seenDuringRows.push(events.at(-1)?.pages ?? 0);
    }
    expect(count).toBe(300);
    // pages 1 and 2 were reported while rows were still being handed out
    expect(seenDuringRows).toContain(1);
    expect(seenDuringRows).toContain(2);
    const pages = events.map((e) => e.pages);
    expect(pages).toEqual([...pages].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ pages: 3, rows: 300, requests: 3, throttledMs: 0 });
    // the first report comes after page 1's rows; page 2 may already have been asked for (read-ahead)
    expect(events[0]).toMatchObject({ pages: 1, rows: 100 });
    expect(events[0]!.requests).toBeGreaterThanOrEqual(1);
    expect(events[0]!.requests).toBeLessThanOrEqual(2);
    for (let i = 1; i < events.length; i++) expect(events[i]!.elapsedMs).toBeGreaterThanOrEqual(events[i - 1]!.elapsedMs);
  });

  it('query() reports the first page at once and the totals at the end; callbacks are throttled', async () => {
    const events: Progress[] = [];
    const result = await conn.query('SELECT name FROM account', undefined, { onProgress: (p) => events.push(p) });
    expect(result.rowCount).toBe(300);
    expect(events[0]).toMatchObject({ pages: 1, rows: 100 });
    expect(events.at(-1)).toMatchObject({ pages: 3, rows: 300, requests: 3 });
    // reports less than 100 ms apart are dropped (the final one always goes out)
    const spacing = events.slice(1, -1).map((e, i) => e.elapsedMs - events[i]!.elapsedMs);
    for (const gap of spacing) expect(gap).toBeGreaterThanOrEqual(100);
  });

  it('a local plan reports its remote pages as it reads them', async () => {
    const sql = "SELECT name, COUNT(*) AS n FROM account WHERE name LIKE '%[a]%' GROUP BY name";
    expect(await conn.explain(sql)).toContain('local');
    const events: Progress[] = [];
    await conn.query(sql, undefined, { onProgress: (p) => events.push(p) });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]!.pages).toBe(1);
    expect(events.at(-1)!.pages).toBeGreaterThanOrEqual(3);
  });

  it('a write reports the rows written so far, ending with the rows it changed', async () => {
    const events: Progress[] = [];
    const result = await conn.query("UPDATE account SET description = 'progress' WHERE name IS NOT NULL", undefined, { onProgress: (p) => events.push(p) });
    expect(result.rowCount).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThanOrEqual(1);
    // the key-reading SELECT's pages and the $batch requests are all counted
    expect(events.at(-1)).toMatchObject({ rows: result.rowCount });
    expect(events.at(-1)!.requests).toBeGreaterThanOrEqual(4);
  });
});
