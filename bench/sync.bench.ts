/**
 * `dynasql sync`: 100,000 accounts (every stored column, 154 of them) from the emulator, run in its own
 * process on loopback, into a DuckDB file.
 *
 * - first sync: the whole table (a change-tracking read: pages of 5,000 with `Prefer: odata.track-changes`)
 *   written into the file, against the floor: a bare undici + `JSON.parse` loop over the same request and
 *   its nextLinks (the read benchmark's floor, for this table's columns), alternated, medians over rounds
 *   (one by default: a round reads 100,000 rows of 154 columns twice, minutes on the shared machine).
 * - incremental sync after 1 % of the rows changed through the Web API (600 updated, 200 created, 200
 *   deleted): requests and time against the first sync's. Target: time under 5 % of the full copy; requests
 *   at most 5 % (one request, the least possible, is 5 % of a copy in 20 pages).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { connect, type Connection } from '../src/index.js';
import { openTarget } from '../src/sync/open-target.js';
import { runSyncPass } from '../src/sync/run-sync.js';
import type { TableReport } from '../src/sync/sync-table.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { median, round } from './lib/measure.js';
import { atLeast, atMost, below, type BenchResult } from './lib/result.js';

export interface SyncBenchOptions {
  rows?: number;
  rounds?: number;
}

async function syncOnce(conn: Connection, file: string): Promise<TableReport> {
  const catalog = await conn.catalog();
  const account = catalog.tables.find((t) => t.name === 'account')!;
  const target = await openTarget({ kind: 'duckdb', path: file });
  try {
    const [report] = await runSyncPass(conn, [account], target);
    return report!;
  } finally {
    await target.close();
  }
}

/** the first page's request of the full read (the sync's own URL, with every column) followed to its end */
async function bareRead(url: string): Promise<{ rows: number; requests: number; ms: number }> {
  // its own connections: an idle one left from minutes ago may be closed by the server as it is reused
  const dispatcher = new Agent();
  const started = performance.now();
  let rows = 0;
  let requests = 0;
  let next: string | undefined = url;
  try {
    while (next) {
      const response = await request(next, { dispatcher, headers: { accept: 'application/json', prefer: 'odata.track-changes,odata.maxpagesize=5000', 'odata-version': '4.0' } });
      requests++;
      const page = JSON.parse(await response.body.text()) as { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
      rows += page.value.length;
      next = page['@odata.nextLink'];
    }
    return { rows, requests, ms: performance.now() - started };
  } finally {
    await dispatcher.close();
  }
}

/** 1 % of `total` rows: 60 % of it updated, 20 % created, 20 % deleted, through the Web API */
async function changeOnePercent(conn: Connection, total: number): Promise<number> {
  const changes = Math.round(total / 100);
  const updates = Math.round(changes * 0.6);
  const creates = Math.round(changes * 0.2);
  const deletes = changes - updates - creates;
  const keys = (await conn.query(`SELECT TOP (${updates + deletes}) accountid FROM account ORDER BY accountid`)).rows.map((r) => r.accountid as string);
  const list = (ids: string[]) => ids.map((id) => `'${id}'`).join(', ');
  for (let i = 0; i < updates; i += 100) await conn.query(`UPDATE account SET revenue = 4242, name = name + ' (changed)' WHERE accountid IN (${list(keys.slice(i, Math.min(i + 100, updates)))})`);
  for (let i = 0; i < creates; i += 100) {
    const values = Array.from({ length: Math.min(100, creates - i) }, (_, j) => `('Bench new ${i + j}', ${i + j})`).join(', ');
    await conn.query(`INSERT INTO account (name, numberofemployees) VALUES ${values}`);
  }
  const doomed = keys.slice(updates);
  for (let i = 0; i < doomed.length; i += 100) await conn.query(`DELETE FROM account WHERE accountid IN (${list(doomed.slice(i, i + 100))})`);
  return changes;
}

export async function runSyncBench(options: SyncBenchOptions = {}): Promise<BenchResult> {
  const total = options.rows ?? 100_000;
  const rounds = options.rounds ?? 1;
  const emulator = await spawnEmulator(['--rows', String(total)]);
  const conn = await connect(`Url=${emulator.url};Page Size=5000;Allow Unsafe Writes=true`);
  const dir = mkdtempSync(join(tmpdir(), 'dynasql-sync-bench-'));
  try {
    const catalog = await conn.catalog();
    const account = catalog.tables.find((t) => t.name === 'account')!;
    const columns = account.columns.filter((c) => c.kind === 'data' || c.kind === 'lookup').map((c) => `[${c.name}]`);
    const url = /GET (\S+)/.exec(await conn.explain(`SELECT ${columns.join(', ')} FROM account`))?.[1];
    if (!url) throw new Error('no request in EXPLAIN');

    // warm-up: the first page (connections); a run lasts long enough for the rest to warm up on its own
    const warm = new Agent();
    await (await request(url, { dispatcher: warm, headers: { accept: 'application/json', prefer: 'odata.maxpagesize=5000' } })).body.text();
    await warm.close();

    const first: TableReport[] = [];
    const bare: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const syncFirst = async () => {
        const report = await syncOnce(conn, join(dir, `first-${r}.duckdb`));
        if (report.rowsRead !== total) throw new Error(`the first sync read ${report.rowsRead} rows, expected ${total}`);
        first.push(report);
      };
      const bareSide = async () => {
        const run = await bareRead(url);
        if (run.rows !== total) throw new Error(`the bare loop read ${run.rows} rows, expected ${total}`);
        bare.push(run.ms);
      };
      for (const side of r % 2 ? [bareSide, syncFirst] : [syncFirst, bareSide]) await side();
    }
    const firstMs = median(first.map((f) => f.elapsedMs));
    const bareMs = median(bare);
    const firstRequests = first[0]!.requests;

    // 1 % changed, then the incremental run on the last round's file
    const changed = await changeOnePercent(conn, total);
    const incremental = await syncOnce(conn, join(dir, `first-${rounds - 1}.duckdb`));
    if (incremental.method !== 'changes' || incremental.reason) throw new Error(`the second sync was not incremental: ${incremental.reason}`);
    const timeShare = round((incremental.elapsedMs / firstMs) * 100, 2);
    const requestShare = round((incremental.requests / firstRequests) * 100, 2);
    return {
      name: 'sync',
      figures: {
        rows: total, columns: columns.length, pageSize: 5000, rounds,
        firstSyncMsMedian: Math.round(firstMs), bareLoopMsMedian: Math.round(bareMs),
        firstSyncRequests: firstRequests,
        firstSyncRowsPerSecond: Math.round(total / (firstMs / 1000)), bareLoopRowsPerSecond: Math.round(total / (bareMs / 1000)),
        changedRows: changed,
        incremental: { ms: incremental.elapsedMs, requests: incremental.requests, read: incremental.rowsRead, inserted: incremental.inserted, updated: incremental.updated, deleted: incremental.deleted },
        allFirstSyncMs: first.map((f) => f.elapsedMs), allBareMs: bare.map((b) => Math.round(b)),
      },
      checks: [
        atLeast('first sync throughput / bare read loop (same request)', round(bareMs / firstMs), 0.25, '×', 'the sync also writes every row into DuckDB'),
        below('incremental sync after 1 % changed: time, % of the first sync', timeShare, 5, '%'),
        // one request is the least an incremental run can send: against 20 pages of 5,000 that is 5 % exactly
        atMost('incremental sync after 1 % changed: requests, % of the first sync', requestShare, 5, '%', `${incremental.requests} of ${firstRequests}: one request is the minimum`),
      ],
    };
  } finally {
    await conn.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
