/**
 * One seed's statement stream and a job's share of it. Every job generates the whole stream (a
 * statement costs microseconds to generate and milliseconds to run) and runs only the statements
 * whose index i has i mod jobs = its own index, so `--jobs 2` checks exactly the statements one
 * process would, each once. Example: 5 statements, 2 jobs: job 0 runs #0, #2, #4 and job 1 runs #1, #3.
 */
import type { Generated } from './generate.js';

export interface StreamSource<W> {
  w: W;
  gen: { next(): Generated };
}

export interface StreamItem<W> {
  /** the statement's index in the single-process stream */
  i: number;
  w: W;
  g: Generated;
  /** drawn from the paged world's generator (every 25th statement) */
  onPaged: boolean;
  /** which of `sources` (or the paged source) it came from: 0, 1, … (F&O: Cross Company off, on) */
  source: number;
}

export interface Share {
  index: number;
  of: number;
}

export const WHOLE: Share = { index: 0, of: 1 };

/**
 * The statements of `share` among `count`: the main sources take turns, and every 25th statement
 * comes from `paged` when there is one; each generator advances for every statement, run or not,
 * so statements before `from` are generated and skipped (`--from 4711 --count 4712` reruns #4711 alone).
 */
export function* shareOfStream<W>(count: number, sources: StreamSource<W>[], paged: StreamSource<W> | undefined, share: Share = WHOLE, from = 0): Generator<StreamItem<W>> {
  if (!Number.isInteger(share.of) || share.of < 1 || share.index < 0 || share.index >= share.of) throw new Error(`share ${share.index} of ${share.of}`);
  for (let i = 0; i < count; i++) {
    const onPaged = paged !== undefined && i % 25 === 24;
    const source = onPaged ? sources.length : i % sources.length;
    const { w, gen } = onPaged ? paged : sources[source]!;
    const g = gen.next();
    if (i >= from && i % share.of === share.index) yield { i, w, g, onPaged, source };
  }
}
