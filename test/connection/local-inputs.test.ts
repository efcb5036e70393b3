/**
 * A local step's inputs are read at the same time (issue 15: the first row of a local join of
 * 2 × 500,000 rows waited for one whole read, then the other): a join of two tables asks the service
 * for both tables' pages together, answers as the service's own join does, and a cancel while both
 * reads run stops both (no request for either table after it) and leaves the connection usable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

/** an equi-join with no relationship behind it: with OData it runs in the local engine, with FetchXML on the service */
const JOIN = 'SELECT COUNT(*) AS n FROM account a JOIN contact c ON c.lastname = a.name';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  // every answer waits a little, so that two reads in turn and two at once are told apart
  emulator = await startEmulator({ port: 0, rows: 300, faults: { latencyMs: 20 } });
  conn = await connect(`Url=${emulator.url};Page Size=50;Remote Language=OData`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

const isRead = (table: string) => (url: string) => url.includes(`/${table}?`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a local step's inputs", () => {
  it('are read at the same time, and the join answers as the service joins', async () => {
    const from = emulator.requests().length;
    const { rows } = await conn.query(JOIN);
    const urls = emulator.requests().slice(from).map((r) => r.url);
    const accounts = urls.map((u, i) => (isRead('accounts')(u) ? i : -1)).filter((i) => i >= 0);
    const contacts = urls.map((u, i) => (isRead('contacts')(u) ? i : -1)).filter((i) => i >= 0);
    expect(accounts.length).toBeGreaterThan(2);
    expect(contacts.length).toBeGreaterThan(2);
    // read in turn, every page of one table would come before the first of the other
    expect(Math.max(accounts[0]!, contacts[0]!)).toBeLessThan(Math.min(accounts.at(-1)!, contacts.at(-1)!));
    const service = await connect(`Url=${emulator.url};Remote Language=FetchXML`);
    try {
      expect(rows).toEqual((await service.query(JOIN)).rows);
    } finally {
      await service.close();
    }
  });

  it('stop reading together on a cancel, and the connection answers the next statement', async () => {
    const from = emulator.requests().length;
    const controller = new AbortController();
    const both = () => {
      const urls = emulator.requests().slice(from).map((r) => r.url);
      return urls.some(isRead('accounts')) && urls.some(isRead('contacts'));
    };
    const running = conn.query(JOIN, undefined, { signal: controller.signal, onProgress: () => { if (both()) controller.abort(); } });
    await expect(running).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    const after = emulator.requests().length;
    // the requests in flight were aborted: neither read asks for another page
    await sleep(500);
    expect(emulator.requests().length).toBe(after);
    expect((await conn.query('SELECT COUNT(*) AS n FROM account')).rows).toEqual([{ n: 300 }]);
  });
});
