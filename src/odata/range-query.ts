/**
 * A read request's URL narrowed to a range of one column, and the one-row reads that find the
 * column's least and greatest value among the request's rows: what a scan read as ranges at once
 * sends (connection/partitioned-pages.ts). The URL is one `queryUrl` wrote: options joined by `&`,
 * each value percent-encoded whole, so an option splits off at `&` and decodes on its own.
 *
 * `withCondition('accounts?$select=name&$filter=revenue%20gt%200', 'createdon lt 2024-01-01T00:00:00.000Z')`
 * → `accounts?$select=name&$filter=(revenue%20gt%200)%20and%20(createdon%20lt%202024-01-01T00:00:00.000Z)`.
 */
import { encodeQueryOptionValue } from './literal.js';

interface SplitUrl {
  path: string;
  options: { name: string; value: string }[];
}

function splitUrl(url: string): SplitUrl {
  const at = url.indexOf('?');
  if (at < 0) return { path: url, options: [] };
  const options = url.slice(at + 1).split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? { name: part, value: '' } : { name: part.slice(0, eq), value: part.slice(eq + 1) };
  });
  return { path: url.slice(0, at), options };
}

function joinUrl({ path, options }: SplitUrl): string {
  return options.length > 0 ? `${path}?${options.map((o) => (o.value === '' ? o.name : `${o.name}=${o.value}`)).join('&')}` : path;
}

/** the request's `$filter` text, decoded; undefined when it has none */
function filterOf(options: SplitUrl['options']): string | undefined {
  const option = options.find((o) => o.name === '$filter');
  return option ? decodeURIComponent(option.value) : undefined;
}

/** `$filter` and-ed with `condition` (each side in parentheses: either may hold an `or`) */
function withFilter(options: SplitUrl['options'], condition: string): SplitUrl['options'] {
  const filter = filterOf(options);
  const text = filter === undefined ? condition : `(${filter}) and (${condition})`;
  const value = encodeQueryOptionValue(text);
  if (filter === undefined) {
    // before `$orderby` / `$top`, where queryUrl puts it
    const at = options.findIndex((o) => o.name === '$orderby' || o.name === '$skip' || o.name === '$top');
    const copy = [...options];
    copy.splice(at < 0 ? copy.length : at, 0, { name: '$filter', value });
    return copy;
  }
  return options.map((o) => (o.name === '$filter' ? { name: o.name, value } : o));
}

/** `url` with `condition` and-ed to its filter */
export function withCondition(url: string, condition: string): string {
  const split = splitUrl(url);
  return joinUrl({ path: split.path, options: withFilter(split.options, condition) });
}

/**
 * The first row of `url`'s rows where `property` is not null, ordered by it (`descending`: the
 * last): `$select` of that column alone, the filter kept, `$expand`, `$orderby` and the rest dropped.
 */
export function boundUrl(url: string, property: string, descending: boolean): string {
  const split = splitUrl(url);
  const kept = split.options.filter((o) => o.name === '$filter' || o.name === 'cross-company');
  const options = withFilter(kept, `${property} ne null`);
  options.push({ name: '$select', value: encodeQueryOptionValue(property) });
  options.push({ name: '$orderby', value: encodeQueryOptionValue(`${property}${descending ? ' desc' : ''}`) });
  options.push({ name: '$top', value: '1' });
  return joinUrl({ path: split.path, options });
}
