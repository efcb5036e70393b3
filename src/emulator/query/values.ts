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
  if (typeof a === 'string' && typeof b === 'string') {
    const utc = compareUtcTexts(a, b);
    if (utc !== undefined) return utc;
  }
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

/**
 * Two UTC instants written `YYYY-MM-DDTHH:MM:SS[.fff…]Z` (the stored dates and most literals)
 * compared as text, the fractions padded: the instants' order without parsing either, which a
 * filter on a date over every row of a big table otherwise spends most of its time on.
 * `'2024-01-01T00:00:00Z'` equals `'2024-01-01T00:00:00.000Z'`. Undefined for any other text.
 */
function compareUtcTexts(a: string, b: string): number | undefined {
  if (!isUtcText(a) || !isUtcText(b)) return undefined;
  for (let i = 0; i < 19; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  // the fractions' digits, a missing one as 0: '.5' = '.500' = ''
  for (let i = 20; i < Math.max(a.length, b.length) - 1; i++) {
    const x = i < a.length - 1 ? a.charCodeAt(i) : 48;
    const y = i < b.length - 1 ? b.charCodeAt(i) : 48;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * `compareValues(value, text)` for a constant `text`, checked once instead of for every row when it
 * is a UTC instant written as `compareUtcTexts` reads it (a `$filter` bound on a date column).
 */
export function compareWithConstant(text: unknown): (value: unknown) => number | undefined {
  if (typeof text !== 'string' || !isUtcText(text)) return (value) => compareValues(value, text);
  return (value) => {
    if (typeof value === 'string' && isUtcText(value)) return compareUtcTexts(value, text);
    return compareValues(value, text);
  };
}

const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

function isUtcText(s: string): boolean {
  const n = s.length;
  if (n < 20 || n > 30 || s.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  for (const i of DIGIT_AT) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (n === 20) return true;
  if (s.charCodeAt(19) !== 46 /* . */ || n === 21) return false;
  for (let i = 20; i < n - 1; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
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
