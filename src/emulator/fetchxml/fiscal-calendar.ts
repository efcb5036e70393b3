import type { Store } from '../store/store.js';
import { invalidFetch } from './errors.js';
import type { Range } from './relative-dates.js';

/**
 * The organization's fiscal calendar, as the fiscal condition operators and the `fiscal-period` /
 * `fiscal-year` date groupings read it ("The FetchXML query uses the organization's fiscal year
 * settings", FetchXML doc §1.2). It is read from the one `organization` row at each request, so a
 * PATCH of `organizations(<id>)` changes the next query's answer.
 *
 * - `fiscalcalendarstart`: the month and day of the first day of every fiscal year (UTC). The docs
 *   do not say whether its year matters; it does not here.
 * - `fiscalperiodtype`: 2000 annually (1 period), 2001 semiannually (2), 2002 quarterly (4), 2003
 *   monthly (12), 2004 four-weekly (13 periods of 28 days, the 13th running to the year's end).
 *   The numbers are not in the Microsoft pages we have; they are those of FakeXrmEasy's
 *   FiscalYearSettings template, a mocking library for the same service [unverified].
 * - `fiscalyeardisplaycode`: 1 names a fiscal year by the calendar year it starts in, 2 by the one it
 *   ends in (OrganizationFiscalYearDisplayCode, SDK reference). A year starting on 1 January starts
 *   and ends in the same calendar year, so both name it alike.
 * Missing values take the emulator's defaults: 1 January, quarterly, named by the start.
 */
export interface FiscalCalendar {
  /** 0-based month and 1-based day of the fiscal year's first day */
  month: number;
  day: number;
  periods: number;
  /** periods of 28 days instead of whole months */
  fourWeek: boolean;
  /** years are named by the calendar year they end in */
  namedByEnd: boolean;
}

const PERIODS: Readonly<Record<number, number>> = { 2000: 1, 2001: 2, 2002: 4, 2003: 12, 2004: 13 };
const DAY = 86_400_000;

export function fiscalCalendar(store: Store): FiscalCalendar {
  const table = store.table('organization');
  let values: Record<string, unknown> = {};
  if (table) for (const row of table.scan()) { values = row.values; break; }
  const start = typeof values.fiscalcalendarstart === 'string' ? new Date(values.fiscalcalendarstart) : new Date(Date.UTC(2000, 0, 1));
  if (Number.isNaN(start.getTime())) throw invalidFetch(`the organization's fiscalcalendarstart '${String(values.fiscalcalendarstart)}' is not a date.`);
  const type = typeof values.fiscalperiodtype === 'number' ? values.fiscalperiodtype : 2002;
  const periods = PERIODS[type];
  if (periods === undefined) throw invalidFetch(`the organization's fiscalperiodtype ${type} is not one the emulator knows (2000-2004).`);
  // a 29th-31st start day would not exist in every month; the docs do not say what the service does then
  if (start.getUTCDate() > 28) throw invalidFetch('a fiscal year starting after the 28th of its month is not supported by the emulator.');
  return { month: start.getUTCMonth(), day: start.getUTCDate(), periods, fourWeek: type === 2004, namedByEnd: values.fiscalyeardisplaycode === 2 };
}

/** the first instant of the fiscal year that starts in calendar year `y` */
const startingIn = (cal: FiscalCalendar, y: number) => Date.UTC(y, cal.month, cal.day);
/** the calendar year a fiscal year named `name` starts in */
const startYearOf = (cal: FiscalCalendar, name: number) => (cal.namedByEnd && (cal.month > 0 || cal.day > 1) ? name - 1 : name);

/** the fiscal year (by its name) and the period an instant falls in */
export function fiscalPosition(cal: FiscalCalendar, ms: number): { year: number; period: number } {
  const y = new Date(ms).getUTCFullYear();
  const startYear = ms >= startingIn(cal, y) ? y : y - 1;
  const name = cal.namedByEnd && (cal.month > 0 || cal.day > 1) ? startYear + 1 : startYear;
  const begin = startingIn(cal, startYear);
  let period: number;
  if (cal.fourWeek) period = Math.min(13, Math.floor((ms - begin) / (28 * DAY)) + 1);
  else {
    // whole months since the year's first day: a month counts once its start day is reached
    const d = new Date(ms);
    let months = (d.getUTCFullYear() - startYear) * 12 + d.getUTCMonth() - cal.month;
    if (d.getUTCDate() < cal.day) months--;
    period = Math.floor(months / (12 / cal.periods)) + 1;
  }
  return { year: name, period };
}

/** the instants of fiscal year `name` */
export function fiscalYearRange(cal: FiscalCalendar, name: number): Range {
  const y = startYearOf(cal, name);
  return { from: startingIn(cal, y), to: startingIn(cal, y + 1) };
}

/** the instants of period `period` of fiscal year `name`; a period past the year's count is empty */
export function fiscalPeriodRange(cal: FiscalCalendar, name: number, period: number): Range {
  if (!Number.isInteger(period) || period < 1 || period > cal.periods) return { from: 0, to: 0 };
  const year = fiscalYearRange(cal, name);
  if (cal.fourWeek) return { from: year.from + (period - 1) * 28 * DAY, to: period === 13 ? year.to : year.from + period * 28 * DAY };
  const y = startYearOf(cal, name);
  const months = 12 / cal.periods;
  return { from: Date.UTC(y, cal.month + (period - 1) * months, cal.day), to: Date.UTC(y, cal.month + period * months, cal.day) };
}

/** the period `offset` periods after (year, period), crossing years */
export function shiftedPeriod(cal: FiscalCalendar, at: { year: number; period: number }, offset: number): { year: number; period: number } {
  const index = at.year * cal.periods + (at.period - 1) + offset;
  return { year: Math.floor(index / cal.periods), period: (index % cal.periods) + 1 };
}
