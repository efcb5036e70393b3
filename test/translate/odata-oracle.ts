/**
 * Checks that a request URL is valid OData, using odata-v4-parser (a dev-only test oracle, see
 * npm-notes §6) on each `$` option after the percent-decoding a server does. The oracle chokes on
 * percent-encoded syntax characters (`:`, `[`, `"`), so the decoded text is handed over with only
 * `%`, `&`, `#` and `+` re-encoded. It has no `$apply` support; `$apply` options are skipped.
 */
import * as oracle from 'odata-v4-parser';

export function invalidOData(url: string): string | undefined {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  for (const option of query.split('&').filter(Boolean)) {
    const eq = option.indexOf('=');
    const name = option.slice(0, eq);
    if (!name.startsWith('$') || name === '$apply') continue;
    const value = decodeURIComponent(option.slice(eq + 1));
    const text = `${name}=${value.replace(/%/g, '%25').replace(/&/g, '%26').replace(/#/g, '%23').replace(/\+/g, '%2B')}`;
    try {
      oracle.query(text);
    } catch (error) {
      return `${name}: ${(error as Error).message} in ${value}`;
    }
  }
  return undefined;
}

/** the decoded `$filter` with string literals blanked, for operator checks (`in`, …) */
export function filterSyntax(url: string): string {
  const match = /[?&]\$filter=([^&]*)/.exec(url);
  if (!match) return '';
  return decodeURIComponent(match[1]!).replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, '""');
}
