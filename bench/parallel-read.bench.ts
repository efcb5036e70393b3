/**
 * Parallel Reads (issue 21): 200,000 accounts (40 pages of 5,000) from the emulator in its own
 * process, every request answered 100 ms late (fault option latencyMs), read page after page
 * (`Parallel Reads=Off`) and as ranges of createdon at once (`Parallel Reads=Auto` with the default
 * Max Concurrency 8), without ORDER BY and with one (the ranges merged), alternated round by round;
 * medians over rounds. Target: the parallel read at least 4× faster.
 *
 * The emulator keeps its seed rows once built (`--keep-seed-rows`): each range's requests scan the
 * whole table for their rows (the emulator has no index on createdon), and building every row again
 * for each of them would make the emulator's CPU, not the latency the benchmark is about, the bound.
 * A warm-up read builds them before the timed rounds.
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

const STATEMENTS = {
  unordered: 'SELECT accountid, name, revenue, createdon FROM account',
  ordered: 'SELECT accountid, name, revenue, createdon FROM account ORDER BY name',
} as const;

export async function runParallelReadBench(options: ParallelReadOptions = {}): Promise<BenchResult> {
  const total = options.rows ?? 200_000;
  const rounds = options.rounds ?? 2;
  const latencyMs = options.latencyMs ?? 100;
  const emulator = await spawnEmulator(['--rows', String(total), '--keep-seed-rows', '--faults', JSON.stringify({ latencyMs })]);
  const sequential = await connect(`Url=${emulator.url};Page Size=5000;Parallel Reads=Off`);
  const parallel = await connect(`Url=${emulator.url};Page Size=5000;Parallel Reads=Auto`);
  try {
    const read = async (conn: Connection, sql: string) => {
      const started = performance.now();
      const seen = new Set<unknown>();
      let requests = 0;
      for await (const row of conn.stream<{ accountid: string }>(sql, undefined, { onProgress: (p) => { requests = p.requests; } })) seen.add(row.accountid);
      if (seen.size !== total) throw new Error(`read ${seen.size} distinct rows, expected ${total}`);
      return { ms: performance.now() - started, requests };
    };
    // builds the emulator's rows once (and warms connections and JIT)
    await read(parallel, STATEMENTS.unordered);
    const runs: Record<string, { ms: number; requests: number }[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const [name, sql] of Object.entries(STATEMENTS)) {
        const sides: Array<['sequential' | 'parallel', Connection]> = [['sequential', sequential], ['parallel', parallel]];
        for (const [side, conn] of r % 2 ? sides.reverse() : sides) (runs[`${name}.${side}`] ??= []).push(await read(conn, sql));
      }
    }
    const ms = (key: string) => Math.round(median(runs[key]!.map((run) => run.ms)));
    const requests = (key: string) => runs[key]![0]!.requests;
    const explain = await parallel.explain(STATEMENTS.ordered);
    return {
      name: 'parallel-read',
      figures: {
        rows: total, pageSize: 5000, latencyMs, rounds, maxConcurrency: 8,
        msMedian: Object.fromEntries(Object.keys(runs).map((key) => [key, ms(key)])),
        requests: Object.fromEntries(Object.keys(runs).map((key) => [key, requests(key)])),
        explain,
        allRuns: runs,
      },
      checks: [
        atLeast('parallel / sequential read, no ORDER BY (speed-up)', round(ms('unordered.sequential') / ms('unordered.parallel')), 4),
        atLeast('parallel / sequential read, ORDER BY name (ranges merged)', round(ms('ordered.sequential') / ms('ordered.parallel')), 4),
      ],
    };
  } finally {
    await sequential.close();
    await parallel.close();
    await emulator.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(JSON.stringify(await runParallelReadBench(), null, 2));
}
