/**
 * Small timing helpers shared by the benchmarks. The machine is shared and noisy, so every target is
 * a ratio of two sides measured in the same process, alternated, and summarised by the median.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** a full collection (works without `node --expose-gc`: the flag is set at run time) */
export const collectGarbage = runInNewContext('gc') as () => void;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Sample {
  wallMs: number;
  /** user + system CPU time of this process */
  cpuMs: number;
}

export async function sample(action: () => unknown): Promise<Sample> {
  const started = performance.now();
  const startedCpu = process.cpuUsage();
  await action();
  const used = process.cpuUsage(startedCpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
