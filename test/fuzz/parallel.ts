/**
 * `--jobs N`: N worker processes (test/fuzz/worker.ts), each with its own emulator and oracle,
 * each running its share of the same seed's stream; their progress lines are passed on as they
 * come, their reports merged at the end (the reduced statements printed then, in stream order).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mergeReports, type Report } from './cli.js';

/** what a worker sends its parent */
export type WorkerMessage = { line: string } | { report: Report } | { failed: string };

export async function runParallel(argv: string[], jobs: number, out: (line: string) => void): Promise<Report> {
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const runs = Array.from({ length: jobs }, (_x, index) => new Promise<Report>((resolve, reject) => {
    // the parent's loader flags (tsx) let the worker import TypeScript the same way
    const child = fork(worker, [...argv, '--share', String(index)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: Report | undefined;
    let failure: string | undefined;
    child.on('message', (m: WorkerMessage) => {
      if ('line' in m) out(m.line);
      else if ('report' in m) report = m.report;
      else failure = m.failed;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (report) resolve(report);
      else reject(new Error(`fuzz job ${index + 1}/${jobs} ended (${signal ?? `exit code ${code}`}) without a report${failure ? `: ${failure}` : ''}`));
    });
  }));
  const merged = mergeReports(await Promise.all(runs));
  for (const f of merged.found) for (const line of f.lines) out(line);
  return merged;
}
