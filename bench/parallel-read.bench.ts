/**
 * Parallel Reads (issue 21): 200,000 accounts from the emulator in its own process, every request
 * answered 100 ms late (fault option latencyMs), read page after page (`Parallel Reads=Off`) and as
 * ranges of createdon at once: pages of 5,000 with `Parallel Reads=Auto` (8 ranges, the default Max
 * Concurrency), without ORDER BY and with one (the ranges merged by name); and pages of 1,000 with 16
 * ranges (Max Concurrency 16). Each side is timed streaming every row (every accountid checked to
 * come once). Target: the read in ranges at least 4× faster.
 *
 * The emulator keeps its seed rows once built (`--keep-seed-rows`), so no side pays for making them
 * again; a warm-up read builds them and the emulator's index on createdon before the timed rounds.
 * Three rounds, the two sides alternated, medians; every row exactly once is checked after the clock stops.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connect, type Connection } from '../src/index.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { median, round } from './lib/measure.js';
import { atLeast, type BenchResult } from './lib/result.js';

export interface ParallelReadOptions {
  rows?: number;
  rounds?: number;
  latencyMs?: number;
}

/** the columns of read.bench.ts's first four: text, money, a date, the key */
const STATEMENTS = {
  unordered: 'SELECT accountid, name, revenue, createdon FROM account',
  ordered: 'SELECT accountid, name, revenue, createdon FROM account ORDER BY name',
} as const;

export async function runParallelReadBench(options: ParallelReadOptions = {}): Promise<BenchResult> {
  const total = options.rows ?? 200_000;
  const rounds = options.rounds ?? 3;
  const latencyMs = options.latencyMs ?? 100;
  const emulator = await spawnEmulator(['--rows', String(total), '--keep-seed-rows', '--faults', JSON.stringify({ latencyMs })]);
  const open = (settings: string) => connect(`Url=${emulator.url};${settings}`);
  /** each case: a statement, read page after page and in ranges, at a page size */
  const cases = [
    { name: 'page5000', sql: STATEMENTS.unordered, sequential: 'Page Size=5000;Parallel Reads=Off', parallel: 'Page Size=5000;Parallel Reads=Auto' },
    { name: 'page5000.orderBy', sql: STATEMENTS.ordered, sequential: 'Page Size=5000;Parallel Reads=Off', parallel: 'Page Size=5000;Parallel Reads=Auto' },
    { name: 'page1000', sql: STATEMENTS.unordered, sequential: 'Page Size=1000;Parallel Reads=Off', parallel: 'Page Size=1000;Max Concurrency=16;Parallel Reads=16' },
  ];
  const connections = new Map<string, Connection>();
  try {
    for (const c of cases) for (const settings of [c.sequential, c.parallel]) if (!connections.has(settings)) connections.set(settings, await open(settings));
    const read = async (conn: Connection, sql: string) => {
      const started = performance.now();
      const ids: string[] = [];
      let requests = 0;
      for await (const row of conn.stream<{ accountid: string }>(sql, undefined, { onProgress: (p) => { requests = p.requests; } })) ids.push(row.accountid);
      const ms = Math.round(performance.now() - started);
      // every row exactly once, checked after the clock stops: a Set of 200,000 ids costs ~0.3 s of the
      // reading process's CPU, which a read in ranges (bound by that CPU) would pay and one page after
      // page (bound by the latency) would hide
      const distinct = new Set(ids).size;
      if (ids.length !== total || distinct !== total) throw new Error(`read ${ids.length} rows, ${distinct} distinct, expected ${total}`);
      return { ms, requests };
    };
    // builds the emulator's rows once (and warms connections and JIT)
    await read(connections.get(cases[0]!.parallel)!, STATEMENTS.unordered);
    const runs: Record<string, { ms: number; requests: number }[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        const sides = (['sequential', 'parallel'] as const).map((side) => [side, connections.get(c[side])!] as const);
        for (const [side, conn] of r % 2 ? sides.reverse() : sides) (runs[`${c.name}.${side}`] ??= []).push(await read(conn, c.sql));
      }
    }
    const ms = (key: string) => Math.round(median(runs[key]!.map((run) => run.ms)));
    const requests = (key: string) => runs[key]![0]!.requests;
    const speedUp = (name: string) => round(ms(`${name}.sequential`) / ms(`${name}.parallel`));
    return {
      name: 'parallel-read',
      figures: {
        rows: total, latencyMs, rounds, cases,
        msMedian: Object.fromEntries(Object.keys(runs).map((key) => [key, ms(key)])),
        requests: Object.fromEntries(Object.keys(runs).map((key) => [key, requests(key)])),
        explain: await connections.get(cases[1]!.parallel)!.explain(STATEMENTS.ordered),
      },
      checks: [
        atLeast('8 ranges / page after page, pages of 5,000 (speed-up)', speedUp('page5000'), 4),
        atLeast('8 ranges merged by ORDER BY name / page after page, pages of 5,000', speedUp('page5000.orderBy'), 4),
        atLeast('16 ranges / page after page, pages of 1,000', speedUp('page1000'), 4),
      ],
    };
  } finally {
    for (const conn of connections.values()) await conn.close();
    await emulator.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(JSON.stringify(await runParallelReadBench(), null, 2));
}
