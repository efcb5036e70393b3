/**
 * What a session answers itself because only it knows: its backend process id, cancelling another
 * session's statement, and its `statement_timeout`. Pure functions over the statement text.
 * Examples: `select pg_cancel_backend(7)` → { name: 'pg_cancel_backend', pid: 7 };
 * `SET statement_timeout = '2s'` → 2000 ms.
 */
import { tokenize } from './sql-text.js';

export type BackendCall =
  | { name: 'pg_backend_pid' }
  /** `pid` is the parameter's position when the statement passes it as `$1` */
  | { name: 'pg_cancel_backend'; pid: number | { parameter: 1 } };

/**
 * The exact forms `select pg_backend_pid()` and `select pg_cancel_backend(<pid> | $1)` (a trailing `;`
 * allowed). Anything else (other columns, FROM, an alias) is not read here and goes to the catalog engine.
 */
export function backendCall(sql: string): BackendCall | undefined {
  const tokens = tokenize(sql);
  if (tokens.at(-1)?.text === ';') tokens.pop();
  const texts = tokens.map((t) => (t.kind === 'word' ? t.value : t.text));
  if (texts[0] !== 'select' || texts[2] !== '(' || texts.at(-1) !== ')') return undefined;
  if (texts[1] === 'pg_backend_pid' && texts.length === 4) return { name: 'pg_backend_pid' };
  if (texts[1] !== 'pg_cancel_backend' || texts.length !== 5) return undefined;
  const argument = tokens[3]!;
  if (argument.kind === 'number' && /^\d+$/.test(argument.text)) return { name: 'pg_cancel_backend', pid: Number(argument.text) };
  if (argument.kind === 'parameter' && argument.text === '$1') return { name: 'pg_cancel_backend', pid: { parameter: 1 } };
  return undefined;
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
