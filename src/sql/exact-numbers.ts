/**
 * Decimal literals node-sql-parser cannot keep: it reads `12345678901234.5678` as
 * `parseFloat(text).toFixed(4)`, i.e. `12345678901234.5684`, a different amount once a decimal has
 * more than 15 significant digits (a Dataverse money value has up to 19). This finds each such literal
 * in the statement's text and maps the parser's rounded text back to what the user wrote, so the
 * normalizer can restore it.
 *
 * `exactDecimals('WHERE revenue = 12345678901234.5678')` → `Map { '12345678901234.5684' → '12345678901234.5678' }`.
 * Two different literals that round to the same text cannot be told apart: the statement is refused,
 * with the advice to pass them as parameters.
 */
import { DynasqlError } from '../errors/index.js';
import { spanAt } from './quoting.js';

const QUOTES = '\'"[`';
/** a cheap first test: no run of 16 digits and dots, no literal that could lose precision */
const LONG_NUMBER = /[\d.]{16}/;
const DECIMAL = /^(\d+)\.(\d+)/;
/** from this integer part up, the parser keeps the literal's text (it reads it as a big integer) */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function exactDecimals(sql: string): ReadonlyMap<string, string> | undefined {
  if (!LONG_NUMBER.test(sql)) return undefined;
  let found: Map<string, string> | undefined;
  for (let i = 0; i < sql.length; ) {
    const span = spanAt(sql, i, QUOTES);
    if (span) {
      i = span.end;
      continue;
    }
    const c = sql.charCodeAt(i);
    if (isNameChar(c)) {
      // a name or parameter (`x1`, `@p1`, `$1`), digits and all
      while (i < sql.length && (isNameChar(sql.charCodeAt(i)) || isDigit(sql.charCodeAt(i)))) i++;
      continue;
    }
    const match = isDigit(c) && (i === 0 || sql[i - 1] !== '.') ? DECIMAL.exec(sql.slice(i, i + 64)) : null;
    if (!match) {
      // past the rest of a number that is no long decimal (`42`, the `5` of `.5`)
      i++;
      if (isDigit(c)) while (i < sql.length && isDigit(sql.charCodeAt(i))) i++;
      continue;
    }
    const text = match[0];
    // what the parser makes of it: the exact text when its integer part is a big integer, else a rounded double
    const rounded = parseFloat(text).toFixed(match[2]!.length);
    if (rounded !== text && BigInt(match[1]!) < MAX_SAFE) {
      found ??= new Map();
      const earlier = found.get(rounded);
      if (earlier !== undefined && earlier !== text) {
        throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `The literals ${earlier} and ${text} have more significant digits than the SQL parser keeps and cannot be told apart; pass them as parameters`);
      }
      found.set(rounded, text);
    }
    i += text.length;
  }
  return found;
}

/** the literal as written, for a number node's text from node-sql-parser (`-` kept outside) */
export function restoreDecimal(value: string, exact: ReadonlyMap<string, string> | undefined): string {
  if (!exact) return value;
  if (value.startsWith('-')) {
    const positive = exact.get(value.slice(1));
    return positive === undefined ? value : `-${positive}`;
  }
  return exact.get(value) ?? value;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** characters that start or continue a name or parameter (`x1`, `@p1`, `$1`, `#t`): digits after them are not a literal */
function isNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c === 0x40 || c === 0x23;
}
