/**
 * Local engine: a join and a GROUP BY that the service cannot do (accounts matched to leads by
 * company name: no navigation property joins them) over 50,000 accounts and 50,000 leads, against
 * loading the same rows alone (two plain SELECTs of the same columns, streamed straight from the
 * service with no local step). The difference is the embedded engine's share: copying the rows into
 * DuckDB, the hash join and the aggregation.
 *
 * The emulator runs in its own process (`--rows 50000` seeds 50,000 accounts and 50,000 leads).
 * The engine starts in a small warm-up statement of the same shape; the sides alternate round by round; medians.
 */
import { connect } from '../src/index.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { median, round } from './lib/measure.js';
import type { BenchResult } from './lib/result.js';

export const JOIN_SQL = 'SELECT a.industrycode, COUNT(*) AS leads, SUM(l.estimatedamount) AS amount '
  + 'FROM account a JOIN lead l ON l.companyname = a.name GROUP BY a.industrycode';
const LOAD_SQL = ['SELECT name, industrycode FROM account', 'SELECT companyname, estimatedamount FROM lead'];

export interface LocalEngineOptions {
  rows?: number;
  rounds?: number;
}

export async function runLocalEngineBench(options: LocalEngineOptions = {}): Promise<BenchResult> {
  const rows = options.rows ?? 50_000;
  const rounds = options.rounds ?? 2;
  const emulator = await spawnEmulator(['--rows', String(rows)]);
  const conn = await connect(`Url=${emulator.url};Page Size=5000`);
  try {
    const explained = await conn.explain(JOIN_SQL);
    if (!explained.includes('Local') || (explained.match(/Remote {2}GET/g) ?? []).length !== 2) throw new Error(`unexpected plan:\n${explained}`);
    const join = async () => {
      const t = performance.now();
      const result = await conn.query(JOIN_SQL);
      return { ms: performance.now() - t, groups: result.rowCount, matched: result.rows.reduce((n, r) => n + Number(r.leads), 0) };
    };
    const load = async () => {
      const t = performance.now();
      let loaded = 0;
      for (const sql of LOAD_SQL) for await (const _ of conn.stream(sql)) loaded++;
      return { ms: performance.now() - t, rows: loaded };
    };
    // warm-up: the same shape on a few rows (names starting with 'Al' push down as startswith) starts the engine
    await conn.query(JOIN_SQL.replace(' GROUP BY', " WHERE a.name LIKE 'Al%' AND l.companyname LIKE 'Al%' GROUP BY"));
    const joinMs: number[] = [];
    const loadMs: number[] = [];
    let groups = 0;
    let matched = 0;
    for (let r = 0; r < rounds; r++) {
      const sides = r % 2 ? [load, join] : [join, load];
      for (const side of sides) {
        const out = await side();
        if ('groups' in out) { joinMs.push(out.ms); groups = out.groups; matched = out.matched; } else {
          if (out.rows !== 2 * rows) throw new Error(`loaded ${out.rows} rows`);
          loadMs.push(out.ms);
        }
      }
    }
    const joinMedian = median(joinMs);
    const loadMedian = median(loadMs);
    const engineMs = joinMedian - loadMedian;
    return {
      name: 'local-engine',
      figures: {
        rowsPerTable: rows, rounds, sql: JOIN_SQL, groups, matchedPairs: matched,
        joinAndGroupByMs: Math.round(joinMedian), loadAloneMs: Math.round(loadMedian), engineMs: Math.round(engineMs),
        allJoinMs: joinMs.map((v) => Math.round(v)), allLoadMs: loadMs.map((v) => Math.round(v)),
      },
      checks: [
        { what: 'engine share of join + GROUP BY time', value: round(engineMs / joinMedian), unit: '×', target: '(reported)', pass: true },
        { what: 'join + GROUP BY time / loading alone', value: round(joinMedian / loadMedian), unit: '×', target: '(reported)', pass: true },
      ],
    };
  } finally {
    await conn.close();
    await emulator.close();
  }
}
