/**
 * Where the rows of an OData page lie in its bytes, found without parsing the page: a page of 5,000
 * rows is ~1 MB of JSON, and parsed whole it makes a 1 MB string (and a second one for the exact
 * numbers), 5,000 objects and 5,000 decoded rows, all alive while the caller reads them. Long enough
 * to outlive the young generation, so every page was promoted and the heap (and the process's RSS)
 * grew by ~1 MB per 1,000 rows until a full collection. With the layout, rows are parsed a slice
 * at a time, as the caller reaches them (`sliceText`), and what a slice makes dies young.
 *
 *   const layout = pageLayout(body, 500);   // undefined: not a `{ …, "value": [ {…}, … ], … }` page
 *   layout.head    →  '{"@odata.context":"…","value":[],"@odata.nextLink":"…"}'
 *   layout.count   →  5000 (rows)
 *   layout.slices  →  [start0, end0, start1, end1, …]  (byte offsets of each slice of up to 500 rows)
 */

export interface PageLayout {
  /** the page's JSON with its `value` array emptied: the annotations (`@odata.nextLink`, `@odata.count`) */
  head: string;
  /** rows in the page */
  count: number;
  /** byte offsets of each slice of rows, two per slice: the start of its first row, the end (exclusive) of its last */
  slices: number[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const VALUE_KEY = '"value"';

const decoder = new TextDecoder();

/**
 * The layout of a page whose top level is an object with a `value` array of objects; undefined for
 * anything else (the caller then parses the page whole, which reports what is wrong with it).
 * One pass over the bytes: UTF-8 continuation bytes are never `"`, `\`, brackets or braces, so the
 * scan needs no decoding.
 */
export function pageLayout(body: Uint8Array, sliceRows: number): PageLayout | undefined {
  // only slice boundaries are kept, not every row's: what a page keeps while it is read stays small
  const slices: number[] = [];
  let count = 0;
  let lastEnd = -1;
  let depth = 0;
  let inString = false;
  let keyStart = -1;
  // at depth 1: the start of the last key read, and whether the next string is a key
  let lastKey = '';
  let expectKey = false;
  let valueOpen = -1;
  let valueClose = -1;
  let rowStart = -1;
  const inValue = () => valueOpen >= 0 && valueClose < 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      // most of a page is strings: the closing quote found by the native search, not byte by byte
      i = closingQuote(body, i);
      if (i < 0) return undefined;
      inString = false;
      if (keyStart >= 0) {
        lastKey = decoder.decode(body.subarray(keyStart, i + 1));
        keyStart = -1;
      }
      continue;
    }
    switch (byte) {
      case QUOTE:
        if (depth === 2 && inValue()) return undefined; // a row that is a string
        inString = true;
        if (depth === 1 && expectKey) {
          keyStart = i;
          expectKey = false;
        }
        break;
      case OPEN_BRACE:
        depth++;
        if (depth === 1) expectKey = true;
        else if (depth === 3 && valueOpen >= 0 && valueClose < 0) rowStart = i;
        break;
      case OPEN_BRACKET:
        depth++;
        if (depth === 3 && inValue()) return undefined; // a row that is an array
        if (depth === 2 && lastKey === VALUE_KEY) {
          if (valueOpen >= 0) return undefined; // two `value` arrays: not a page we know
          valueOpen = i;
        }
        break;
      case CLOSE_BRACE:
        if (depth === 3 && rowStart >= 0) {
          if (count % sliceRows === 0) slices.push(rowStart);
          count++;
          lastEnd = i + 1;
          if (count % sliceRows === 0) slices.push(lastEnd);
          rowStart = -1;
        }
        depth--;
        break;
      case CLOSE_BRACKET:
        if (depth === 2 && valueOpen >= 0 && valueClose < 0) valueClose = i;
        depth--;
        break;
      case COMMA:
        if (depth === 1) expectKey = true;
        break;
      default:
        // a row that is not an object (a number, `null`) is not a page we know
        if (depth === 2 && inValue() && byte > 0x20) return undefined;
    }
    if (depth < 0) return undefined;
  }
  if (depth !== 0 || inString || valueOpen < 0 || valueClose < 0) return undefined;
  if (count % sliceRows !== 0) slices.push(lastEnd);
  const head = decoder.decode(body.subarray(0, valueOpen + 1)) + decoder.decode(body.subarray(valueClose));
  return { head, count, slices };
}

/** the position of the `"` that ends the string whose text starts at `from`, -1 when none does */
function closingQuote(body: Uint8Array, from: number): number {
  for (let at = body.indexOf(QUOTE, from); at >= 0; at = body.indexOf(QUOTE, at + 1)) {
    // escaped when an odd number of backslashes comes right before it
    let backslashes = 0;
    while (at - 1 - backslashes >= from && body[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** the text of slice `index` of a laid-out page as a page of its own (`{"value":[…]}`), for the page parser */
export function sliceText(body: Uint8Array, layout: PageLayout, index: number): string {
  return `{"value":[${decoder.decode(body.subarray(layout.slices[2 * index]!, layout.slices[2 * index + 1]!))}]}`;
}
