/**
 * Paging a join that can repeat a root row (a 1:N or M:N link) without losing rows. The service's
 * paging cookie tracks root rows only, so a page that ends inside one root's rows would make the
 * next page skip that root's remaining rows (FetchXML doc §1.7); paging by number alone stops at
 * 50,000 rows. Instead, with the rows in root-key order (no `<order>`: the service sorts by the
 * key), each full page drops its last root's rows and the next page starts at that root: its
 * cookie is the service's own with `last` set to the root before it.
 *
 *   page 1: roots A A B B C (count 5, more records) → keep A A B B; next cookie `<accountid last="{B}" …/>`
 *   page 2: starts at C.
 *
 * A page holding one root only (more rows than a page) is read again by that root alone: the same
 * fetch with `key eq K` and every link sorted by its key (a stable order), paged by number; then
 * the read goes on after K. Pure: the cursor says which fetch the next page is.
 */
import { DynasqlError } from '../errors/index.js';
import type { JsonValue } from '../odata/index.js';
import { element, withAttributes, type XmlElement } from './xml.js';

/** what a keyed read needs: the root key's name, and each link's key by alias (the stable order of one root's rows) */
export interface KeyPaging {
  key: string;
  linkKeys: Record<string, string>;
}

/** the request of the next page: its `<fetch>`, and the fetch to go on with once this one's pages end */
export interface FetchCursor {
  fetch: XmlElement;
  after?: XmlElement;
}

export interface KeyedPage {
  rows: Record<string, JsonValue>[];
  next?: FetchCursor;
}

const braced = (id: string) => `{${id.toUpperCase()}}`;

/**
 * The rows to keep from a page of the keyed read and the next request. `more`: the service said
 * more records follow; `cookie`: its inner paging cookie; `pageNumber`: 0-based, of `current`.
 */
export function keyedPage(rows: Record<string, JsonValue>[], more: boolean, cookie: string | undefined, paging: KeyPaging, base: XmlElement, current: FetchCursor, pageNumber: number): KeyedPage {
  if (current.after) {
    // reading one root by page number: on to its next page, or back to the whole read after it
    if (more) return { rows, next: { fetch: withAttributes(current.fetch, { page: String(Number(current.fetch.attributes.page ?? '1') + 1) }), after: current.after } };
    return { rows, next: { fetch: current.after } };
  }
  if (!more) return { rows };
  const keyOf = (row: Record<string, JsonValue>) => {
    const value = row[paging.key];
    if (typeof value !== 'string') throw new DynasqlError('DYNASQL_ERR_SERVICE', `A FetchXML join row came back without its key ${paging.key}`);
    return value;
  };
  if (!cookie) throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service sent no paging cookie for a FetchXML join it has more rows of');
  const last = keyOf(rows.at(-1)!);
  let keep = rows.length;
  while (keep > 0 && sameKey(keyOf(rows[keep - 1]!), last)) keep--;
  const nextPage = String(pageNumber + 2);
  if (keep === 0) {
    // one root fills the page: read it alone, in a stable order, then go on after it
    return { rows: [], next: { fetch: oneRoot(base, paging, last), after: withAttributes(base, { page: nextPage, 'paging-cookie': cookieAfter(cookie, paging.key, last) }) } };
  }
  const before = keyOf(rows[keep - 1]!);
  return { rows: rows.slice(0, keep), next: { fetch: withAttributes(base, { page: nextPage, 'paging-cookie': cookieAfter(cookie, paging.key, before) }) } };
}

const sameKey = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** the service's inner cookie with the root key's `last` set to `id`: the next page starts after that root */
function cookieAfter(cookie: string, key: string, id: string): string {
  const pattern = new RegExp(`(<${key}\\s[^>]*?\\blast=")[^"]*(")`);
  if (!pattern.test(cookie)) throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service's paging cookie has no ${key}; the FetchXML join cannot be paged`);
  return cookie.replace(pattern, `$1${braced(id)}$2`);
}

/** the fetch restricted to one root (`key eq id`), each link sorted by its key, paged by number from page 1 */
function oneRoot(base: XmlElement, paging: KeyPaging, id: string): XmlElement {
  const entity = base.children[0]!;
  const condition = element('condition', { attribute: paging.key, operator: 'eq', value: id });
  const hasFilter = entity.children.some((c) => c.name === 'filter');
  const children = entity.children.map((c) => {
    if (c.name === 'filter') return { ...c, children: [...c.children, condition] };
    return c.name === 'link-entity' ? sortedLink(c, paging) : c;
  });
  if (!hasFilter) children.push(element('filter', { type: 'and' }, [condition]));
  const fetch = withAttributes(base, { page: '1', 'paging-cookie': undefined });
  return { ...fetch, children: [{ ...entity, children }] };
}

function sortedLink(link: XmlElement, paging: KeyPaging): XmlElement {
  const key = paging.linkKeys[link.attributes.alias ?? ''];
  const children = link.children.map((c) => (c.name === 'link-entity' ? sortedLink(c, paging) : c));
  if (!key || (link.attributes['link-type'] !== 'inner' && link.attributes['link-type'] !== 'outer')) return { ...link, children };
  // an <order> goes before the link's filter and links, as in the plan's own elements
  const at = children.findIndex((c) => c.name === 'filter' || c.name === 'link-entity');
  const order = element('order', { attribute: key });
  return { ...link, children: at < 0 ? [...children, order] : [...children.slice(0, at), order, ...children.slice(at)] };
}
