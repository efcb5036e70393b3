/**
 * Reading SQL-level `PREPARE name [(type, …)] AS statement` and `EXECUTE name [(arg, …)]`. The
 * session keeps SQL-level prepared statements beside the protocol's (one namespace, as in Postgres),
 * so they run over Dynamics tables and catalogs alike.
 * Example: `PREPARE q (numeric(10,2), text) AS select … where revenue > $1 and name = $2` →
 * { name: 'q', types: ['numeric(10,2)', 'text'], statement: 'select … where revenue > $1 and name = $2' }.
 */
import { DynasqlError } from '../errors/index.js';
import { tokenize, type Token } from './sql-text.js';

export interface PrepareStatement {
  name: string;
  /** the parameter types as written (resolved to OIDs by the engine) */
  types: string[];
  statement: string;
}

export interface ExecuteStatement {
  name: string;
  /** the arguments as written (evaluated by the engine) */
  args: string[];
}

const syntax = (message: string) => new DynasqlError('DYNASQL_ERR_SYNTAX', message);

function nameOf(token: Token | undefined, what: string): string {
  if (token?.kind === 'word' || token?.kind === 'quotedIdentifier') return token.value;
  throw syntax(`${what}: a statement name was expected`);
}

/** The comma-separated parts of the parenthesised list opening at `tokens[open]`, and the index after it. */
function list(sql: string, tokens: Token[], open: number, what: string): { parts: string[]; next: number } {
  const parts: string[] = [];
  let depth = 0;
  let from = tokens[open]!.end;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'symbol') continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') {
      if (--depth === 0) {
        const last = sql.slice(from, t.start).trim();
        if (last !== '' || parts.length > 0) parts.push(last);
        if (parts.some((p) => p === '')) throw syntax(`${what}: an empty item in the list`);
        return { parts, next: i + 1 };
      }
    } else if (t.text === ',' && depth === 1) {
      parts.push(sql.slice(from, t.start).trim());
      from = t.end;
    }
  }
  throw syntax(`${what}: the list has no closing parenthesis`);
}

export function parsePrepare(sql: string): PrepareStatement {
  const tokens = tokenize(sql);
  const name = nameOf(tokens[1], 'PREPARE');
  let i = 2;
  let types: string[] = [];
  if (tokens[i]?.text === '(') ({ parts: types, next: i } = list(sql, tokens, i, 'PREPARE'));
  if (tokens[i]?.value !== 'as' || !tokens[i + 1]) throw syntax('PREPARE needs AS statement');
  return { name, types, statement: sql.slice(tokens[i + 1]!.start).trim().replace(/;$/, '') };
}

export function parseExecute(sql: string): ExecuteStatement {
  const tokens = tokenize(sql);
  const name = nameOf(tokens[1], 'EXECUTE');
  if (!tokens[2]) return { name, args: [] };
  if (tokens[2].text !== '(') throw syntax(`EXECUTE: unexpected ${tokens[2].text}`);
  const { parts, next } = list(sql, tokens, 2, 'EXECUTE');
  if (tokens[next] && !(tokens[next]!.text === ';' && next + 1 === tokens.length)) throw syntax(`EXECUTE: unexpected ${tokens[next]!.text}`);
  return { name, args: parts };
}
