/**
 * The values of the column an aggregate is split by (split.ts), as numbers to space range bounds
 * evenly between the first and the last, and back as the text of a condition's `value`:
 * - `instant`: a date and time, in milliseconds (`2024-03-01T00:00:00.000Z`);
 * - `day`: a date-only column, in days since 1970 (`2024-03-01`), so a bound is a date it takes;
 * - `integer`: whole numbers, bounds whole too;
 * - `number`: decimals and floats, bounds written out in full (no exponent, which a condition's
 *   value may not take).
 * Any bound text partitions the rows, however it rounds: a range is `ge` its start and `lt` its end,
 * and the next range starts `ge` the same text. The first value and the last only space the bounds.
 */
import { JsonNumberText, type JsonValue } from '../odata/index.js';

export type SplitScale = 'instant' | 'day' | 'integer' | 'number';

const DAY_MS = 86_400_000;
// every digit a double has, never an exponent: 1e21 → '1000000000000000000000'
const plain = new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 20 });

/** a value of the column as a number of its scale; NaN when it is not one (null, no row) */
export function scaleValue(value: JsonValue | undefined, scale: SplitScale): number {
  if (value === null || value === undefined) return NaN;
  if (scale === 'instant') return Date.parse(String(value));
  if (scale === 'day') return Math.floor(Date.parse(`${String(value).slice(0, 10)}T00:00:00Z`) / DAY_MS);
  return Number(value instanceof JsonNumberText ? value.text : value);
}

/** the condition value of a bound */
export function scaleText(n: number, scale: SplitScale): string {
  if (scale === 'instant') return new Date(n).toISOString();
  if (scale === 'day') return new Date(n * DAY_MS).toISOString().slice(0, 10);
  return plain.format(n);
}

/** past the last value: the end of the last range when it is halved (it is open when read whole) */
export function scaleEnd(last: number, scale: SplitScale): number {
  return scale === 'number' ? last + Math.max(Math.abs(last) * 1e-9, Number.MIN_VALUE) : last + 1;
}

/** `count - 1` bounds spaced evenly from `low` up to `high` (whole on a whole scale) */
export function scaleBounds(low: number, high: number, count: number, scale: SplitScale): number[] {
  const width = (high - low) / count;
  return Array.from({ length: count - 1 }, (_, i) => (scale === 'number' ? low + width * (i + 1) : Math.floor(low + width * (i + 1))));
}

/** a bound between `start` and `end` that leaves both halves non-empty as ranges, or undefined when there is none */
export function scaleMiddle(start: number, end: number, scale: SplitScale): number | undefined {
  const middle = scale === 'number' ? start + (end - start) / 2 : Math.floor((start + end) / 2);
  return middle > start && middle < end ? middle : undefined;
}
