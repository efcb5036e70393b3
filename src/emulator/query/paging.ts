import { queryError } from '../errors.js';

/**
 * The Dataverse paging cookie carried in `$skiptoken` (protocol §2):
 * `<cookie pagenumber="2" pagingcookie="%3ccookie page%3d%221%22%3e%3caccountid last%3d%22{ID}%22 first%3d%22{ID}%22 %2f%3e%3c%2fcookie%3e" istracking="False" />`
 * The inner cookie is URL-encoded (lower-case hex) once more than the outer one; keys are upper-case in braces.
 */
export interface PagingCookie {
  pageNumber: number; // the page this cookie asks for
  last?: string; // key of the last row of the previous page
  first?: string;
  /**
   * A change-tracked read (http/track-changes.ts): the token its last page's delta link will carry,
   * kept from the first page (`istracking="True" deltatoken="…"`; how the service carries it is not documented).
   */
  tracking?: string;
  /** a delta's position: the last change handed out, `u<n>` among the live rows or `d<n>` among the deleted */
  after?: string;
}

const lowerHex = (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

export function encodeCookie(primaryKey: string, cookie: PagingCookie): string {
  const inner = `<cookie page="${cookie.pageNumber - 1}"><${primaryKey} last="{${(cookie.last ?? '').toUpperCase()}}" first="{${(cookie.first ?? '').toUpperCase()}}" /></cookie>`;
  const tracking = cookie.tracking === undefined ? 'istracking="False"'
    : `istracking="True" deltatoken="${cookie.tracking}"${cookie.after === undefined ? '' : ` after="${cookie.after}"`}`;
  return `<cookie pagenumber="${cookie.pageNumber}" pagingcookie="${lowerHex(inner)}" ${tracking} />`;
}

/** The `$skiptoken=` value for a nextLink: the cookie URL-encoded, keeping `=` and `/` readable as the service does. */
export const skiptokenParam = (cookieXml: string) => encodeURIComponent(cookieXml).replace(/%3D/g, '=').replace(/%2F/g, '/');

export function decodeCookie(text: string): PagingCookie {
  const page = /pagenumber="(\d+)"/.exec(text);
  if (!page) throw queryError(`The $skiptoken value '${text.slice(0, 200)}' is not a valid paging cookie.`);
  const innerEncoded = /pagingcookie="([^"]*)"/.exec(text)?.[1] ?? '';
  let inner = '';
  try {
    inner = decodeURIComponent(innerEncoded);
  } catch {
    throw queryError('The paging cookie in $skiptoken is malformed.');
  }
  const last = /last="\{?([0-9A-Fa-f-]{36})\}?"/.exec(inner)?.[1]?.toLowerCase();
  const first = /first="\{?([0-9A-Fa-f-]{36})\}?"/.exec(inner)?.[1]?.toLowerCase();
  const tracking = /deltatoken="([^"]*)"/.exec(text)?.[1];
  const after = /after="([ud]\d+)"/.exec(text)?.[1];
  return { pageNumber: Number(page[1]), last, first, ...(tracking !== undefined ? { tracking } : {}), ...(after !== undefined ? { after } : {}) };
}
