/**
 * `npm run fuzz -- --count 50000 --seed N [--from I] [--jobs 2] [--mode select|partition|write] [--features a,b | -a,-b] [--rows 300] [--paged 3000]
 *   [--remote-language auto|odata|fetchxml|off] [--aggregate-limit N]` (the same rows are expected whichever language reads
 *   them; `--aggregate-limit 50` has the emulator refuse aggregates over 50 input rows, as the service does over 50,000,
 *   so that the answers by parts and the last resort meet the generated statements):
 * runs the randomized differential test on demand and prints each disagreement reduced to a
 * minimal statement, with both answers, then the totals by class. `--jobs N` runs N worker
 * processes (test/fuzz/worker.ts), each with its own emulator and oracle, over disjoint shares of
 * the same seed's stream (test/fuzz/stream.ts), and merges their reports. `--from I` runs only the
 * statements from index I on (the `#I` a report prints), the ones before it generated and skipped.
 */
import { parseArgs } from 'node:util';
import { classOf, jsonSafe, minimal, newStats, parseFeatures, record, requestMark, runCase, runPartition, startFinopsWorlds, startWorld, type Stats } from './harness.js';
import { openOracle } from './oracle.js';
import { runParallel } from './parallel.js';
import { renderSql } from './render-sql.js';
import { shareOfStream, WHOLE, type Share } from './stream.js';
import { runWriteCases } from './write-mode.js';

/** A run's totals in plain data (a worker sends it to the parent, which merges them). */
export interface Report {
  run: number;
  agree: number;
  oracleErrors: number;
  /** statements whose requests carried FetchXML (what a forced or chosen Remote Language really sent) */
  fetchXml: number;
  /** the first oracle errors' messages (generator faults) */
  oracleErrorSamples: string[];
  /** class → count */
  disagree: Record<string, number>;
  errors: Record<string, number>;
  /** the first statement of each class, reduced: its index in the stream, its class key and the printed lines */
  found: { i: number; key: string; lines: string[] }[];
}

