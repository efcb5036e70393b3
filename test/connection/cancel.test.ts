/**
 * One cancellation path: the caller's AbortSignal, the Statement Timeout and close() stop a local
 * step inside the embedded engine (not only the requests before it); the connection answers the next
 * statement at once; and a process that cancels and closes exits by itself. Catalog statements
 * (system tables, INFORMATION_SCHEMA) and the $metadata load (RefreshMetadata) stop through the same signal.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

/** 1,000 accounts: about 4·10¹⁰ chains of four, far longer than any test waits on any machine */
const LONG_JOIN = 'SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name < b.name JOIN account c ON b.name < c.name JOIN account d ON c.name < d.name';
const LOCAL_JOIN = 'SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name = b.name';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 1000 });
  conn = await connect(`Url=${emulator.url}`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

/** aborts once the engine has its rows (every page read) and is computing */
function abortWhenLoaded(controller: AbortController): (p: { pages: number }) => void {
  return (p) => {
    if (p.pages >= 1) setTimeout(() => controller.abort(), 200);
  };
}

describe('cancelling a write', () => {
  it('stops sending: rows never sent count as not attempted, not as failures, and the rows written are reported', async () => {
    const writer = await connect(`Url=${emulator.url};Max Concurrency=1`);
    try {
      const controller = new AbortController();
      const values = Array.from({ length: 3000 }, (_, i) => `('Cancelled write ${i}')`).join(', ');
      const error = await writer.query(`INSERT INTO contact (lastname) VALUES ${values}`, undefined, {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }).then(() => undefined, (e: { code: string; details: Record<string, unknown> }) => e);
      expect(error).toMatchObject({ code: 'DYNASQL_ERR_PARTIAL_WRITE', details: { rows: 3000, failed: 0, unconfirmed: 0 } });
      const details = error!.details as { written: number; notAttempted: number; failures: unknown[] };
      // one $batch of 1,000 went out before the cancel; the other two were never sent
      expect(details).toMatchObject({ written: 1000, notAttempted: 2000, failures: [] });
      const stored = await writer.query("SELECT COUNT(*) AS n FROM contact WHERE lastname LIKE 'Cancelled write %'");
      expect(stored.rows).toEqual([{ n: 1000 }]);
      expect((error as unknown as Error).message).toContain('2000 not attempted (first: not sent: the statement was cancelled)');
    } finally {
      await writer.close();
    }
  });
});

describe('cancelling a local step', () => {
  it('rejects with DYNASQL_ERR_CANCELLED, and the next local query on the connection answers', async () => {
    const controller = new AbortController();
    await expect(conn.query(LONG_JOIN, undefined, { signal: controller.signal, onProgress: abortWhenLoaded(controller) }))
      .rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    const next = await conn.query(LOCAL_JOIN);
    expect(next.rows).toEqual([{ n: 1000 }]);
  });

  it('stops a streamed local query the caller abandons, and the connection goes on', async () => {
    const rows = conn.stream('SELECT a.name AS a, b.name AS b FROM account a JOIN account b ON a.name < b.name')[Symbol.asyncIterator]();
    const first = await rows.next();
    expect(first.done).toBe(false);
    await rows.return?.();
    expect((await conn.query(LOCAL_JOIN)).rows).toEqual([{ n: 1000 }]);
  });

  it('a cancelled stream() of a local query rejects with DYNASQL_ERR_CANCELLED', async () => {
    const controller = new AbortController();
    let seen = 0;
    const run = async () => {
      for await (const _row of conn.stream('SELECT a.name AS a, b.name AS b FROM account a JOIN account b ON a.name < b.name', undefined, { signal: controller.signal })) {
        if (++seen === 3000) controller.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    expect(seen).toBe(3000);
  });

  it('the Statement Timeout interrupts the local step with DYNASQL_ERR_TIMEOUT', async () => {
    // the follow-up local join runs under the same timeout: 1 s was too short for it on a loaded machine
    const timed = await connect(`Url=${emulator.url};Statement Timeout=5;Remote Language=OData`);
    try {
      await expect(timed.query(LONG_JOIN)).rejects.toMatchObject({ code: 'DYNASQL_ERR_TIMEOUT' });
      expect((await timed.query(LOCAL_JOIN)).rows).toEqual([{ n: 1000 }]);
    } finally {
      await timed.close();
    }
  });

  it('close() stops a running local step, which rejects with DYNASQL_ERR_CLOSED', async () => {
    const other = await connect(`Url=${emulator.url}`);
    let loaded!: () => void;
    const started = new Promise<void>((r) => (loaded = r));
    const running = other.query(LONG_JOIN, undefined, { onProgress: (p) => { if (p.pages >= 1) setTimeout(loaded, 200); } });
    running.catch(() => undefined);
    await started;
    await other.close();
    await expect(running).rejects.toMatchObject({ code: 'DYNASQL_ERR_CLOSED' });
  });

  it('a process that cancels, closes and returns from main exits on its own', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'cancel-child.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // generous: a child that does not exit by itself is killed here, and the test fails
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    clearTimeout(killer);
    expect({ code, signal, err }).toEqual({ code: 0, signal: null, err: '' });
    expect(out.trim()).toBe('DYNASQL_ERR_CANCELLED DYNASQL_ERR_CLOSED');
  }, 60_000);
});

describe('cancelling a catalog statement', () => {
  /** columns of every table, three at a time in name order: the engine computes far longer than any test waits */
  const LONG_CATALOG_JOIN = 'SELECT COUNT(*) AS n FROM sys_tablecolumns a JOIN sys_tablecolumns b ON a.column_name < b.column_name JOIN INFORMATION_SCHEMA.COLUMNS c ON b.column_name < c.COLUMN_NAME';

  it('a system-table statement already cancelled, or cancelled while the engine computes, rejects with DYNASQL_ERR_CANCELLED; the next answers', async () => {
    await expect(conn.query('SELECT table_name FROM sys_tables', undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    await expect(conn.query('SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES', undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expect(conn.query(LONG_CATALOG_JOIN, undefined, { signal: controller.signal })).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    const tables = await conn.query("SELECT table_name FROM sys_tables WHERE table_name = 'account'");
    expect(tables.rows).toEqual([{ table_name: 'account' }]);
  });

  it('a $metadata load (EXEC RefreshMetadata) cancelled in flight rejects with DYNASQL_ERR_CANCELLED and leaves the connection usable', async () => {
    // every request answers 300 ms late, so the cancel lands while $metadata is in flight
    const slow = await startEmulator({ port: 0, rows: 10, faults: { latencyMs: 300 } });
    const slowConn = await connect(`Url=${slow.url}`);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await expect(slowConn.query('EXEC RefreshMetadata', undefined, { signal: controller.signal })).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
      expect((await slowConn.query('SELECT COUNT(*) AS n FROM account')).rows).toEqual([{ n: 10 }]);
      expect((await slowConn.query("SELECT table_name FROM sys_tables WHERE table_name = 'account'")).rowCount).toBe(1);
      expect((await slowConn.query('EXEC RefreshMetadata')).rowCount).toBe(1);
    } finally {
      await slowConn.close();
      await slow.close();
    }
  });
});
