/**
 * FISCAL_YEAR(d) and FISCAL_PERIOD(d): a date's fiscal year and period under the organization's
 * fiscal settings (Dataverse's `organization` row: connection/fiscal-settings.ts reads them once per
 * connection, the first time a statement uses one of these functions). Dates are read in UTC, as
 * the service's date grouping with `usertimezone="false"`.
 *
 * The binder appends the settings to each call as a string literal, so every later stage is pure
 * and reads them from the call itself: `FISCAL_YEAR(createdon)` is bound as
 * `FISCAL_YEAR(createdon, '7-1-2002-end')` (fiscal years start on 1 July, quarterly periods, a year
 * named by the calendar year it ends in). The local engine computes them from that text
 * (fiscalYearSql, fiscalPeriodSql); push-down groups by them with FetchXML's `dategrouping`
 * `fiscal-year` / `fiscal-period` and filters by the fiscal year as a range of the date
 * (fiscalYearStart).
 *
 * Settings (fetchxml-delta-metadata doc §1.2 names the operators; the values below are read from the
 * SDK's OrganizationFiscalYearDisplayCode and, for the period types, from FakeXrmEasy's fiscal
 * template [unverified]):
 * - `fiscalcalendarstart`: month and day of every fiscal year's first day;
 * - `fiscalperiodtype`: 2000 one period, 2001 two (half years), 2002 four (quarters), 2003 twelve
 *   (months), 2004 thirteen periods of 28 days, the last running to the year's end;
 * - `fiscalyeardisplaycode`: 1 a year is named by the calendar year it starts in, 2 by the one it ends in.
 */
import { DynasqlError } from '../errors/index.js';

export interface FiscalSettings {
  /** 1-12 */
  startMonth: number;
  /** 1-28 */
  startDay: number;
  periodType: 2000 | 2001 | 2002 | 2003 | 2004;
  namedBy: 'start' | 'end';
}

export const FISCAL_FUNCTIONS: ReadonlySet<string> = new Set(['FISCAL_YEAR', 'FISCAL_PERIOD']);

/** periods per fiscal year by period type */
export const FISCAL_PERIODS: Readonly<Record<FiscalSettings['periodType'], number>> = { 2000: 1, 2001: 2, 2002: 4, 2003: 12, 2004: 13 };

/**
 * Thrown by the binder when a statement uses a fiscal function and the connection has not read the
 * settings yet; the connection reads them and binds again. Not a DynasqlError: it never reaches a user.
 */
export class FiscalSettingsNeeded {}

/** the settings as the call's hidden argument: `7-1-2002-end` */
export function encodeFiscal(s: FiscalSettings): string {
  return `${s.startMonth}-${s.startDay}-${s.periodType}-${s.namedBy}`;
}

export function decodeFiscal(text: string | undefined): FiscalSettings {
  const m = /^(\d{1,2})-(\d{1,2})-(200[0-4])-(start|end)$/.exec(text ?? '');
  if (!m) throw new DynasqlError('DYNASQL_ERR_INTERNAL', `Unreadable fiscal settings ${String(text)}`);
  return { startMonth: Number(m[1]), startDay: Number(m[2]), periodType: Number(m[3]) as FiscalSettings['periodType'], namedBy: m[4] as 'start' | 'end' };
}

/** a year that starts on 1 January starts and ends in one calendar year: both namings agree */
const endShift = (s: FiscalSettings): number => (s.namedBy === 'end' && (s.startMonth !== 1 || s.startDay !== 1) ? 1 : 0);

/** the first instant (UTC) of the fiscal year named `year` */
export function fiscalYearStart(s: FiscalSettings, year: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year - endShift(s), s.startMonth - 1, s.startDay);
  return d;
}

/** 1 when the date (DuckDB SQL) falls before its calendar year's fiscal start, else 0 */
const beforeStart = (s: FiscalSettings, d: string): string => `CAST(month(${d}) * 100 + day(${d}) < ${s.startMonth * 100 + s.startDay} AS INTEGER)`;

/** the fiscal year's name of a date, as DuckDB SQL */
export function fiscalYearSql(s: FiscalSettings, d: string): string {
  return `(year(${d}) - ${beforeStart(s, d)} + ${endShift(s)})`;
}

/** the fiscal period's number (1 to the year's count) of a date, as DuckDB SQL */
export function fiscalPeriodSql(s: FiscalSettings, d: string): string {
  if (s.periodType === 2004) {
    const start = `make_date(CAST(year(${d}) - ${beforeStart(s, d)} AS BIGINT), ${s.startMonth}, ${s.startDay})`;
    return `least(13, date_diff('day', ${start}, CAST(${d} AS DATE)) // 28 + 1)`;
  }
  // whole months since the fiscal year's first day: a month counts once its start day is reached
  const months = `((month(${d}) - ${s.startMonth} + 12 - CAST(day(${d}) < ${s.startDay} AS INTEGER)) % 12)`;
  return `(${months} // ${12 / FISCAL_PERIODS[s.periodType]} + 1)`;
}

/** refuses settings the functions cannot follow exactly */
export function checkFiscal(s: FiscalSettings): FiscalSettings {
  // the 29th-31st is missing from some months; what the service does then is undocumented
  if (s.startDay > 28) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: FISCAL_YEAR / FISCAL_PERIOD with a fiscal year starting on day ${s.startDay} of its month (1-28 only)`);
  return s;
}
