/**
 * REPL history kept in the user's data folder, one entered line per line of the file, newest last,
 * readable only by the user (statements can hold data). Loading keeps the last `limit` lines,
 * newest first as node:readline wants them.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const HISTORY_LIMIT = 1000;

/** Reads the history; a file grown past twice the limit is cut back to the limit, so it never grows without end. */
export function loadHistory(file: string, limit = HISTORY_LIMIT): string[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const kept = lines.slice(-limit);
  if (lines.length > 2 * limit) writeFileSync(file, kept.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  return kept.reverse();
}

/** Appends one line; a history that cannot be written must never stop the REPL, so errors are returned. */
export function appendHistory(file: string, line: string): Error | undefined {
  if (line.trim() === '' || line.includes('\n')) return undefined;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const created = !existsSync(file);
    appendFileSync(file, `${line}\n`, { mode: 0o600 });
    if (created) chmodSync(file, 0o600);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
