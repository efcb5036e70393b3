/**
 * What the session reads of its own `SET`s: which setting a SET or RESET names, `SET LOCAL` as the
 * session-level SET the engine (never inside a block of its own) can take, and `statement_timeout`,
 * which the session applies to Dynamics statements itself. Pure functions over the statement text.
 * Example: `SET statement_timeout = '2s'` → 2000 ms.
 */
import { leadingWords, tokenize } from './sql-text.js';

/** The setting a `SET [SESSION | LOCAL] name …` or `RESET name` names: `SET TIME ZONE 'UTC'` and `SET timezone = …` are one. */
export function settingName(sql: string): string | undefined {
  const rest = leadingWords(sql, 4).slice(1).filter((w) => w !== 'session' && w !== 'local');
  return rest[0] === 'time' && rest[1] === 'zone' ? 'timezone' : rest[0];
}

/** `SET LOCAL name …` → the setting's name and the same SET at session level; undefined for any other statement. */
export function setLocalAsSession(sql: string): { name: string; sql: string } | undefined {
  const [set, local] = tokenize(sql);
  if (set?.kind !== 'word' || set.value !== 'set' || local?.kind !== 'word' || local.value !== 'local') return undefined;
  const name = settingName(sql);
  if (!name || name === 'transaction') return undefined;
  return { name, sql: `${sql.slice(0, local.start)}${sql.slice(local.end).trimStart()}` };
}

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
