/**
 * Comparison with the service's semantics: strings compare case-insensitively and without trailing
 * blanks (the org's SQL Server collation and its blank padding, protocol §12.2), dates by instant, and null only equals null — so `ne` matches nulls
 * (§12.1): `null ne 1` is true.
 */
export function compareValues(a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'boolean') return a - Number(b);
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) - b;
  const sa = String(a);
  const sb = String(b);
  if (startsWithDigit(sa) && startsWithDigit(sb) && DATE_LIKE.test(sa) && DATE_LIKE.test(sb)) return toMillis(sa) - toMillis(sb);
  if (typeof a === 'number' || typeof b === 'number') {
    const na = Number(a);
    const nb = Number(b);
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  }
  // SQL Server pads the shorter string with blanks before comparing: 'Seattle ' = 'SEATTLE'
  const la = withoutTrailingBlanks(sa).toLowerCase();
  const lb = withoutTrailingBlanks(sb).toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** the form under which the collation sees a string as equal to another: 'Seattle ' and 'SEATTLE' → 'seattle' */
export function collationKey(s: string): string {
  return withoutTrailingBlanks(s).toLowerCase();
}

function withoutTrailingBlanks(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

export function equalValues(a: unknown, b: unknown): boolean {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull && bNull;
  return compareValues(a, b) === 0;
}

const startsWithDigit = (s: string) => {
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57;
};
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;
export const isDateLike = (s: string) => DATE_LIKE.test(s);
export const toMillis = (s: string) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);

/** Sort order: nulls first ascending (SQL Server), strings case-insensitive. */
export function sortCompare(a: unknown, b: unknown): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? -1 : 1;
  return Math.sign(compareValues(a, b) ?? 0);
}

/**
 * SQL LIKE wildcards inside contains/startswith/endswith values (protocol §1.2): `%` any run, `_`
 * one character, `[abc]` / `[^abc]` sets. `contains(name,'a_b')` matches `aXb`.
 */
export function likePattern(value: string, mode: 'contains' | 'startswith' | 'endswith'): RegExp {
  let source = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else if (c === '[') {
      const end = value.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const body = value.slice(i + 1, end);
        const negated = body.startsWith('^');
        const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
        source += `[${negated ? '^' : ''}${chars}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|\\/]/g, '\\$&');
  }
  const prefix = mode === 'startswith' ? '^' : '^[\\s\\S]*';
  const suffix = mode === 'endswith' ? '$' : '[\\s\\S]*$';
  return new RegExp(`${prefix}${source}${suffix}`, 'is');
}
