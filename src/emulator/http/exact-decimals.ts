import { randomUUID } from 'node:crypto';
import type { PropertyDef } from '../metadata/model.js';
import type { Row } from '../store/row.js';

/**
 * Exact Edm.Decimal digits. The service stores decimals exactly (money: 4 decimals, up to 19
 * significant digits) but the emulator computes on doubles, so `12345678901234.5678` would come back
 * as `12345678901234.568`. The emulator keeps its doubles for $filter, $orderby, $apply and
 * FormattedValue, and only carries the number's text from the request body to the response:
 * read from the body text (JSON.parse cannot give it back), kept with the row
 * (`row.exactDecimals`), written back as a raw JSON number through a marker string.
 */

/** Beyond 15 significant digits a double may not give the written digits back. */
const DOUBLE_DIGITS = 15;

/**
 * The body's exact number texts ride on the parsed object under a symbol key: Object.entries and
 * JSON.stringify ignore it, while a spread (`{ ...extra, ...body }`, alternate-key upserts) keeps it.
 */
const EXACT_NUMBERS = Symbol('exact number texts');

type WithExactNumbers = Record<string | symbol, unknown> & { [EXACT_NUMBERS]?: Map<string, string> };

/** Remembers, on the parsed `body`, the text of its long top-level numbers read from `text`. */
export function rememberExactNumbers(body: Record<string, unknown>, text: string): void {
  // A number past 15 significant digits needs a run of 16 or more digits and points: most bodies stop here.
  if (!/[0-9.]{16}/.test(text)) return;
  const found = longTopLevelNumbers(text);
  if (found.size > 0) (body as WithExactNumbers)[EXACT_NUMBERS] = found;
}

/**
 * Keeps (or drops) the exact text of a column just written: kept for an Edm.Decimal whose body text
 * still denotes the stored double, dropped for any other write, so a later short value wins.
 */
export function recordExactText(row: Row, body: Record<string, unknown>, property: PropertyDef): void {
  const name = property.name;
  const text = (body as WithExactNumbers)[EXACT_NUMBERS]?.get(name);
  if (property.type === 'Edm.Decimal' && text !== undefined && Number(text) === row.values[name]) {
    row.exactDecimals = { ...row.exactDecimals, [name]: text };
  } else if (row.exactDecimals && name in row.exactDecimals) {
    const { [name]: _dropped, ...rest } = row.exactDecimals;
    row.exactDecimals = Object.keys(rest).length > 0 ? rest : undefined;
  }
}

/**
 * A per-process marker: a string value `"<marker>12345678901234.5678"` in a serialised response
 * becomes the raw number `12345678901234.5678`. The random part keeps stored strings from matching.
 */
const MARKER = `exact-decimal-${randomUUID()}:`;
const MARKED = new RegExp(`"${MARKER}([-+.0-9eE]+)"`, 'g');
/** whether this process has handed out a marker: until then no response has one to look for */
let markerIssued = false;

/**
 * The response value of a column: the exact text behind a marker, else the stored value. The text
 * must still denote the value, so a column the emulator itself rewrites never shows stale digits.
 */
export function responseValue(row: Row, name: string, value: unknown): unknown {
  const text = row.exactDecimals?.[name];
  if (text === undefined || typeof value !== 'number' || Number(text) !== value) return value;
  markerIssued = true;
  return `${MARKER}${text}`;
}

/**
 * A computed decimal (an exact `$apply` sum) as a response value: the number itself when the double
 * prints as the same digits, else the digits behind a marker (`12345678901234.5678`).
 */
export function exactNumberValue(text: string): number | string {
  const value = Number(text);
  if (String(value) === text) return value;
  markerIssued = true;
  return `${MARKER}${text}`;
}

/** the digits of a response value that may carry a marker (a number passes through) */
export function exactText(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(MARKER) ? value.slice(MARKER.length) : value;
}

/** Serialised JSON with the markers replaced by their raw numbers (a no-op without markers). */
export function withExactNumbers(json: string): string {
  return markerIssued && json.includes(MARKER) ? json.replace(MARKED, '$1') : json;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** `"revenue": 12345678901234.5678` at the top level of a valid JSON object → revenue → its text. */
function longTopLevelNumbers(text: string): Map<string, string> {
  const found = new Map<string, string>();
  let i = skipSpace(text, 0);
  if (text[i] !== '{') return found;
  i = skipSpace(text, i + 1);
  while (i < text.length && text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
    NUMBER.lastIndex = i;
    const number = /[-0-9]/.test(text[i] ?? '') ? NUMBER.exec(text)?.[0] : undefined;
    // Duplicate keys: JSON.parse keeps the last one, so does this map.
    if (number !== undefined && significantDigits(number) > DOUBLE_DIGITS && Number.isFinite(Number(number))) found.set(key, number);
    else found.delete(key);
    i = skipSpace(text, number !== undefined ? i + number.length : valueEnd(text, i));
    if (text[i] !== ',') break;
    i = skipSpace(text, i + 1);
  }
  return found;
}

/** `-0012.3400e5` → 4 (`1234`): leading zeros and a fraction's trailing zeros do not count. */
function significantDigits(number: string): number {
  const [mantissa = ''] = number.replace(/^-/, '').split(/[eE]/);
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '') : mantissa;
  return trimmed.replace('.', '').replace(/^0+/, '').length;
}

const skipSpace = (text: string, i: number) => {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
};

/** Index just past the string starting at the quote at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index just past the value (string, object, array or literal) starting at `start`. */
function valueEnd(text: string, start: number): number {
  if (text[start] === '"') return stringEnd(text, start);
  if (text[start] === '{' || text[start] === '[') {
    let depth = 0;
    let i = start;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i = stringEnd(text, i);
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      i++;
      if (depth === 0) return i;
    }
    return i;
  }
  let i = start;
  while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
  return i;
}
