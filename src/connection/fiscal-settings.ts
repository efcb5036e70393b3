/**
 * The organization's fiscal settings, which FISCAL_YEAR() and FISCAL_PERIOD() compute with
 * (plan/fiscal.ts), read from the one row of the `organizations` entity set the first time a
 * statement of the connection uses one of them, and kept for the connection's life:
 *
 *   GET organizations?$select=fiscalcalendarstart,fiscalperiodtype,fiscalyeardisplaycode
 *   → { value: [{ fiscalcalendarstart: '2023-07-01T00:00:00Z', fiscalperiodtype: 2002, fiscalyeardisplaycode: 2 }] }
 *
 * `fiscalcalendarstart` is a date and time; only its month and day matter. Whether the service
 * stores it as a UTC midnight or as the administrator's local midnight is not documented: the value
 * is rounded to the nearest UTC midnight, which gives the intended day for every offset within
 * ±12 hours [unverified]. A refused request is the statement's error (the functions have no
 * answer without the settings); settings the functions cannot follow are refused by name.
 */
import { DynasqlError } from '../errors/index.js';
import type { Executor } from '../http/index.js';
import type { FiscalSettings } from '../plan/index.js';

interface OrganizationBody { value?: { fiscalcalendarstart?: unknown; fiscalperiodtype?: unknown; fiscalyeardisplaycode?: unknown }[] }

const DAY = 86_400_000;
const PERIOD_TYPES = new Set([2000, 2001, 2002, 2003, 2004]);

export class FiscalSettingsCache {
  /** undefined until read */
  settings: FiscalSettings | undefined;

  constructor(private readonly executor: Executor) {}

  async load(signal: AbortSignal | undefined): Promise<FiscalSettings> {
    if (this.settings) return this.settings;
    const response = await this.executor.send({
      method: 'GET', url: 'organizations?$select=fiscalcalendarstart,fiscalperiodtype,fiscalyeardisplaycode', headers: { Accept: 'application/json' }, idempotent: true,
      ...(signal ? { signal } : {}),
    });
    this.settings = settingsOf(response.json<OrganizationBody>());
    return this.settings;
  }
}

export function settingsOf(body: OrganizationBody): FiscalSettings {
  const row = body.value?.[0];
  const unreadable = (what: string) => new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL',
    `Unsupported SQL: FISCAL_YEAR / FISCAL_PERIOD need the organization's fiscal settings, and its ${what}`);
  if (!row) throw unreadable('row could not be read');
  const start = typeof row.fiscalcalendarstart === 'string' ? Date.parse(row.fiscalcalendarstart) : NaN;
  if (Number.isNaN(start)) throw unreadable(`fiscalcalendarstart (${String(row.fiscalcalendarstart)}) is not a date`);
  const day = new Date(Math.round(start / DAY) * DAY);
  const type = row.fiscalperiodtype;
  if (typeof type !== 'number' || !PERIOD_TYPES.has(type)) throw unreadable(`fiscalperiodtype (${String(type)}) is none of 2000-2004`);
  return {
    startMonth: day.getUTCMonth() + 1, startDay: day.getUTCDate(), periodType: type as FiscalSettings['periodType'],
    namedBy: row.fiscalyeardisplaycode === 2 ? 'end' : 'start',
  };
}
