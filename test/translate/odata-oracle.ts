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
    const text = `${name}=${oracleText(value)}`;
    try {
      oracle.query(text);
    } catch (error) {
      return `${name}: ${(error as Error).message} in ${value}`;
    }
  }
  return undefined;
}

/**
 * Decoded option text as the oracle reads it: `%`, `&`, `#` and `+` re-encoded everywhere, and
 * inside '…' literals every character but `'` percent-encoded (the oracle reads literal text as URL
 * characters, as a server does before decoding).
 */
function oracleText(value: string): string {
  const always = (c: string) => (c === '%' || c === '&' || c === '#' || c === '+' ? encodeURIComponent(c) : c);
  let out = '';
  let inString = false;
  for (const c of value) {
    if (c === "'") inString = !inString;
    out += inString && c !== "'" ? encodeURIComponent(c) : always(c);
  }
  return out;
}

/** the decoded `$filter` with string literals blanked, for operator checks (`in`, …) */
export function filterSyntax(url: string): string {
  const match = /[?&]\$filter=([^&]*)/.exec(url);
  if (!match) return '';
  return decodeURIComponent(match[1]!).replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, '""');
}
