/**
 * N real dynasql processes (budget-worker.ts, run through tsx), started once and given runs: each run
 * goes to every process at the same moment, and resolves with each process's result.
 *
 *   const processes = await BudgetProcesses.start(4);
 *   const results = await processes.run({ url: emulator.url, store: redis.url, statements: 50, parallel: 4 });
 *   await processes.close();
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { BudgetRun, BudgetRunResult } from './budget-worker.js';

const WORKER = resolve(import.meta.dirname, 'budget-worker.ts');

export class BudgetProcesses {
  private constructor(private readonly children: ChildProcessWithoutNullStreams[], private readonly lines: Array<AsyncIterator<string>>, private readonly errors: string[]) {}

  static async start(count: number): Promise<BudgetProcesses> {
    const errors: string[] = [];
    const children = Array.from({ length: count }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr.on('data', (d: Buffer) => errors.push(d.toString()));
      return child;
    });
    const processes = new BudgetProcesses(children, children.map((c) => createInterface({ input: c.stdout })[Symbol.asyncIterator]()), errors);
    const ready = await Promise.all(processes.lines.map((l) => l.next()));
    if (ready.some((r) => r.done || r.value !== 'ready')) throw new Error(`a worker did not start: ${errors.join('')}`);
    return processes;
  }

  /** what the processes wrote to stderr (nothing, when all is well) */
  stderr(): string {
    return this.errors.join('');
  }

  async run(spec: BudgetRun): Promise<BudgetRunResult[]> {
    for (const child of this.children) child.stdin.write(`${JSON.stringify(spec)}\n`);
    return Promise.all(this.lines.map(async (lines) => {
      const line = await lines.next();
      if (line.done) throw new Error(`a worker ended: ${this.stderr()}`);
      return JSON.parse(line.value) as BudgetRunResult;
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((child) => new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(killer);
        done();
      });
      child.stdin.end();
    })));
  }
}
