/**
 * The connection an MCP server works on is the user's, with two settings of the server's own:
 *
 * - `Max Rows Affected` is replaced by `--max-rows-affected` (default 100), so an agent's UPDATE or
 *   DELETE past it fails before anything is written;
 * - `Use Dynamic Stored Procedures` is on unless the user set it: the org's functions and actions
 *   become procedures (`EXEC WhoAmI`, search_tables' RetrieveTotalRecordCount); actions are writes,
 *   refused like any write without --allow-writes.
 *
 *   mcpConnectionString('Organization URL=https://x.crm.dynamics.com;Max Rows Affected=0', 100)
 *     → 'Organization URL="https://x.crm.dynamics.com";Use Dynamic Stored Procedures="true";Max Rows Affected="100"'
 *
 * Every value is written back quoted (quotes inside doubled), so a secret holding `;` survives.
 * The secret values of the settings are returned for the redactor that guards every tool answer.
 */
import { findSetting, parseConnectionString, resolveOptions } from '../config/index.js';

const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`;

export function mcpConnectionString(connectionString: string, maxRowsAffected: number): string {
  const settings = parseConnectionString(connectionString);
  const field = (key: string) => findSetting(key)?.field;
  const kept: (readonly [string, string])[] = settings.filter(([key]) => field(key) !== 'maxRowsAffected');
  if (!settings.some(([key]) => field(key) === 'useDynamicStoredProcedures')) kept.push(['Use Dynamic Stored Procedures', 'true']);
  kept.push(['Max Rows Affected', String(maxRowsAffected)]);
  return kept.map(([key, value]) => `${key}=${quoted(value)}`).join(';');
}

/** the secret values a connection string holds (client secret, tokens, certificate and its password) */
export function secretsOf(connectionString: string): readonly string[] {
  return resolveOptions(connectionString, { env: {} }).secrets;
}
