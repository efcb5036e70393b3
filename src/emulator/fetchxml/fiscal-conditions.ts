import { invalidFetch } from './errors.js';
import { type FiscalCalendar, fiscalPeriodRange, fiscalPosition, fiscalYearRange, shiftedPeriod } from './fiscal-calendar.js';
import type { Range } from './relative-dates.js';

const NO_VALUE = new Set(['this-fiscal-year', 'this-fiscal-period', 'last-fiscal-year', 'last-fiscal-period', 'next-fiscal-year', 'next-fiscal-period']);
const WITH_X = new Set(['last-x-fiscal-years', 'last-x-fiscal-periods', 'next-x-fiscal-years', 'next-x-fiscal-periods']);
const PERIOD_AND_YEAR = new Set(['in-fiscal-period-and-year', 'in-or-before-fiscal-period-and-year', 'in-or-after-fiscal-period-and-year']);

export const isFiscalOperator = (op: string) => NO_VALUE.has(op) || WITH_X.has(op) || PERIOD_AND_YEAR.has(op) || op === 'in-fiscal-year' || op === 'in-fiscal-period';

/**
 * A fiscal condition operator (FetchXML doc §1.2) as a test on an instant, against the
 * organization's fiscal calendar (fiscal-calendar.ts) and the emulator's clock, in UTC (the
 * emulator's user has no time zone). The docs name the operators and their values (`in-fiscal-year`
 * 2023; `in-fiscal-period` 3, of any year; `in-fiscal-period-and-year` 3 then 2023) but not their
 * bounds. The emulator's choices, after its `last-x-days` / `next-x-days`: `last-x-fiscal-years` X
 * runs from the start of the fiscal year X years before the current one to now, `next-x-fiscal-years`
 * X from now to the end of the fiscal year X years after the current one (periods alike);
 * `in-or-before-…` and `in-or-after-…` include the period named. A period number past the year's
 * count matches nothing (`in-fiscal-period` 5 under quarters).
 */
export function fiscalTest(op: string, cal: FiscalCalendar, now: Date, values: string[]): (ms: number) => boolean {
  const whole = (text: string | undefined) => {
    const n = Number(text);
    if (text === undefined || text.trim() === '' || !Number.isInteger(n) || n < 0) throw invalidFetch(`the operator '${op}' needs whole number values.`);
    return n;
  };
  const expect = (count: number) => {
    if (values.length !== count) throw invalidFetch(`the operator '${op}' takes ${count === 0 ? 'no value' : count === 1 ? 'one value' : `${count} values`}.`);
  };
  const within = (range: Range) => (ms: number) => ms >= range.from && ms < range.to;
  const here = fiscalPosition(cal, now.getTime());
  const t = now.getTime();
  if (NO_VALUE.has(op)) {
    expect(0);
    const offset = op.startsWith('last') ? -1 : op.startsWith('next') ? 1 : 0;
    if (op.endsWith('year')) return within(fiscalYearRange(cal, here.year + offset));
    const p = shiftedPeriod(cal, here, offset);
    return within(fiscalPeriodRange(cal, p.year, p.period));
  }
  if (WITH_X.has(op)) {
    expect(1);
    const x = whole(values[0]);
    const years = op.endsWith('years');
    if (op.startsWith('last')) {
      const from = years ? fiscalYearRange(cal, here.year - x).from : periodRange(cal, shiftedPeriod(cal, here, -x)).from;
      return within({ from, to: t + 1 });
    }
    const to = years ? fiscalYearRange(cal, here.year + x).to : periodRange(cal, shiftedPeriod(cal, here, x)).to;
    return within({ from: t, to });
  }
  if (op === 'in-fiscal-year') {
    expect(1);
    return within(fiscalYearRange(cal, whole(values[0])));
  }
  if (op === 'in-fiscal-period') {
    expect(1);
    const period = whole(values[0]);
    return (ms) => fiscalPosition(cal, ms).period === period;
  }
  expect(2);
  const period = whole(values[0]);
  const range = fiscalPeriodRange(cal, whole(values[1]), period);
  if (op === 'in-fiscal-period-and-year') return within(range);
  // an empty range (a period past the count) bounds nothing useful: nothing matches
  if (range.from === range.to) return () => false;
  return op === 'in-or-before-fiscal-period-and-year' ? (ms) => ms < range.to : (ms) => ms >= range.from;
}

const periodRange = (cal: FiscalCalendar, p: { year: number; period: number }) => fiscalPeriodRange(cal, p.year, p.period);
