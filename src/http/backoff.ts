/**
 * How long to wait before attempt `attempt + 1`: exponential with "equal jitter", so retries from many
 * requests spread out instead of returning in step.
 *   attempt 1 → 250..500 ms, 2 → 500..1000 ms, 3 → 1..2 s, ... capped at `maxMs`.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 500, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * `Retry-After` in ms: delta-seconds (`Retry-After: 5`) or an HTTP date. Undefined when absent or unreadable.
 * Dataverse may send fractional seconds (`Retry-After: 0.5` is read as 500 ms).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
