/**
 * Settings a session reports to its client (ParameterStatus at startup and after each change) and
 * the startup settings it takes, as Postgres does.
 * Example: `SET application_name = 'report'` is followed by ParameterStatus application_name=report;
 * `-c role=postgres` at startup is refused (client statements run as the engine's reader role).
 */
import { quoteLiteral } from './catalog-mirror.js';
import { CARRIED_STARTUP_SETTINGS } from './catalog-engine.js';

/** The settings Postgres reports with ParameterStatus whenever they change (GUC_REPORT) that a client may change. */
export const REPORTED_SETTINGS = ['application_name', 'DateStyle', 'default_transaction_read_only', 'IntervalStyle', 'TimeZone'] as const;

/** Settings no client may set: they would leave the engine's reader role. */
const REFUSED_STARTUP_SETTINGS = new Set(['role', 'session_authorization']);

/** `name` as the session keys it: the carried settings' own spelling (`DateStyle`), else lower case. */
export function settingKey(name: string): string {
  return CARRIED_STARTUP_SETTINGS.find((n) => n.toLowerCase() === name.toLowerCase()) ?? name.toLowerCase();
}

export function isRefusedStartupSetting(name: string): boolean {
  return REFUSED_STARTUP_SETTINGS.has(name.toLowerCase());
}

/** One statement that applies `settings` in the engine (an unknown name or a bad value is its error). */
export function applySettingsSql(settings: Iterable<[string, string]>): string {
  const calls = [...settings].map(([name, value]) => `set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, false)`);
  return `SELECT ${calls.join(', ')}`;
}

/** One row: the current value of each reported setting, in REPORTED_SETTINGS order. */
export const REPORTED_SETTINGS_SQL = `SELECT ${REPORTED_SETTINGS.map((n) => `current_setting(${quoteLiteral(n)})`).join(', ')}`;
