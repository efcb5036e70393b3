/**
 * Reading the SQL-level cursor statements the session runs over Dynamics tables:
 * `DECLARE c [BINARY] [ASENSITIVE|INSENSITIVE] [NO SCROLL] CURSOR [WITH|WITHOUT HOLD] FOR query`,
 * `FETCH`/`MOVE [NEXT | n | ALL | FORWARD [n | ALL]] [FROM | IN] c`, `CLOSE c | ALL`.
 * Cursors over Dynamics tables page forward through the service, so backward and absolute moves
 * are refused (55000, as Postgres answers for a NO SCROLL cursor).
 * Example: `fetch forward 100 from "SQL_CUR01"` → { kind: 'fetch', name: 'SQL_CUR01', count: 100, move: false }.
 */
import { DynasqlError } from '../errors/index.js';
import { tokenize, type Token } from './sql-text.js';

export type CursorStatement =
  | { kind: 'declare'; name: string; binary: boolean; hold: boolean; /** the cursor's query */ query: string }
  | { kind: 'fetch'; name: string; /** rows to fetch or skip; Infinity for ALL */ count: number; move: boolean }
  | { kind: 'close'; /** null: CLOSE ALL */ name: string | null };

/** An error with a SQLSTATE of its own (the session reports it as is). */
export class CursorError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const syntax = (message: string) => new DynasqlError('DYNASQL_ERR_SYNTAX', message);

/** A cursor name as Postgres reads it: folded to lower case unless quoted. */
function nameOf(token: Token | undefined, what: string): string {
  if (token?.kind === 'word') return token.value;
  if (token?.kind === 'quotedIdentifier') return token.value;
  throw syntax(`${what}: a cursor name was expected${token ? ` at ${token.text}` : ''}`);
}

function declare(sql: string, tokens: Token[]): CursorStatement {
  const name = nameOf(tokens[1], 'DECLARE');
  let i = 2;
  let binary = false;
  let hold = false;
  const word = () => (tokens[i]?.kind === 'word' ? tokens[i]!.value : undefined);
  for (; word() !== 'cursor'; i++) {
    const w = word();
    if (w === 'binary') binary = true;
    else if (w === 'asensitive' || w === 'insensitive') continue;
    else if (w === 'no' && tokens[i + 1]?.value === 'scroll') i++;
    else if (w === 'scroll') {
      throw new CursorError('0A000', 'SCROLL cursors over Dynamics tables are not supported: they page forward through the service (declare the cursor NO SCROLL)');
    } else throw syntax(`DECLARE: unexpected ${tokens[i]?.text ?? 'end of statement'}, expected CURSOR`);
  }
  i++;
  if (word() === 'with' || word() === 'without') {
    hold = word() === 'with';
    if (tokens[i + 1]?.value !== 'hold') throw syntax('DECLARE: WITH or WITHOUT is followed by HOLD');
    i += 2;
  }
  if (word() !== 'for' || !tokens[i + 1]) throw syntax('DECLARE … CURSOR needs FOR query');
  return { kind: 'declare', name, binary, hold, query: sql.slice(tokens[i + 1]!.start).trim().replace(/;$/, '') };
}

function count(token: Token | undefined): number {
  if (token?.kind !== 'number' || !/^\d+$/.test(token.value)) throw syntax('FETCH: a row count was expected');
  const n = Number(token.value);
  if (n === 0) throw new CursorError('0A000', 'FETCH 0 (the current row again) is not supported over Dynamics tables: cursors page forward');
  return n;
}

function fetch(tokens: Token[], move: boolean): CursorStatement {
  const what = move ? 'MOVE' : 'FETCH';
  let i = 1;
  let n = 1;
  const backward = () => new CursorError('55000', `cursor can only scan forward: ${what} ${tokens[i]!.text.toUpperCase()} is not supported over Dynamics tables (they page forward through the service)`);
  const w = tokens[i]?.kind === 'word' ? tokens[i]!.value : undefined;
  if (tokens[i]?.kind === 'number') (n = count(tokens[i])), i++;
  else if (tokens[i]?.kind === 'symbol' && tokens[i]!.text === '-') throw backward();
  else if (w === 'next') i++;
  else if (w === 'all') (n = Number.POSITIVE_INFINITY), i++;
  else if (w === 'forward') {
    i++;
    if (tokens[i]?.kind === 'number') (n = count(tokens[i])), i++;
    else if (tokens[i]?.kind === 'word' && tokens[i]!.value === 'all') (n = Number.POSITIVE_INFINITY), i++;
    else if (tokens[i]?.kind === 'symbol' && tokens[i]!.text === '-') throw backward();
  } else if (w === 'prior' || w === 'first' || w === 'last' || w === 'absolute' || w === 'relative' || w === 'backward') throw backward();
  if (tokens[i]?.kind === 'word' && (tokens[i]!.value === 'from' || tokens[i]!.value === 'in')) i++;
  const name = nameOf(tokens[i], what);
  if (tokens[i + 1] && !(tokens[i + 1]!.text === ';' && i + 2 === tokens.length)) throw syntax(`${what}: unexpected ${tokens[i + 1]!.text}`);
  return { kind: 'fetch', name, count: n, move };
}

export function parseCursorStatement(sql: string): CursorStatement {
  const tokens = tokenize(sql);
  switch (tokens[0]?.value) {
    case 'declare':
      return declare(sql, tokens);
    case 'fetch':
    case 'move':
      return fetch(tokens, tokens[0].value === 'move');
    case 'close':
      if (tokens[1]?.kind === 'word' && tokens[1].value === 'all' && tokens.length <= 3) return { kind: 'close', name: null };
      return { kind: 'close', name: nameOf(tokens[1], 'CLOSE') };
    default:
      throw syntax('not a cursor statement');
  }
}
