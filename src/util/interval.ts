/**
 * PostgreSQL intervals as plain data: months, days and microseconds kept apart, as PostgreSQL keeps
 * them (a month is not a fixed number of days, nor a day a fixed number of hours across a time-zone
 * change). Read from PostgreSQL's input text, written in one canonical text every stage agrees on,
 * added to an instant month-first as PostgreSQL and DuckDB do (`2024-01-31 + 1 month` is `2024-02-29`),
 * and printed in PostgreSQL's output style.
 *
 *   parseInterval('1 day 02:30')         → {months: 0, days: 1, micros: 9_000_000_000}
 *   parseInterval('7', 'day')            → {months: 0, days: 7, micros: 0}
 *   addInterval(2024-01-31T00:00Z, {months: 1, …}) → 2024-02-29T00:00Z
 *   formatInterval({months: 14, days: 3, micros: 3_600_000_000}) → '1 year 2 mons 3 days 01:00:00'
 */

export interface IntervalValue {
  months: number;
  days: number;
  /** whole microseconds */
  micros: number;
}

const MICROS = { second: 1_000_000, minute: 60_000_000, hour: 3_600_000_000, day: 86_400_000_000 };

/** every unit spelling PostgreSQL accepts in interval text, with what one of it is */
const UNITS: Record<string, { months?: number; days?: number; micros?: number }> = {};
const unit = (names: string[], value: { months?: number; days?: number; micros?: number }) => {
  for (const name of names) UNITS[name] = value;
};
unit(['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'microsecon'], { micros: 1 });
unit(['millisecond', 'milliseconds', 'ms', 'msec', 'msecs'], { micros: 1000 });
unit(['second', 'seconds', 's', 'sec', 'secs'], { micros: MICROS.second });
unit(['minute', 'minutes', 'm', 'min', 'mins'], { micros: MICROS.minute });
unit(['hour', 'hours', 'h', 'hr', 'hrs'], { micros: MICROS.hour });
unit(['day', 'days', 'd'], { days: 1 });
unit(['week', 'weeks', 'w'], { days: 7 });
unit(['month', 'months', 'mon', 'mons'], { months: 1 });
unit(['year', 'years', 'y', 'yr', 'yrs'], { months: 12 });
unit(['decade', 'decades'], { months: 120 });
unit(['century', 'centuries'], { months: 1200 });
unit(['millennium', 'millennia', 'millenniums'], { months: 12000 });

/**
 * PostgreSQL's interval input: number-and-unit pairs (`1 year 2 months`, `-3 days`, `1.5 hours`), a
 * time `[-]hh:mm[:ss[.ffffff]]`, and a trailing `ago`; with a unit after the literal
 * (`interval '7' day`), a bare number counts in that unit. Undefined when the text is none of these
 * (ISO 8601 `P1D` and SQL-standard `1-2` year-month forms are not read).
 */
export function parseInterval(text: string, trailingUnit?: string): IntervalValue | undefined {
  const words = text.trim().toLowerCase().replace(/@/g, ' ').split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return undefined;
  const sum = { months: 0, days: 0, micros: 0 };
  let negate = false;
  if (words[words.length - 1] === 'ago') {
    negate = true;
    words.pop();
  }
  if (trailingUnit && words.length === 1 && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(words[0]!)) words.push(trailingUnit.toLowerCase());
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const time = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d*)?)?$/.exec(word);
    if (time) {
      const [, sign, h, m, s, fraction] = time;
      const micros = Number(h) * MICROS.hour + Number(m) * MICROS.minute + Number(s ?? 0) * MICROS.second + Number((fraction ?? '').padEnd(6, '0'));
      sum.micros += sign === '-' ? -micros : micros;
      continue;
    }
    // `1day` is one word in PostgreSQL too
    const joined = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z]+)$/.exec(word);
    const number = joined ? joined[1]! : word;
    const name = joined ? joined[2]! : words[++i];
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(number) || name === undefined) return undefined;
    const per = UNITS[name];
    if (!per) return undefined;
    add(sum, Number(number), per);
  }
  const result = { months: sum.months, days: sum.days, micros: Math.round(sum.micros) };
  const minus = (n: number) => (n === 0 ? 0 : -n);
  return negate ? { months: minus(result.months), days: minus(result.days), micros: minus(result.micros) } : result;
}

/** a fraction of a month spills into days of 30, a fraction of a day into hours of 24 (PostgreSQL's rule) */
function add(sum: IntervalValue, n: number, per: { months?: number; days?: number; micros?: number }): void {
  if (per.months) {
    const months = n * per.months;
    const whole = Math.trunc(months);
    sum.months += whole;
    const days = (months - whole) * 30;
    sum.days += Math.trunc(days);
    sum.micros += (days - Math.trunc(days)) * MICROS.day;
  } else if (per.days) {
    const days = n * per.days;
    sum.days += Math.trunc(days);
    sum.micros += (days - Math.trunc(days)) * MICROS.day;
  } else {
    sum.micros += n * per.micros!;
  }
}

/** the one text an interval literal carries through the stages: `3 months 2 days 5000000 microseconds` */
export function canonicalInterval(value: IntervalValue): string {
  return `${value.months} months ${value.days} days ${value.micros} microseconds`;
}

/** `instant + value`: months first (the day clamped to the month's end), then days, then the time (UTC) */
export function addInterval(instant: Date, value: IntervalValue, sign: 1 | -1 = 1): Date {
  const d = new Date(instant.getTime());
  if (value.months !== 0) {
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + sign * value.months);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
  }
  d.setUTCDate(d.getUTCDate() + sign * value.days);
  // a Date holds milliseconds: a remainder below one is cut, as the instant it is added to has none
  return new Date(d.getTime() + sign * Math.trunc(value.micros / 1000));
}

/**
 * PostgreSQL's output style (`IntervalStyle = postgres`): `1 year 2 mons 3 days -01:02:03.5`. As
 * PostgreSQL writes it, the singular is for exactly 1 (`-1 days`), and a positive part right after a
 * negative one carries a `+` (`-1 years +3 days`).
 */
export function formatInterval(value: IntervalValue): string {
  const parts: string[] = [];
  const years = Math.trunc(value.months / 12);
  const months = value.months - years * 12;
  let afterNegative = false;
  const part = (n: number, one: string, many: string) => {
    if (n === 0) return;
    parts.push(`${afterNegative && n > 0 ? '+' : ''}${n} ${n === 1 ? one : many}`);
    afterNegative = n < 0;
  };
  part(years, 'year', 'years');
  part(months, 'mon', 'mons');
  part(value.days, 'day', 'days');
  if (value.micros !== 0 || parts.length === 0) {
    const negative = value.micros < 0;
    const total = Math.abs(value.micros);
    const hours = Math.floor(total / MICROS.hour);
    const minutes = Math.floor((total % MICROS.hour) / MICROS.minute);
    const seconds = Math.floor((total % MICROS.minute) / MICROS.second);
    const fraction = total % MICROS.second;
    const two = (n: number) => String(n).padStart(2, '0');
    const time = `${two(hours)}:${two(minutes)}:${two(seconds)}${fraction ? `.${String(fraction).padStart(6, '0').replace(/0+$/, '')}` : ''}`;
    parts.push(`${negative ? '-' : afterNegative ? '+' : ''}${time}`);
  }
  return parts.join(' ');
}
