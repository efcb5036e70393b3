/**
 * Runs the benchmarks (`npm run bench`, or `npx tsx bench/run.ts catalog` for one). Each benchmark
 * is a module exporting a function that returns its figures; add yours to BENCHMARKS.
 */
import { runCatalogBench } from './catalog.bench.js';

const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  catalog: () => runCatalogBench(),
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHMARKS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const figures = (await run()) as { cases?: unknown[] };
  console.log(`\n== ${name}`);
  if (Array.isArray(figures.cases)) console.table(figures.cases);
  console.log(JSON.stringify(figures, null, 2));
}
