/**
 * A FetchXML read as a request, and its pages. The query goes as `GET <entityset>?fetchXml=<text>`
 * (FetchXML doc §1.5: `fetchXml`, without `$`). A page says whether more rows follow with
 * `@Microsoft.Dynamics.CRM.morerecords`, and hands over `@…fetchxmlpagingcookie`
 * (`<cookie pagenumber="2" pagingcookie="%253ccookie…" istracking="False" />`); the next request is
 * the same fetch with `page` one more and the inner cookie, URL-decoded twice, as `paging-cookie`
 * (FetchXML doc §1.7). There is no nextLink: the next URL is built here.
 *
 * `fetchXmlUrl('accounts', <fetch count="5000">…)` → `accounts?fetchXml=%3Cfetch%20count%3D%225000%22%3E…`.
 */
import { DynasqlError } from '../errors/index.js';
import { encodeQueryOptionValue, JsonNumberText, type JsonValue, type ODataPage } from '../odata/index.js';
import { parseJsonLossless, parseJsonWithTextKeys } from '../odata/json.js';
import { keyedPage, type FetchCursor, type KeyPaging } from './key-paging.js';
import { renderXml, withAttributes, type XmlElement } from './xml.js';

export const PAGING_COOKIE = 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
export const MORE_RECORDS = 'Microsoft.Dynamics.CRM.morerecords';

export function fetchXmlUrl(entitySet: string, fetch: XmlElement): string {
  return `${entitySet}?fetchXml=${encodeQueryOptionValue(renderXml(fetch))}`;
}

/** what a FetchXML read needs to ask for its next page */
export interface FetchPaging {
  entitySet: string;
  /** the `<fetch>` of the first page (with `count`, or `top` and then no next page) */
  fetch: XmlElement;
  /** one page of groups, no next page */
  aggregate?: boolean;
  /** page by number alone, without the cookie */
  simplePaging?: boolean;
  /** sent inside `$batch` */
  viaBatch?: boolean;
  /** a join that can repeat a root row, paged by its root key (key-paging.ts) */
  keyPaging?: KeyPaging;
}

/** a page, and the request of the next one (`nextLink` is its URL) */
export type FetchPage = ODataPage & { cursor?: FetchCursor };

/** the most group rows an aggregate answers (FetchXML doc §1.4) */
const MAX_GROUPS = 5000;
/** paging by number alone stops here (FetchXML doc §1.7) */
const SIMPLE_PAGING_ROWS = 50_000;

/**
 * One page of a FetchXML read: its rows, and as `nextLink` the request for the next page (page
 * `pageNumber + 1`) when the service says more records follow. `cursor` is the request this page
 * answered, for a keyed read (its next request depends on it); the page's `cursor` is the next one's.
 */
export function parseFetchPage(text: string, readKeys: readonly string[] | undefined, paging: FetchPaging, pageNumber: number, cursor?: FetchCursor): FetchPage {
  const body = readKeys ? parseJsonWithTextKeys(text, readKeys) : parseJsonLossless(text);
  if (!body || typeof body !== 'object' || Array.isArray(body) || body instanceof JsonNumberText || !Array.isArray(body.value)) {
    throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service answered the FetchXML query without a value array');
  }
  const page: FetchPage = { rows: body.value as Record<string, JsonValue>[] };
  if (paging.aggregate && page.rows.length >= MAX_GROUPS) {
    // the service answers at most 5,000 groups and offers no next page: the rest would be missing
    throw new DynasqlError('DYNASQL_ERR_AGGREGATE_LIMIT', `The FetchXML aggregate returned ${MAX_GROUPS} groups, the most the service answers; there may be more`);
  }
  const more = body[`@${MORE_RECORDS}`] === true;
  if (paging.keyPaging) {
    const keyed = keyedPage(page.rows, more, innerCookie(body[`@${PAGING_COOKIE}`]), paging.keyPaging, paging.fetch, cursor ?? { fetch: paging.fetch }, pageNumber);
    page.rows = keyed.rows;
    if (keyed.next) {
      page.cursor = keyed.next;
      page.nextLink = fetchXmlUrl(paging.entitySet, keyed.next.fetch);
    }
    return page;
  }
  if (!more) {
    const read = pageNumber * Number(paging.fetch.attributes.count ?? 0) + page.rows.length;
    if (paging.simplePaging && read >= SIMPLE_PAGING_ROWS) {
      throw new DynasqlError('DYNASQL_ERR_SERVICE', `The FetchXML join read stopped at the service's ${SIMPLE_PAGING_ROWS}-row limit for paging without a cookie; rows may be missing`);
    }
    return page;
  }
  const cookie = paging.simplePaging ? undefined : innerCookie(body[`@${PAGING_COOKIE}`]);
  // without a cookie (a sort on a linked column, distinct) the service pages by number alone
  const next = withAttributes(paging.fetch, { page: String(pageNumber + 2), 'paging-cookie': cookie });
  page.nextLink = fetchXmlUrl(paging.entitySet, next);
  return page;
}

/** the `pagingcookie` attribute of the annotation's `<cookie>`, URL-decoded twice */
function innerCookie(annotation: JsonValue | undefined): string | undefined {
  if (typeof annotation !== 'string') return undefined;
  const match = /\bpagingcookie="([^"]*)"/.exec(annotation);
  if (!match) return undefined;
  try {
    return decodeURIComponent(decodeURIComponent(unescapeAttribute(match[1]!)));
  } catch {
    throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service sent a paging cookie that is not URL-encoded');
  }
}

function unescapeAttribute(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name]!);
}
