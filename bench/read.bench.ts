/**
 * Reading: 100,000 accounts (20 pages of 5,000) from the emulator, run in its own process on
 * loopback, three ways, alternated round by round (medians over rounds):
 *
 * - dynasql: `conn.stream('SELECT … FROM account')`, every row consumed.
 * - floor: a bare loop of undici `request` + `JSON.parse` over the very URL dynasql sends (taken from
 *   its EXPLAIN), following `@odata.nextLink`; the least work any client can do on this machine.
 * - peer: DynamicsWebApi's `retrieveAll` (npm dynamics-web-api), pointed at the emulator with a
 *   dummy token function.
 *
 * Heap growth, two figures for dynasql: the retained heap (a separate pass that also serves as the
 * warm-up: a full GC, then a full GC and a `heapUsed` sample every 5,000 rows; the check, as it shows
 * whether rows are buffered) and, in the timed runs, the highest `heapUsed` sampled every 1,000 rows
 * without forcing GC, minus the baseline (garbage not yet collected included, so it depends on when V8
 * chooses to collect; reported for all three clients).
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import { request } from 'undici';
import { connect } from '../src/index.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { collectGarbage, median, round } from './lib/measure.js';
import { atLeast, below, type BenchResult } from './lib/result.js';

const COLUMNS = 'accountid, name, accountnumber, revenue, numberofemployees, createdon, statecode, address1_city, telephone1, emailaddress1';

export interface ReadOptions {
  rows?: number;
  rounds?: number;
}

interface Run {
  rows: number;
  ms: number;
  /** CPU time of this (client) process: the emulator runs in another one */
  clientCpuMs: number;
  heapGrowthMb: number;
}

/** runs `consume` with a heap probe it calls once per row */
async function measured(consume: (probe: () => void) => Promise<number>): Promise<Run> {
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let n = 0;
  const probe = () => {
    if (++n % 1000 !== 0) return;
    const used = process.memoryUsage().heapUsed;
    if (used > peak) peak = used;
  };
  const started = performance.now();
  const startedCpu = process.cpuUsage();
  const rows = await consume(probe);
  const cpu = process.cpuUsage(startedCpu);
  const ms = performance.now() - started;
  return { rows, ms: round(ms, 1), clientCpuMs: round((cpu.user + cpu.system) / 1000, 1), heapGrowthMb: round((peak - baseline) / 1e6, 1) };
}

export async function runReadBench(options: ReadOptions = {}): Promise<BenchResult> {
  const total = options.rows ?? 100_000;
  const rounds = options.rounds ?? 3;
  const emulator = await spawnEmulator(['--rows', String(total)]);
  const conn = await connect(`Url=${emulator.url};Page Size=5000`);
  try {
    const sql = `SELECT ${COLUMNS} FROM account`;
    const explained = await conn.explain(sql);
    const url = /GET (\S+)/.exec(explained)?.[1];
    if (!url) throw new Error(`no request in EXPLAIN: ${explained}`);
    const origin = new URL(emulator.url).origin;
    const peer = new DynamicsWebApi({ serverUrl: origin, dataApi: { version: '9.2' }, onTokenRefresh: async () => 'dummy-token' });

    const dynasql = () => measured(async (probe) => {
      let rows = 0;
      for await (const row of conn.stream(sql)) { if (row.accountid !== undefined) rows++; probe(); }
      return rows;
    });
    const bare = () => measured(async (probe) => {
      let rows = 0;
      let next: string | undefined = url;
      while (next) {
        const response = await request(next, { headers: { accept: 'application/json', prefer: 'odata.maxpagesize=5000', 'odata-version': '4.0' } });
        const page = JSON.parse(await response.body.text()) as { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
        for (const row of page.value) { if (row.accountid !== undefined) rows++; probe(); }
        next = page['@odata.nextLink'];
      }
      return rows;
    });
    const dwa = () => measured(async (probe) => {
      const result = await peer.retrieveAll<Record<string, unknown>>({
        collection: 'accounts', select: COLUMNS.split(', '), maxPageSize: 5000,
      });
      let rows = 0;
      for (const row of result.value) { if (row.accountid !== undefined) rows++; probe(); }
      return rows;
    });

    // retained heap while streaming (and the warm-up: connections, JIT), then the first page bare
    collectGarbage();
    const heapBaseline = process.memoryUsage().heapUsed;
    let retainedPeak = heapBaseline;
    const retainedSamplesMb: number[] = [];
    let warm = 0;
    for await (const _ of conn.stream(sql)) {
      if (++warm % 5000 !== 0) continue;
      collectGarbage();
      const used = process.memoryUsage().heapUsed;
      retainedPeak = Math.max(retainedPeak, used);
      if (warm % 20_000 === 0) retainedSamplesMb.push(round((used - heapBaseline) / 1e6, 1));
    }
    if (warm !== total) throw new Error(`dynasql read ${warm} rows, expected ${total}`);
    const retainedGrowthMb = round((retainedPeak - heapBaseline) / 1e6, 1);
    await (await request(url, { headers: { accept: 'application/json', prefer: 'odata.maxpagesize=5000' } })).body.text();
    const runs: Record<'dynasql' | 'bare' | 'peer', Run[]> = { dynasql: [], bare: [], peer: [] };
    const order: Array<keyof typeof runs> = ['dynasql', 'bare', 'peer'];
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 ? [...order].reverse() : order) {
        const run = await (side === 'dynasql' ? dynasql() : side === 'bare' ? bare() : dwa());
        if (run.rows !== total) throw new Error(`${side} read ${run.rows} rows, expected ${total}`);
        runs[side].push(run);
      }
    }
    const ms = (side: keyof typeof runs) => median(runs[side].map((r) => r.ms));
    const rowsPerSecond = (side: keyof typeof runs) => Math.round(total / (ms(side) / 1000));
    const cpu = (side: keyof typeof runs) => Math.round(median(runs[side].map((r) => r.clientCpuMs)));
    const heap = (side: keyof typeof runs) => Math.max(...runs[side].map((r) => r.heapGrowthMb));
    return {
      name: 'read',
      figures: {
        rows: total, pageSize: 5000, rounds, request: url,
        msMedian: { dynasql: Math.round(ms('dynasql')), bareLoop: Math.round(ms('bare')), dynamicsWebApi: Math.round(ms('peer')) },
        rowsPerSecond: { dynasql: rowsPerSecond('dynasql'), bareLoop: rowsPerSecond('bare'), dynamicsWebApi: rowsPerSecond('peer') },
        clientCpuMsMedian: { dynasql: cpu('dynasql'), bareLoop: cpu('bare'), dynamicsWebApi: cpu('peer') },
        retainedHeapGrowthMb: { dynasql: retainedGrowthMb },
        /** retained growth after 20k, 40k, … rows: flat when rows and pages are not kept */
        retainedHeapEvery20kRowsMb: retainedSamplesMb,
        heapGrowthMbMax: { dynasql: heap('dynasql'), bareLoop: heap('bare'), dynamicsWebApi: heap('peer') },
        allRuns: runs,
      },
      checks: [
        atLeast('stream throughput / bare undici loop', round(ms('bare') / ms('dynasql')), 0.85),
        atLeast('stream throughput / DynamicsWebApi retrieveAll', round(ms('peer') / ms('dynasql')), 1),
        below('heap retained while streaming 100k rows (GC every 5,000 rows)', retainedGrowthMb, 64, 'MB', `heapUsed peak without forced GC: ${heap('dynasql')} MB`),
      ],
    };
  } finally {
    await conn.close();
    await emulator.close();
  }
}