export function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '2000' },
      /** the first statement index to run (the ones before it are generated, not run) */
      from: { type: 'string', default: '0' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      mode: { type: 'string', default: 'select' },
      features: { type: 'string' },
      rows: { type: 'string', default: '300' },
      /** a second Dataverse world whose 2 × rows contacts pass one 5,000-row page; every 25th statement runs there ('0': none) */
      paged: { type: 'string', default: '3000' },
      shrink: { type: 'string', default: '20' },
      edition: { type: 'string', default: 'dataverse' },
      'remote-language': { type: 'string', default: 'auto' },
      /** the emulator's aggregate limit ('0': the service's 50,000) */
      'aggregate-limit': { type: 'string', default: '0' },
      /** Dataverse worlds with EUR and JPY beside USD, whose service aggregates money over base values */
      'multi-currency': { type: 'boolean', default: false },
      /** worker processes sharing the seed's stream (statement i runs in worker i mod jobs) */
      jobs: { type: 'string', default: '1' },
      /** set by the parent in a worker: which share of the stream it runs (0-based) */
      share: { type: 'string' },
    },
  });
  const mode = values.mode as 'select' | 'partition' | 'write';
  if (!['select', 'partition', 'write'].includes(mode)) throw new Error(`--mode must be select, partition or write, not '${values.mode}'`);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new Error(`--jobs must be a whole number from 1 to 16, not '${values.jobs}'`);
  const finops = values.edition === 'finops';
  const aggregateLimit = Number(values['aggregate-limit']);
  if (!Number.isInteger(aggregateLimit) || aggregateLimit < 0) throw new Error(`--aggregate-limit must be a whole number of rows, not '${values['aggregate-limit']}'`);
  const from = Number(values.from);
  if (!Number.isInteger(from) || from < 0) throw new Error(`--from must be a statement index (0 or more), not '${values.from}'`);
  return {
    count: Number(values.count),
    from,
    seed: Number(values.seed),
    mode,
    features: parseFeatures(values.features),
    rows: Number(values.rows),
    pagedRows: finops || mode === 'write' ? 0 : Number(values.paged),
    shrinkBudget: Number(values.shrink),
    finops,
    language: values['remote-language'],
    aggregateLimit,
    multiCurrency: values['multi-currency'] === true,
    jobs,
    share: values.share === undefined ? undefined : ({ index: Number(values.share), of: jobs } satisfies Share),
  };
}
export type Options = ReturnType<typeof parseOptions>;

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const options = parseOptions(argv);
  const started = Date.now();
  out(`fuzz: mode ${options.mode}, ${options.count} statements${options.from ? ` (from #${options.from})` : ''}, seed ${options.seed}, rows ${options.rows}${options.pagedRows ? `, every 25th over ${options.pagedRows} rows (paged)` : ''}, remote language ${options.language}${options.aggregateLimit ? `, aggregate limit ${options.aggregateLimit}` : ''}${options.multiCurrency ? ', several currencies' : ''}${options.jobs > 1 ? `, ${options.jobs} jobs` : ''}`);
  // the write mode resets one emulator between cases and is short: it runs in one process
  const report = options.jobs > 1 && options.mode !== 'write' ? await runParallel(argv, options.jobs, out) : await runShare(options, WHOLE, out);
  out(summary(report, Date.now() - started));
  return Object.keys(report.disagree).length + Object.keys(report.errors).length === 0 ? 0 : 1;
}

/**
 * Runs one share of the stream in this process. `progress` lines go to `out` as they come; the
 * reduced statements of the first failure of each class are in the report.
 */
export async function runShare(options: Options, share: Share, out: (line: string) => void): Promise<Report> {
  const { mode, features, count, seed, language } = options;
  // the result-type check is switched like a feature (`--features -coltypes` leaves it out)
  const checkTypes = features.has('coltypes');
  const worlds = options.finops
    ? await startFinopsWorlds(options.rows, await openOracle(), language)
    : [await startWorld(options.rows, { remoteLanguage: language, aggregateLimit: options.aggregateLimit, multiCurrency: options.multiCurrency })];
  const world = worlds[0]!;
  const paged = options.pagedRows ? await startWorld(options.pagedRows, { db: world.db, schema: 'paged', remoteLanguage: language, aggregateLimit: options.aggregateLimit, multiCurrency: options.multiCurrency }) : undefined;
  const stats: Stats = newStats();
  const found: Report['found'] = [];
  let fetchXml = 0;
  try {
    if (mode === 'write') {
      await runWriteCases(world, seed, count, features, stats, out);
    } else {
      const sources = worlds.map((w) => ({ w, gen: w.generator(seed, features) }));
      const pagedSource = paged ? { w: paged, gen: paged.generator(seed + 1, features) } : undefined;
      const reported = new Set<string>();
      const started = Date.now();
      let seen = 0;
      const label = share.of > 1 ? `job ${share.index + 1}/${share.of}: ` : '';
      for (const { i, w: here, g, onPaged, source } of shareOfStream(count, sources, pagedSource, share, options.from)) {
        seen += 1;
        // the partitioning oracle counts the rows of one table: statements of other shapes are skipped
        if (mode === 'partition' && (!g.q.where || g.q.union || g.q.groupBy || g.q.from.k !== 'table' || g.q.joins)) continue;
        const mark = requestMark(here);
        const outcome = mode === 'partition' ? await runPartition(here, g.q, g.dialect) : await runCase(here, g.q, g.dialect, checkTypes);
        if (mark.sent().fetchxml) fetchXml += 1;
        const cls = `${worlds.length > 1 ? (source % 2 ? 'cross-company ' : 'one company ') : ''}${onPaged ? 'paged ' : ''}${outcome.typeClass ?? classOf(g)}`;
        record(stats, outcome, cls);
        if (outcome.kind === 'disagree' || outcome.kind === 'error') {
          const key = outcome.kind === 'error' ? `E ${outcome.errorClass}` : `D ${cls}`;
          if (!reported.has(key) && reported.size < options.shrinkBudget) {
            reported.add(key);
            const small = await minimal(here, g, mode, checkTypes);
            const r = renderSql(small.q, g.dialect);
            found.push({ i, key, lines: [
              `\n#${i} ${outcome.kind === 'error' ? 'ERROR ON VALID SQL' : 'DISAGREEMENT'} [${key}] (${g.dialect})`,
              `  minimal: ${r.sql}${Object.keys(r.params).length ? `   params ${JSON.stringify(r.params, jsonSafe)}` : ''}`,
              `  ${small.outcome.detail ?? outcome.detail}`,
              `  original: ${outcome.sql}`,
            ] });
            if (share.of === 1) for (const line of found.at(-1)!.lines) out(line);
          }
        }
        if (seen % 1000 === 0) {
          const total = (m: Map<string, unknown[]>) => [...m.values()].reduce((n, l) => n + l.length, 0);
          out(`… ${label}${i + 1} of ${count} statements, ${Math.round((Date.now() - started) / 1000)} s: ${stats.run} run, ${stats.agree} agree, ${total(stats.disagree)} disagree, ${total(stats.errors)} errors`);
        }
      }
    }
  } finally {
    await paged?.close();
    for (const w of worlds) await w.close();
    if (options.finops) await world.db.close();
  }
  return toReport(stats, found, fetchXml);
}

function toReport(stats: Stats, found: Report['found'], fetchXml: number): Report {
  const counts = (m: Map<string, unknown[]>) => Object.fromEntries([...m].map(([k, l]) => [k, l.length]));
  return {
    run: stats.run,
    agree: stats.agree,
    fetchXml,
    oracleErrors: stats.oracleErrors.length,
    oracleErrorSamples: stats.oracleErrors.slice(0, 3).map((o) => `${o.detail} in ${o.sql}`),
    disagree: counts(stats.disagree),
    errors: counts(stats.errors),
    found,
  };
}

/** the workers' reports as one: counts added, the first reduced statement of each class kept (by stream index) */
export function mergeReports(reports: Report[]): Report {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  };
  const merged: Report = { run: 0, agree: 0, fetchXml: 0, oracleErrors: 0, oracleErrorSamples: [], disagree: {}, errors: {}, found: [] };
  for (const r of reports) {
    merged.run += r.run;
    merged.agree += r.agree;
    merged.fetchXml += r.fetchXml;
    merged.oracleErrors += r.oracleErrors;
    merged.oracleErrorSamples.push(...r.oracleErrorSamples);
    add(merged.disagree, r.disagree);
    add(merged.errors, r.errors);
  }
  merged.oracleErrorSamples = merged.oracleErrorSamples.slice(0, 3);
  const byKey = new Map<string, Report['found'][number]>();
  for (const f of reports.flatMap((r) => r.found).sort((a, b) => a.i - b.i)) if (!byKey.has(f.key)) byKey.set(f.key, f);
  merged.found = [...byKey.values()];
  return merged;
}

export function summary(report: Report, elapsedMs?: number): string {
  const lines = [`\nstatements run: ${report.run}, agreements: ${report.agree}, oracle errors (generator faults): ${report.oracleErrors}${elapsedMs === undefined ? '' : `, ${Math.round(elapsedMs / 1000)} s`}`];
  const sum = (m: Record<string, number>) => Object.values(m).reduce((n, x) => n + x, 0);
  lines.push(`statements that sent FetchXML: ${report.fetchXml}`);
  lines.push(`disagreements: ${sum(report.disagree)}`);
  for (const [k, n] of Object.entries(report.disagree).sort((a, b) => b[1] - a[1])) lines.push(`  ${n}\t${k}`);
  lines.push(`errors on valid SQL: ${sum(report.errors)}`);
  for (const [k, n] of Object.entries(report.errors).sort((a, b) => b[1] - a[1])) lines.push(`  ${n}\t${k}`);
  for (const o of report.oracleErrorSamples) lines.push(`  oracle error: ${o}`);
  return lines.join('\n');
}
