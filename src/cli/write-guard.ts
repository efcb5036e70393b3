/**
 * Before an UPDATE or DELETE runs in the REPL, count the rows it would touch with a
 * `SELECT COUNT(*)` of the same table and WHERE, so a person can confirm a large write:
 *
 * `DELETE FROM account WHERE statecode = 1` → `SELECT COUNT(*) FROM account WHERE statecode = 1`
 *
 * The count runs through the connection like any query, so it uses the same push-down (`$apply`
 * or `$count`) as the write's own key-reading step. Statements whose target cannot be read off the
 * text (an UPDATE with a FROM clause, DELETE ... USING) are reported as `unknown`; the REPL then
 * asks without a number.
 */
import { identifierName, isWord, tokenize, type Token } from './sql-tokens.js';

export type WriteCount =
  | { kind: 'count'; command: 'UPDATE' | 'DELETE'; table: string; countSql: string }
  | { kind: 'unknown'; command: 'UPDATE' | 'DELETE'; reason: string };

/** Index after a `TOP (n)` / `TOP n [PERCENT]` clause starting at `i`, or `i` itself. */
function skipTop(tokens: Token[], i: number): number {
  if (!isWord(tokens[i], 'TOP')) return i;
  let j = i + 1;
  if (tokens[j]?.text === '(') {
    const depth = tokens[j]!.depth;
    j++;
    while (j < tokens.length && !(tokens[j]!.text === ')' && tokens[j]!.depth === depth)) j++;
    j++;
  } else j++;
  if (isWord(tokens[j], 'PERCENT')) j++;
  return j;
}

/** A possibly qualified table name (`dbo.account`, `[x].[y]`) starting at `i`: its end index. */
function tableEnd(tokens: Token[], i: number): number {
  let j = i;
  if (tokens[j]?.kind !== 'word' && tokens[j]?.kind !== 'quoted') return i;
  j++;
  while (tokens[j]?.text === '.' && (tokens[j + 1]?.kind === 'word' || tokens[j + 1]?.kind === 'quoted')) j += 2;
  return j;
}

/** `[AS] alias` and nothing else between `from` and `to`. */
function isAliasOnly(tokens: Token[], from: number, to: number): boolean {
  const between = tokens.slice(from, to);
  if (between.length === 0) return true;
  const rest = isWord(between[0], 'AS') ? between.slice(1) : between;
  return rest.length === 1 && (rest[0]!.kind === 'word' || rest[0]!.kind === 'quoted');
}

function topLevel(tokens: Token[], from: number, ...words: string[]): number {
  for (let i = from; i < tokens.length; i++) if (tokens[i]!.depth === 0 && isWord(tokens[i], ...words)) return i;
  return -1;
}

export function writeCountFor(sql: string): WriteCount | undefined {
  const tokens = tokenize(sql);
  const first = tokens[0];
  if (!isWord(first, 'UPDATE', 'DELETE')) return undefined;
  const command = first!.text.toUpperCase() as 'UPDATE' | 'DELETE';
  const unknown = (reason: string): WriteCount => ({ kind: 'unknown', command, reason });

  let i = skipTop(tokens, 1);
  if (command === 'DELETE' && isWord(tokens[i], 'FROM')) i++;
  const nameStart = i;
  const nameEnd = tableEnd(tokens, i);
  if (nameEnd === nameStart) return unknown('no table name after ' + command);
  const table = tokens.slice(nameStart, nameEnd).filter((t) => t.text !== '.').map(identifierName).join('.');

  let aliasEnd: number;
  let where: number;
  if (command === 'UPDATE') {
    const set = topLevel(tokens, nameEnd, 'SET');
    if (set < 0) return unknown('no SET clause');
    aliasEnd = set;
    if (topLevel(tokens, set, 'FROM') >= 0) return unknown('UPDATE ... FROM joins other tables');
    where = topLevel(tokens, set, 'WHERE');
  } else {
    where = topLevel(tokens, nameEnd, 'WHERE');
    const stop = where < 0 ? tokens.length : where;
    const other = topLevel(tokens.slice(0, stop), nameEnd, 'FROM', 'USING', 'OUTPUT', 'RETURNING', 'OPTION');
    aliasEnd = other < 0 ? stop : other;
    if (other >= 0 && !isWord(tokens[other], 'OUTPUT', 'RETURNING', 'OPTION')) return unknown('DELETE joins other tables');
  }
  if (!isAliasOnly(tokens, nameEnd, aliasEnd)) return unknown('could not read the target table');

  const target = sql.slice(tokens[nameStart]!.start, tokens[aliasEnd - 1]!.end);
  let whereText = '';
  if (where >= 0) {
    const end = topLevel(tokens, where, 'RETURNING', 'OPTION');
    whereText = ' ' + sql.slice(tokens[where]!.start, end < 0 ? sql.length : tokens[end]!.start).trim();
  }
  return { kind: 'count', command, table, countSql: `SELECT COUNT(*) AS affected FROM ${target}${whereText}` };
}
