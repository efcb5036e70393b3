/**
 * The session's `statement_timeout`, which the session applies to Dynamics statements itself.
 * Pure functions over the statement text. Example: `SET statement_timeout = '2s'` → 2000 ms.
 */
import { tokenize } from './sql-text.js';

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A `statement_timeout` value as Postgres reads it: `1000` and `'1000'` are milliseconds, `'2s'`, `'1min'` carry a unit; 0 = none. */
export function timeoutMs(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!);
}

/** The timeout a `SET [SESSION] statement_timeout {= | TO} value` statement sets (`DEFAULT`: none). */
export function statementTimeoutOfSet(sql: string): number | undefined {
  const tokens = tokenize(sql).filter((t) => t.text !== ';');
  let i = 1;
  if (tokens[i]?.value === 'session') i++;
  if (tokens[i]?.value !== 'statement_timeout') return undefined;
  i++;
  if (tokens[i]?.text === '=' || tokens[i]?.value === 'to') i++;
  const value = tokens[i];
  if (!value || i !== tokens.length - 1) return undefined;
  if (value.kind === 'word' && value.value === 'default') return 0;
  return value.kind === 'number' || value.kind === 'string' ? timeoutMs(value.kind === 'string' ? value.value : value.text) : undefined;
}
