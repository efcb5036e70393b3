/**
 * A status line on the terminal while a statement runs, fed by `QueryOptions.onProgress`:
 *
 * `⠹ 12,500 rows · 3 pages · 4 requests · throttled 1.5s · 6.2s  (Ctrl-C cancels)`
 *
 * It appears only after a short delay (fast statements never flicker) and only on a terminal;
 * `stop()` erases it before the result is printed.
 */
import type { Progress } from '../index.js';
import type { Colors } from './colors.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

export interface ProgressOptions {
  colors: Colors;
  /** false for pipes and files: then nothing is drawn */
  enabled: boolean;
  delayMs?: number;
  intervalMs?: number;
  /** what is going on, shown before the numbers (`connecting`); default none */
  label?: string;
  /** the hint at the end; default `(Ctrl-C cancels)` */
  hint?: string;
  now?: () => number;
}

const count = (n: number) => n.toLocaleString('en-US');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The status text without the spinner frame. */
export function progressText(progress: Progress | undefined, elapsedMs: number): string {
  const parts: string[] = [];
  if (progress) {
    parts.push(`${count(progress.rows)} ${progress.rows === 1 ? 'row' : 'rows'}`);
    parts.push(`${count(progress.pages)} ${progress.pages === 1 ? 'page' : 'pages'}`);
    parts.push(`${count(progress.requests)} ${progress.requests === 1 ? 'request' : 'requests'}`);
    if (progress.throttledMs > 0) parts.push(`throttled ${seconds(progress.throttledMs)}`);
  }
  parts.push(seconds(Math.max(elapsedMs, progress?.elapsedMs ?? 0)));
  return parts.join(' · ');
}

export function startProgress(stream: NodeJS.WritableStream, options: ProgressOptions): ProgressDisplay {
  if (!options.enabled) return { update: () => {}, stop: () => {} };
  const now = options.now ?? Date.now;
  const started = now();
  let latest: Progress | undefined;
  let frame = 0;
  let drawn = false;
  const draw = () => {
    const label = options.label ? `${options.label} · ` : '';
    const hint = options.hint ?? '(Ctrl-C cancels)';
    const text = `${FRAMES[frame++ % FRAMES.length]} ${label}${progressText(latest, now() - started)}${hint ? `  ${options.colors.dim(hint)}` : ''}`;
    stream.write(`\r\x1b[2K${options.colors.cyan(text)}`);
    drawn = true;
  };
  let interval: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    draw();
    interval = setInterval(draw, options.intervalMs ?? 100);
  }, options.delayMs ?? 250);
  return {
    update(progress) {
      latest = progress;
    },
    stop() {
      clearTimeout(delay);
      if (interval) clearInterval(interval);
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
