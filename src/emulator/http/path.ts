import { queryError } from '../errors.js';

/** One resource path segment: `accounts(00000000-0000-0000-0000-000000000001)` → name + args. */
export interface Segment {
  name: string;
  args?: string;
}

/**
 * Splits a decoded resource path on `/` outside parentheses and quotes:
 * `accounts(name='a/b')/primarycontactid/$ref` → accounts(name='a/b'), primarycontactid, $ref.
 */
export function splitPath(path: string): Segment[] {
  const segments: Segment[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const push = (text: string) => {
    if (text === '') return;
    const open = text.indexOf('(');
    if (open < 0) segments.push({ name: text });
    else {
      if (!text.endsWith(')')) throw queryError(`Bad Request - Error in query syntax: '${text}'.`);
      segments.push({ name: text.slice(0, open), args: text.slice(open + 1, -1) });
    }
  };
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === '/') {
      push(path.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted || depth !== 0) throw queryError(`Bad Request - Error in query syntax: '${path}'.`);
  push(path.slice(start));
  return segments;
}

/**
 * Key or function arguments: `00000000-…` (bare primary key), `accountnumber='ABC',x=5` (named).
 * Values keep their literal text; quotes are removed from strings ('' → ').
 */
export function parseArgs(args: string): { bare?: string; named: Map<string, string> } {
  const named = new Map<string, string>();
  const parts: string[] = [];
  let quoted = false;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && (c === '[' || c === '(' || c === '{')) depth++;
    else if (!quoted && (c === ']' || c === ')' || c === '}')) depth--;
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(args.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(args.slice(start));
  for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
    const eq = /^([A-Za-z_][\w]*)\s*=(.*)$/s.exec(part);
    if (eq) named.set(eq[1]!, eq[2]!.trim());
    else if (parts.length === 1) return { bare: unquote(part), named };
    else throw queryError(`Bad Request - Error in query syntax: '(${args})'.`);
  }
  return { named };
}

export const unquote = (text: string) => (/^'.*'$/s.test(text) ? text.slice(1, -1).replace(/''/g, "'") : text);
