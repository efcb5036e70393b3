import { invalidFetch } from './errors.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A half-open instant range [from, to) in milliseconds. */
export interface Range {
  from: number;
  to: number;
}

const NO_VALUE = new Set(['today', 'yesterday', 'tomorrow', 'this-week', 'this-month', 'this-year', 'last-week', 'last-month', 'last-year', 'next-week', 'next-month', 'next-year', 'last-seven-days', 'next-seven-days']);
const WITH_X = /^(last|next)-x-(hours|days|weeks|months|years)$|^olderthan-x-(minutes|hours|days|weeks|months|years)$/;

export const isRelativeDate = (op: string) => NO_VALUE.has(op) || WITH_X.test(op);

/**
 * The instants a relative-date operator covers (FetchXML doc §1.2), in UTC: the emulator's user
 * has no time zone (the service uses the caller's, doc checklist 11). The docs name the operators
 * but not their bounds; the emulator's choices: whole days, weeks from Sunday, calendar months and
 * years; `last-x-days` from the start of the day X days ago to now, `next-x-days` from now to the
 * end of the day X days ahead; `last-seven-days` = `last-x-days` 7; `olderthan-x-…` before now − X.
 * Hour and minute operators are refused on date-only columns, as documented.
 */
export function relativeRange(op: string, now: Date, x: number | undefined, dateOnly: boolean): Range {
  if (dateOnly && /hours|minutes/.test(op)) throw invalidFetch(`the operator '${op}' is not valid on a date-only column.`);
  const t = now.getTime();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const week = today - now.getUTCDay() * DAY;
  const month = (offset: number) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1);
  const year = (offset: number) => Date.UTC(now.getUTCFullYear() + offset, 0, 1);
  switch (op) {
    case 'today': return { from: today, to: today + DAY };
    case 'yesterday': return { from: today - DAY, to: today };
    case 'tomorrow': return { from: today + DAY, to: today + 2 * DAY };
    case 'this-week': return { from: week, to: week + 7 * DAY };
    case 'last-week': return { from: week - 7 * DAY, to: week };
    case 'next-week': return { from: week + 7 * DAY, to: week + 14 * DAY };
    case 'this-month': return { from: month(0), to: month(1) };
    case 'last-month': return { from: month(-1), to: month(0) };
    case 'next-month': return { from: month(1), to: month(2) };
    case 'this-year': return { from: year(0), to: year(1) };
    case 'last-year': return { from: year(-1), to: year(0) };
    case 'next-year': return { from: year(1), to: year(2) };
    case 'last-seven-days': return { from: today - 7 * DAY, to: t + 1 };
    case 'next-seven-days': return { from: t, to: today + 8 * DAY };
  }
  if (x === undefined || !Number.isInteger(x) || x < 0) throw invalidFetch(`the operator '${op}' needs a whole number value.`);
  const [, direction, unit] = /^(last|next|olderthan)-x-(\w+)$/.exec(op)!;
  const shifted = (sign: number) => {
    switch (unit) {
      case 'minutes': return t + sign * x * MINUTE;
      case 'hours': return t + sign * x * HOUR;
      case 'days': return sign < 0 ? today - x * DAY : today + (x + 1) * DAY;
      case 'weeks': return sign < 0 ? today - 7 * x * DAY : today + (7 * x + 1) * DAY;
      case 'months': return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + sign * x, now.getUTCDate() + (sign > 0 ? 1 : 0));
      default: return Date.UTC(now.getUTCFullYear() + sign * x, now.getUTCMonth(), now.getUTCDate() + (sign > 0 ? 1 : 0));
    }
  };
  if (direction === 'last') return { from: shifted(-1), to: t + 1 };
  if (direction === 'next') return { from: t, to: shifted(1) };
  // olderthan: exact instants for minutes and hours, whole days otherwise
  return { from: -Infinity, to: unit === 'minutes' || unit === 'hours' ? t - x * (unit === 'minutes' ? MINUTE : HOUR) : shifted(-1) };
}
