/** PostgreSQL's interval text in and out, and month-first addition (util/interval.ts) */
import { describe, expect, it } from 'vitest';
import { addInterval, canonicalInterval, formatInterval, parseInterval } from '../../src/util/index.js';

const HOUR = 3_600_000_000;

describe('parseInterval', () => {
  it('reads number-and-unit pairs, times, fractions, ago and a trailing unit', () => {
    expect(parseInterval('7 days')).toEqual({ months: 0, days: 7, micros: 0 });
    expect(parseInterval('1 year 2 mons 3 days 04:05:06.5')).toEqual({ months: 14, days: 3, micros: 4 * HOUR + 5 * 60_000_000 + 6_500_000 });
    expect(parseInterval('-12 month')).toEqual({ months: -12, days: 0, micros: 0 });
    expect(parseInterval('1.5 days')).toEqual({ months: 0, days: 1, micros: 12 * HOUR });
    expect(parseInterval('1.5 months')).toEqual({ months: 1, days: 15, micros: 0 });
    expect(parseInterval('2 hours ago')).toEqual({ months: 0, days: 0, micros: -2 * HOUR });
    expect(parseInterval('3', 'hour')).toEqual({ months: 0, days: 0, micros: 3 * HOUR });
    expect(parseInterval('1day 2h')).toEqual({ months: 0, days: 1, micros: 2 * HOUR });
    expect(parseInterval('1 week')).toEqual({ months: 0, days: 7, micros: 0 });
  });

  it('refuses what it does not read', () => {
    for (const text of ['', 'soon', 'P1D', '1-2', '3 fortnights', '1 day and 2 hours']) expect(parseInterval(text), text).toBeUndefined();
  });

  it('round-trips through the canonical text', () => {
    const value = parseInterval('1 year -2 days 00:00:01')!;
    expect(parseInterval(canonicalInterval(value))).toEqual(value);
  });
});

describe('addInterval', () => {
  it('adds months first and clamps the day to the month end, then days and time', () => {
    const at = (iso: string) => new Date(iso);
    expect(addInterval(at('2024-01-31T10:00:00Z'), parseInterval('1 month')!).toISOString()).toBe('2024-02-29T10:00:00.000Z');
    expect(addInterval(at('2024-03-31T00:00:00Z'), parseInterval('1 month')!, -1).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(addInterval(at('2024-02-28T23:00:00Z'), parseInterval('1 day 02:00')!).toISOString()).toBe('2024-03-01T01:00:00.000Z');
    expect(addInterval(at('2024-12-07T00:00:00Z'), parseInterval('7 days')!, -1).toISOString()).toBe('2024-11-30T00:00:00.000Z');
  });
});

describe('formatInterval', () => {
  it("writes PostgreSQL's output style", () => {
    expect(formatInterval({ months: 14, days: 3, micros: HOUR })).toBe('1 year 2 mons 3 days 01:00:00');
    expect(formatInterval({ months: 0, days: 1, micros: 0 })).toBe('1 day');
    expect(formatInterval({ months: 0, days: 0, micros: 0 })).toBe('00:00:00');
    expect(formatInterval({ months: 0, days: -2, micros: -1_500_000 })).toBe('-2 days -00:00:01.5');
    // as PostgreSQL prints them: the singular for exactly 1 only, a `+` on a positive part after a negative one
    expect(formatInterval({ months: -12, days: 3, micros: 0 })).toBe('-1 years +3 days');
    expect(formatInterval({ months: 0, days: -1, micros: HOUR })).toBe('-1 days +01:00:00');
    expect(formatInterval({ months: -1, days: -1, micros: -HOUR })).toBe('-1 mons -1 days -01:00:00');
    expect(formatInterval(parseInterval('-1 years +3 days')!)).toBe('-1 years +3 days');
  });
});
