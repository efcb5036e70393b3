/**
 * Number literals node-sql-parser cannot keep. It reads a decimal as `parseFloat(text).toFixed(scale)`,
 * so `12345678901234.5678` becomes `12345678901234.5684` once a literal has more than 15 significant
 * digits (a Dataverse money value has up to 19), and a negative integer past 2^53 as a double
 * (`-27960072858996281` → `-27960072858996280`). This finds every such literal in the statement's
 * text and maps the parser's text back to what the user wrote, so the normalizer can restore it.
 *
 * `exactNumbers('WHERE revenue = 12345678901234.5678')` → `Map { '12345678901234.5684' → '12345678901234.5678' }`.
 * Two different literals the parser reads alike cannot be told apart: the statement is refused, with
 * the advice to pass them as parameters.
 */
import { DynasqlError } from '../errors/index.js';
import { spanAt } from './quoting.js';

const QUOTES = '\'"[`';
/** a cheap first test: no run of 16 digits and dots, no literal the parser could round */
const LONG_NUMBER = /[\d.]{16}/;
const NUMBER = /^(\d+)(?:\.(\d+))?/;
/** up to this many significant digits a literal survives the trip through a double */
const EXACT_DIGITS = 15;

export function exactNumbers(sql: string): ReadonlyMap<string, string> | undefined {
  if (!LONG_NUMBER.test(sql)) return undefined;
  let found: Map<string, string> | undefined;
  const record = (parsed: string, written: string) => {
    found ??= new Map();
    const earlier = found.get(parsed);
    if (earlier !== undefined && earlier !== written) {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `The literals ${earlier} and ${written} have more significant digits than the SQL parser keeps and cannot be told apart; pass them as parameters`);
    }
    found.set(parsed, written);
  };
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
    const match = isDigit(c) && (i === 0 || sql[i - 1] !== '.') ? NUMBER.exec(sql.slice(i, i + 64)) : null;
    if (!match) {
      i++;
      continue;
    }
    const text = match[0];
    i += text.length;
    if ((match[1]! + (match[2] ?? '')).replace(/^0+/, '').length <= EXACT_DIGITS) continue;
    if (match[2] === undefined) {
      // positive, the parser keeps a big integer's text; negated, it goes through a double
      record(`-${String(Number(text))}`, `-${text}`);
    } else {
      // recorded even when it survives, so that another literal rounding to its text is caught
      record(parseFloat(text).toFixed(match[2].length), text);
    }
  }
  return found;
}

/** the literal as written, for a number node's text from node-sql-parser */
export function restoreNumber(value: string, exact: ReadonlyMap<string, string> | undefined): string {
  if (!exact) return value;
  const written = exact.get(value);
  if (written !== undefined) return written;
  // a negative decimal: the parser rounded its digits
  const positive = value.startsWith('-') ? exact.get(value.slice(1)) : undefined;
  return positive === undefined ? value : `-${positive}`;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** characters that start or continue a name or parameter (`x1`, `@p1`, `$1`, `#t`): digits after them are not a literal */
function isNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c === 0x40 || c === 0x23;
}
