import picocolors from 'picocolors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressText, startProgress } from '../../src/cli/progress.js';
import { Capture } from './in-memory-connection.js';

const plain = picocolors.createColors(false);

describe('progress line', () => {
  afterEach(() => vi.useRealTimers());

  it('shows rows, pages, requests, throttling and elapsed time', () => {
    expect(progressText({ rows: 12500, pages: 3, requests: 4, throttledMs: 1500, elapsedMs: 6210 }, 100)).toBe(
      '12,500 rows · 3 pages · 4 requests · throttled 1.5s · 6.2s',
    );
    expect(progressText({ rows: 1, pages: 1, requests: 1, throttledMs: 0, elapsedMs: 0 }, 2000)).toBe('1 row · 1 page · 1 request · 2.0s');
    expect(progressText(undefined, 300)).toBe('0.3s');
  });

  it('appears after a delay, updates, and erases itself on stop', () => {
    vi.useFakeTimers();
    let now = 0;
    const out = new Capture();
    const display = startProgress(out, { colors: plain, enabled: true, delayMs: 250, intervalMs: 100, now: () => now });
    now = 200;
    vi.advanceTimersByTime(200);
    expect(out.text).toBe('');
    display.update({ rows: 5000, pages: 1, requests: 1, throttledMs: 0, elapsedMs: 300 });
    now = 300;
    vi.advanceTimersByTime(100);
    expect(out.text).toContain('5,000 rows · 1 page · 1 request · 0.3s  (Ctrl-C cancels)');
    display.stop();
    expect(out.text.endsWith('\r\x1b[2K')).toBe(true);
    const length = out.text.length;
    vi.advanceTimersByTime(1000);
    expect(out.text.length).toBe(length);
  });

  it('can name what it waits for and leave out the hint', () => {
    vi.useFakeTimers();
    const out = new Capture();
    const display = startProgress(out, { colors: plain, enabled: true, delayMs: 0, label: 'connecting', hint: '', now: () => 1200 });
    vi.advanceTimersByTime(1);
    display.stop();
    expect(out.text).toContain('connecting · 0.0s\r');
  });

  it('draws nothing when disabled (pipes, files) or when the statement ends before the delay', () => {
    vi.useFakeTimers();
    const out = new Capture();
    startProgress(out, { colors: plain, enabled: false }).update({ rows: 1, pages: 1, requests: 1, throttledMs: 0, elapsedMs: 1 });
    const quick = startProgress(out, { colors: plain, enabled: true, delayMs: 250 });
    vi.advanceTimersByTime(100);
    quick.stop();
    vi.advanceTimersByTime(1000);
    expect(out.text).toBe('');
  });
});
