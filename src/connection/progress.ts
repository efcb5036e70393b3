/**
 * `QueryOptions.onProgress` while a statement runs: the runners call `tick()` after each page read
 * or batch sent, and `done()` at the end. Calls are throttled to one per 100 ms (the first and the
 * last always go out), so a fast scan of many pages does not flood a progress display.
 *
 *   const progress = new ProgressReporter(executor, options.onProgress);
 *   counters.rows += page.length; counters.pages++; progress.tick(counters);
 */
import type { Executor } from '../http/index.js';
import type { Progress } from './types.js';

/** at most ~10 callbacks a second */
const MIN_INTERVAL_MS = 100;

export interface ProgressCounts {
  rows: number;
  pages: number;
}

export class ProgressReporter {
  private readonly started = Date.now();
  private last = Number.NEGATIVE_INFINITY;
  private readonly before: { requests: number; throttledMs: number };

  constructor(private readonly executor: Executor, private readonly callback: ((progress: Progress) => void) | undefined) {
    // the executor's counts are per connection; the statement reports its own share
    const stats = executor.stats();
    this.before = { requests: stats.requests, throttledMs: stats.throttledMs };
  }

  /** reports `counts` unless a report went out less than 100 ms ago */
  tick(counts: ProgressCounts): void {
    if (!this.callback) return;
    const now = Date.now();
    if (now - this.last < MIN_INTERVAL_MS) return;
    this.emit(counts, now);
  }

  /** the final report, always sent */
  done(counts: ProgressCounts): void {
    if (this.callback) this.emit(counts, Date.now());
  }

  private emit(counts: ProgressCounts, now: number): void {
    this.last = now;
    const stats = this.executor.stats();
    this.callback!({
      rows: counts.rows, pages: counts.pages, requests: stats.requests - this.before.requests,
      throttledMs: stats.throttledMs - this.before.throttledMs, elapsedMs: now - this.started,
    });
  }
}
