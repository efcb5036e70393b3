/**
 * Issue 14.2: a TOP above the service's page size. The service answers a `$top` above its page with
 * one page and no nextLink, so the driver sends no `$top` there: it follows the nextLinks and stops
 * after n rows. End to end against an emulator holding more than one page of accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;
let root: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 12000 });
  root = new URL(emulator.url).pathname;
  // the requests of a read page after page (Parallel Reads: partitioned-reads.test.ts)
  conn = await connect(`Url=${emulator.url};Parallel Reads=Off`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

async function run(sql: string): Promise<{ rows: Record<string, unknown>[]; sent: string[] }> {
  const before = emulator.requests().length;
  const result = await conn.query(sql);
  const sent = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url.slice(root.length)));
  return { rows: result.rows, sent };
}

describe('issue 14.2: TOP above the page size', () => {
  it('SELECT TOP 10000 accountid, name FROM account returns 10,000 rows, not 5,000', async () => {
    const { rows, sent } = await run('SELECT TOP 10000 accountid, name FROM account');
    expect(rows).toHaveLength(10000);
    expect(new Set(rows.map((r) => r.accountid)).size).toBe(10000);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe('accounts?$select=name,accountid');
    expect(sent.join()).not.toContain('$top');
    // the second page is the nextLink the service gave
    expect(sent[1]).toContain('$skiptoken=');
  });

  it('stops at n in the middle of a page and asks for no further page', async () => {
    const { rows, sent } = await run('SELECT TOP 5001 accountid FROM account ORDER BY name');
    expect(rows).toHaveLength(5001);
    expect(sent).toHaveLength(2);
    const names = (await conn.query('SELECT TOP 5001 name FROM account ORDER BY name')).rows.map((r) => r.name as string);
    expect(names).toHaveLength(5001);
  });

  it('a TOP above every row returns every row', async () => {
    const { rows, sent } = await run('SELECT TOP 20000 accountid FROM account');
    expect(rows).toHaveLength(12000);
    expect(sent).toHaveLength(3);
  });

  it('a TOP within the page size is one request with $top', async () => {
    const { rows, sent } = await run('SELECT TOP 5000 accountid FROM account');
    expect(rows).toHaveLength(5000);
    expect(sent).toEqual(['accounts?$select=accountid&$top=5000']);
  });
});
