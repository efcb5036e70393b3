import { queryError } from '../errors.js';

/**
 * Splits a raw (still percent-encoded) query string into system query options and parameter
 * aliases, decoding each value once. `+` is a space, as in HTML forms and the service.
 * e.g. `$filter=name%20eq%20'a'&@p1=5` → options {$filter: "name eq 'a'"}, aliases {p1: "5"}.
 */
export function splitQuery(rawQuery: string): { options: Map<string, string>; aliases: Map<string, string>; custom: Map<string, string> } {
  const options = new Map<string, string>();
  const aliases = new Map<string, string>();
  const custom = new Map<string, string>();
  if (!rawQuery) return { options, aliases, custom };
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (name.startsWith('$')) {
      if (options.has(name)) throw queryError(`Query option '${name}' was specified more than once, but it must be specified at most once.`);
      options.set(name, value);
    } else if (name.startsWith('@')) aliases.set(name.slice(1), value);
    else custom.set(name, value);
  }
  return { options, aliases, custom };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw queryError(`The query string contains an invalid percent-encoding: '${text.slice(0, 100)}'.`);
  }
}
