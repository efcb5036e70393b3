import { queryError } from '../errors.js';
import { compareValues, equalValues, isDateLike, toMillis } from './values.js';

/**
 * The Microsoft.Dynamics.CRM query functions (protocol §1.3) as predicates over one column value.
 * `value` is the row's value of PropertyName; `arg` is PropertyValue, `args` PropertyValues.
 */
export interface QueryFunctionInput {
  value: unknown;
  arg: unknown;
  args: unknown[];
  now: Date;
  userId: string;
  businessUnitId: string;
}

const DAY = 86_400_000;
const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY;
const millisOf = (value: unknown) => (typeof value === 'string' && isDateLike(value) ? toMillis(value) : undefined);
const within = (value: unknown, from: number, to: number) => {
  const ms = millisOf(value);
  return ms !== undefined && ms >= from && ms < to;
};
const count = (arg: unknown, name: string) => {
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 0) throw queryError(`The value '${String(arg)}' of parameter 'PropertyValue' of function '${name}' is not a valid number.`);
  return n;
};
const addMonths = (ms: number, months: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
};
const monthStart = (ms: number) => addMonths(ms, 0);
const yearStart = (ms: number, plus = 0) => Date.UTC(new Date(ms).getUTCFullYear() + plus, 0, 1);
const weekStart = (ms: number) => startOfDay(ms) - new Date(ms).getUTCDay() * DAY; // weeks start on Sunday (en-US)

type Fn = (input: QueryFunctionInput, name: string) => boolean;
const relative = (unit: 'hour' | 'day' | 'week' | 'month' | 'year', direction: 'last' | 'next' | 'older'): Fn => ({ value, arg, now }, name) => {
  const n = count(arg, name);
  const t = now.getTime();
  const shift = (ms: number, k: number) =>
    unit === 'hour' ? ms + k * 3_600_000 : unit === 'day' ? ms + k * DAY : unit === 'week' ? ms + k * 7 * DAY
      : unit === 'month' ? Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth() + k, new Date(ms).getUTCDate(), new Date(ms).getUTCHours())
        : Date.UTC(new Date(ms).getUTCFullYear() + k, new Date(ms).getUTCMonth(), new Date(ms).getUTCDate(), new Date(ms).getUTCHours());
  const ms = millisOf(value);
  if (ms === undefined) return false;
  if (direction === 'older') return ms < shift(t, -n);
  if (direction === 'last') return ms >= (unit === 'hour' ? shift(t, -n) : startOfDay(shift(t, -n))) && ms <= t;
  return ms >= t && ms < (unit === 'hour' ? shift(t, n) : startOfDay(shift(t, n)) + DAY);
};
const period = (from: (t: number) => number, to: (t: number) => number): Fn => ({ value, now }) => within(value, from(now.getTime()), to(now.getTime()));
const onDay = (cmp: (a: number, b: number) => boolean): Fn => ({ value, arg }, name) => {
  const ms = millisOf(value);
  const day = typeof arg === 'string' && isDateLike(arg) ? startOfDay(toMillis(arg)) : undefined;
  if (day === undefined) throw queryError(`The value '${String(arg)}' of parameter 'PropertyValue' of function '${name}' is not a valid date.`);
  return ms !== undefined && cmp(startOfDay(ms), day);
};
const inList = (negate: boolean): Fn => ({ value, args }) => {
  if (value === null || value === undefined) return false;
  return args.some((a) => equalValues(value, a)) !== negate;
};
const between = (negate: boolean): Fn => ({ value, args }, name) => {
  if (args.length !== 2) throw queryError(`Function '${name}' expects exactly two values in 'PropertyValues'.`);
  if (value === null || value === undefined) return false;
  const inside = (compareValues(value, args[0]) ?? -1) >= 0 && (compareValues(value, args[1]) ?? 1) <= 0;
  return inside !== negate;
};
const multiSelect = (all: boolean): Fn => ({ value, args }) => {
  const chosen = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value === null || value === undefined ? [] : [String(value)];
  const hit = args.some((a) => chosen.includes(String(a)));
  return all ? hit : !hit;
};

export const QUERY_FUNCTIONS: Record<string, Fn> = {
  In: inList(false), NotIn: inList(true), Between: between(false), NotBetween: between(true),
  On: onDay((a, b) => a === b), OnOrAfter: onDay((a, b) => a >= b), OnOrBefore: onDay((a, b) => a <= b),
  Today: period(startOfDay, (t) => startOfDay(t) + DAY),
  Yesterday: period((t) => startOfDay(t) - DAY, startOfDay),
  Tomorrow: period((t) => startOfDay(t) + DAY, (t) => startOfDay(t) + 2 * DAY),
  Last7Days: period((t) => startOfDay(t) - 7 * DAY, (t) => t + 1),
  Next7Days: period((t) => t, (t) => startOfDay(t) + 8 * DAY),
  ThisWeek: period(weekStart, (t) => weekStart(t) + 7 * DAY),
  LastWeek: period((t) => weekStart(t) - 7 * DAY, weekStart),
  NextWeek: period((t) => weekStart(t) + 7 * DAY, (t) => weekStart(t) + 14 * DAY),
  ThisMonth: period(monthStart, (t) => addMonths(t, 1)),
  LastMonth: period((t) => addMonths(t, -1), monthStart),
  NextMonth: period((t) => addMonths(t, 1), (t) => addMonths(t, 2)),
  ThisYear: period((t) => yearStart(t), (t) => yearStart(t, 1)),
  LastYear: period((t) => yearStart(t, -1), (t) => yearStart(t)),
  NextYear: period((t) => yearStart(t, 1), (t) => yearStart(t, 2)),
  LastXHours: relative('hour', 'last'), LastXDays: relative('day', 'last'), LastXWeeks: relative('week', 'last'),
  LastXMonths: relative('month', 'last'), LastXYears: relative('year', 'last'),
  NextXHours: relative('hour', 'next'), NextXDays: relative('day', 'next'), NextXWeeks: relative('week', 'next'),
  NextXMonths: relative('month', 'next'), NextXYears: relative('year', 'next'),
  OlderThanXHours: relative('hour', 'older'), OlderThanXDays: relative('day', 'older'), OlderThanXWeeks: relative('week', 'older'),
  OlderThanXMonths: relative('month', 'older'), OlderThanXYears: relative('year', 'older'),
  OlderThanXMinutes: ({ value, arg, now }, name) => {
    const ms = millisOf(value);
    return ms !== undefined && ms < now.getTime() - count(arg, name) * 60_000;
  },
  EqualUserId: ({ value, userId }) => equalValues(value, userId),
  NotEqualUserId: ({ value, userId }) => !equalValues(value, userId),
  EqualBusinessId: ({ value, businessUnitId }) => equalValues(value, businessUnitId),
  NotEqualBusinessId: ({ value, businessUnitId }) => !equalValues(value, businessUnitId),
  ContainValues: multiSelect(true), DoesNotContainValues: multiSelect(false),
};
