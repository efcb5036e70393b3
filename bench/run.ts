/**
 * The benchmark suite (`npm run bench`; `npm run bench -- read write` runs some). Each benchmark is a
 * module exporting a function that returns a BenchResult (figures + checks against targets); this
 * runner prints one table of checks on stdout and writes bench/results.json with every figure, the
 * machine (CPU, cores, Node, load average before and after) and the date. Running some benchmarks
 * replaces only their entries in results.json (each entry carries its own date and machine).
 *
 * Targets are ratios measured side by side in one run: absolute times on this shared machine mean
 * little. Extra: `npm run bench -- throttle-faults` runs the executor's issue-5 figures (paging and
 * creates under 5 % faults), and `npm run bench -- parallel-read` issue 21's reads in ranges at once
 * (200,000 rows at 100 ms a request, several minutes), which are not part of the default suite.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCancelBench } from './cancel.bench.js';
import { runCatalogSuiteBench } from './catalog.bench.js';
import { runImportCostBench } from './import-cost.bench.js';
import { machineInfo } from './lib/machine.js';
import type { BenchResult, Check } from './lib/result.js';
import { runLocalEngineBench } from './local-engine.bench.js';
import { runParallelReadBench } from './parallel-read.bench.js';
import { runPushdownBench } from './pushdown.bench.js';
import { runReadBench } from './read.bench.js';
import { runSyncBench } from './sync.bench.js';
import { runThrottleBench, runThrottleSuiteBench } from './throttle.bench.js';
import { runTranslateBench } from './translate.bench.js';
import { runWriteBench } from './write.bench.js';

const SUITE: Record<string, () => Promise<BenchResult>> = {
  translate: () => runTranslateBench(),
  catalog: () => runCatalogSuiteBench(),
  read: () => runReadBench(),
  write: () => runWriteBench(),
  throttle: () => runThrottleSuiteBench(),
  'local-engine': () => runLocalEngineBench(),
  'import-cost': () => runImportCostBench(),
  cancel: () => runCancelBench(),
  pushdown: () => runPushdownBench(),
  sync: () => runSyncBench(),
};
const EXTRA: Record<string, () => Promise<BenchResult>> = {
  'parallel-read': () => runParallelReadBench(),
  'throttle-faults': async () => ({ name: 'throttle-faults', figures: { ...(await runThrottleBench({ parts: ['paging', 'creates'] })) }, checks: [] }),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in SUITE) && !(name in EXTRA));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${[...Object.keys(SUITE), ...Object.keys(EXTRA)].join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length > 0 ? wanted : Object.keys(SUITE);
const machineBefore = machineInfo();
const started = new Date();
const results: Array<BenchResult & { seconds: number; error?: string }> = [];
for (const name of chosen) {
  const run = SUITE[name] ?? EXTRA[name]!;
  process.stderr.write(`running ${name} …\n`);
  const t = performance.now();
  try {
    results.push({ ...(await run()), seconds: Math.round((performance.now() - t) / 100) / 10 });
  } catch (error) {
    results.push({ name, figures: {}, checks: [], seconds: Math.round((performance.now() - t) / 100) / 10, error: String((error as Error)?.stack ?? error) });
  }
  process.stderr.write(`  ${name} done in ${results.at(-1)!.seconds} s\n`);
}
const machine = { ...machineInfo(), loadAverageBefore: machineBefore.loadAverage };

printTable(results);
const failed = results.filter((r) => r.error || r.checks.some((c) => !c.pass));
console.log(`\n${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverageBefore.join(' ')} before, ${machine.loadAverage.join(' ')} after; ${started.toISOString()}`);

const file = resolve(import.meta.dirname, 'results.json');
const entries = results.map((r) => ({
  name: r.name,
  date: started.toISOString(),
  machine,
  seconds: r.seconds,
  pass: !r.error && r.checks.every((c) => c.pass),
  checks: r.checks.map((c) => ({ ...c, ratio: c.unit === '×' ? c.value : undefined })),
  figures: r.figures,
  ...(r.notes ? { notes: r.notes } : {}),
  ...(r.error ? { error: r.error } : {}),
}));
// running some benchmarks replaces only their entries: the file keeps the latest result of each
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { benchmarks?: typeof entries }).benchmarks ?? [] : [];
const order = [...Object.keys(SUITE), ...Object.keys(EXTRA)];
const merged = [...previous.filter((p) => !chosen.includes(p.name)), ...entries].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
writeFileSync(file, `${JSON.stringify({
  date: started.toISOString(),
  machine,
  totalSeconds: Math.round(results.reduce((s, r) => s + r.seconds, 0)),
  ran: chosen,
  benchmarks: merged,
}, null, 2)}\n`);
console.log(`results: ${file}`);
process.exitCode = failed.length > 0 ? 1 : 0;

function printTable(list: Array<BenchResult & { error?: string }>): void {
  const rows: string[][] = [['benchmark', 'check', 'value', 'target', 'result', 'note']];
  for (const r of list) {
    if (r.error) rows.push([r.name, 'ERROR', '', '', 'FAIL', r.error.split('\n')[0]!]);
    for (const c of r.checks) rows.push([r.name, c.what, format(c), c.target, c.target.startsWith('(') ? '—' : c.pass ? 'pass' : 'FAIL', c.note ?? '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
}

function format(c: Check): string {
  return c.unit === '×' ? `${c.value}×` : `${c.value} ${c.unit ?? ''}`.trim();
}
