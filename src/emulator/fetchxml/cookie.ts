import type { Tuple } from './bind.js';
import type { SortKey } from './order.js';

const lowerHex = (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const braced = (id: unknown) => `{${String(id).toUpperCase()}}`;

/**
 * The `fetchxmlpagingcookie` annotation (FetchXML doc §1.7; protocol §1.6): an outer
 * `<cookie pagenumber pagingcookie istracking>` whose `pagingcookie` is the inner cookie URL-encoded
 * twice. The inner cookie has one element per root sort column (`last`/`first`, or
 * `lastnull`/`firstnull="1"`) and then the primary key, braced and upper-case. The docs show the
 * same outer `pagenumber` on consecutive pages; the emulator writes the next page's number.
 */
export function pagingCookieOf(page: number, keys: SortKey[], rootKey: string, first: Tuple, last: Tuple): string {
  let inner = `<cookie page="${page}">`;
  for (const key of keys) {
    if (key.column.property.name === rootKey) continue;
    const name = key.column.logicalName;
    const lastValue = last[key.from.alias]?.values[key.column.property.name];
    const firstValue = first[key.from.alias]?.values[key.column.property.name];
    const part = (label: string, value: unknown) => (value === null || value === undefined ? `${label}null="1"` : `${label}="${xmlAttr(key.column.lookup ? braced(value) : String(value))}"`);
    inner += `<${name} ${part('last', lastValue)} ${part('first', firstValue)} />`;
  }
  inner += `<${rootKey} last="${braced(last['']!.values[rootKey])}" first="${braced(first['']!.values[rootKey])}" /></cookie>`;
  return `<cookie pagenumber="${page + 1}" pagingcookie="${lowerHex(lowerHex(inner))}" istracking="False" />`;
}

/**
 * Where the page after a client's `paging-cookie` starts: after the last row of the root key the
 * cookie names. When that row is gone the caller falls back to counting pages (the service would
 * seek by the cookie's sort values; the emulator does not).
 */
export function startAfterCookie(cookie: string, rootKey: string, tuples: Tuple[]): number | undefined {
  const match = new RegExp(`<${rootKey}\\s[^>]*last="\\{?([0-9A-Fa-f-]{36})\\}?"`).exec(cookie);
  if (!match) return undefined;
  const last = match[1]!.toLowerCase();
  for (let i = tuples.length - 1; i >= 0; i--) {
    if (String(tuples[i]!['']?.values[rootKey] ?? '').toLowerCase() === last) return i + 1;
  }
  return undefined;
}
