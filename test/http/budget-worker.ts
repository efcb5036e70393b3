/**
 * One dynasql process of the shared-budget test (shared-budget.test.ts) and benchmark
 * (bench/throttle.bench.ts). It prints `ready`, then reads runs from stdin, one JSON line each; for
 * each, it connects, runs its statements a few at a time, closes, and prints one JSON line:
 * `{ completed, failed, warnings }` (failed: the error codes; warnings: the log lines saying the
 * Throttle Store is unreachable). It exits when stdin ends. One process serves several runs, so a
 * test pays the start of four processes once.
 *
 *   node --import tsx test/http/budget-worker.ts
 *   > {"url":"http://127.0.0.1:5555","store":"redis://127.0.0.1:6390/0","statements":60,"parallel":4}
 *   < {"completed":60,"failed":[],"warnings":[]}
 */
import { createInterface } from 'node:readline';
import { connect } from '../../src/index.js';

export interface BudgetRun {
  url: string;
  /** the Throttle Store setting; none: each process keeps its own budget */
  store?: string;
  statements: number;
  parallel: number;
}

export interface BudgetRunResult {
  completed: number;
  failed: string[];
  warnings: string[];
}

async function run(spec: BudgetRun): Promise<BudgetRunResult> {
  const warnings: string[] = [];
  const conn = await connect({
    organizationUrl: spec.url,
    ...(spec.store ? { throttleStore: spec.store } : {}),
    logSink: (line: string) => {
      if (/warning: Throttle Store/.test(line)) warnings.push(line);
    },
  });
  let next = 0;
  let completed = 0;
  const failed: string[] = [];
  const worker = async () => {
    while (next < spec.statements) {
      next++;
      try {
        await conn.query('SELECT TOP 1 name FROM account');
        completed++;
      } catch (error) {
        failed.push((error as { code?: string }).code ?? String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: spec.parallel }, worker));
  await conn.close();
  return { completed, failed, warnings };
}

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  process.stdout.write(`${JSON.stringify(await run(JSON.parse(line) as BudgetRun))}\n`);
}
