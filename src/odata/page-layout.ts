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

import { isAscii } from 'node:buffer';

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
  const n = body.length;
  let count = 0;
  let lastEnd = -1;
  let depth = 0;
  // at depth 1: the last key read, and whether the next string is a key
  let lastKey = '';
  let expectKey = false;
  let valueOpen = -1;
  let valueClose = -1;
  // inside the `value` array: between its `[` and its `]`
  let inValue = false;
  let rowStart = -1;
  for (let i = 0; i < n; i++) {
    const byte = body[i]!;
    if (byte === QUOTE) {
      if (depth === 2 && inValue) return undefined; // a row that is a string
      // most of a page is strings: skipped in a loop of their own, the hottest of the scan
      const start = i;
      for (i++; i < n; i++) {
        const c = body[i]!;
        if (c === QUOTE) break;
        if (c === BACKSLASH) i++;
      }
      if (i >= n) return undefined;
      if (depth === 1 && expectKey) {
        lastKey = decoder.decode(body.subarray(start, i + 1));
        expectKey = false;
      }
      continue;
    }
    switch (byte) {
      case OPEN_BRACE:
        depth++;
        if (depth === 1) expectKey = true;
        else if (depth === 3 && inValue) rowStart = i;
        break;
      case OPEN_BRACKET:
        depth++;
        if (depth === 3 && inValue) return undefined; // a row that is an array
        if (depth === 2 && lastKey === VALUE_KEY) {
          if (valueOpen >= 0) return undefined; // two `value` arrays: not a page we know
          valueOpen = i;
          inValue = true;
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
        if (depth === 2 && inValue) {
          valueClose = i;
          inValue = false;
        }
        depth--;
        break;
      case COMMA:
        if (depth === 1) expectKey = true;
        break;
      default:
        // a row that is not an object (a number, `null`) is not a page we know
        if (depth === 2 && inValue && byte > 0x20) return undefined;
    }
    if (depth < 0) return undefined;
  }
  if (depth !== 0 || valueOpen < 0 || valueClose < 0) return undefined;
  if (count % sliceRows !== 0) slices.push(lastEnd);
  const head = decoder.decode(body.subarray(0, valueOpen + 1)) + decoder.decode(body.subarray(valueClose));
  return { head, count, slices };
}

/** the text of slice `index` of a laid-out page as a page of its own (`{"value":[…]}`), for the page parser */
export function sliceText(body: Uint8Array, layout: PageLayout, index: number): string {
  return `{"value":[${textOf(body.subarray(layout.slices[2 * index]!, layout.slices[2 * index + 1]!))}]}`;
}

/**
 * UTF-8 bytes as text. Most pages are ASCII, whose bytes are their characters: read as Latin-1 they
 * make the same string ~10x faster than a UTF-8 decoder does (isAscii is one vectorised pass).
 */
function textOf(bytes: Uint8Array): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return decoder.decode(bytes);
}
