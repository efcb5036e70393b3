/**
 * A JSON parser that keeps number text. `JSON.parse` turns `1234567890123.0123456789` into
 * `1234567890123.0123` and Node 20 has no reviver source-text access, so decimals and 64-bit
 * integers would silently lose digits. Here every number that is not a safe integer is returned as a
 * `JsonNumberText` holding the exact source text; the decoder then makes a string (Edm.Decimal), a
 * bigint (Edm.Int64) or a number (Edm.Double) from it.
 *
 * `parseJsonLossless('{"r":20000.0000}')` → `{ r: JsonNumberText('20000.0000') }`.
 */
import { DynasqlError } from '../errors/index.js';

export class JsonNumberText {
  constructor(readonly text: string) {}
  toNumber(): number {
    return Number(this.text);
  }
}

export type JsonValue = null | boolean | number | string | JsonNumberText | JsonValue[] | { [key: string]: JsonValue };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SAFE_INTEGER_TEXT = /^-?\d{1,15}$/;
/** a JSON number that `SAFE_INTEGER_TEXT` refuses: `1.50`, `-2e3`, `9223372036854775807` */
const UNSAFE_NUMBER = String.raw`(-?(?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d{16,}))`;

export function parseJsonLossless(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service sent invalid JSON (${what} at ${i})`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  const str = (): string => {
    // fast path: no escapes
    const start = ++i;
    let end = text.indexOf('"', start);
    if (end < 0) fail('unterminated string');
    const raw = text.slice(start, end);
    if (!raw.includes('\\')) {
      i = end + 1;
      return raw;
    }
    // with escapes: find the real end, then let JSON.parse decode the string itself
    end = start;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) fail('unterminated string');
    i = end + 1;
    return JSON.parse(text.slice(start - 1, end + 1)) as string;
  };
  const value = (depth: number): JsonValue => {
    if (depth > 200) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [key: string]: JsonValue } = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        obj[key] = value(depth + 1);
        ws();
        const next = text[i++];
        if (next === '}') return obj;
        if (next !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        const next = text[i++];
        if (next === ']') return arr;
        if (next !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) return (i += 4), null;
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('unexpected character');
    i += m[0].length;
    return SAFE_INTEGER_TEXT.test(m[0]) ? Number(m[0]) : new JsonNumberText(m[0]);
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}

/**
 * An object's `@odata.etag` when it comes first, as the service writes it, with the comma after it:
 * `{"@odata.etag":"W/\"1000\"","name":…` → `{"name":…`. `JSON.parse` keeps every string value of up
 * to 10 characters in V8's string table, allocated straight in the old generation, where it stays
 * until a full collection: one etag per row (`W/"1000"`, unique to its row) was ~120 KB per page of
 * 5,000 rows, and with V8's old-generation limit set high after a slow first collection (4 × the live
 * heap), a streamed read of 1,000,000 rows grew by tens of MB (bench/README.md, cancel). A `{` followed
 * by an unescaped `"` is never inside a JSON string, so only an object's first property can match.
 */
const ROW_ETAG = /\{\s*"@odata\.etag"\s*:\s*"(?:[^"\\]|\\.)*"\s*,/g;

/**
 * The same values as `parseJsonLossless`, but with the native `JSON.parse` (several times faster),
 * for a page whose readers are known. A number that is not a safe integer keeps its exact text only
 * where a reader needs it (`textKeys`: decimals, 64-bit integers, strings); it comes back as a
 * string instead of a `JsonNumberText`, which the decoders read the same way. Elsewhere the number is
 * a double, exactly what `Number(text)` would give.
 *
 *   parseJsonWithTextKeys('{"r":20000.0000,"d":0.5}', ['r']) → { r: '20000.0000', d: 0.5 }
 */
export function parseJsonWithTextKeys(text: string, textKeys: readonly string[]): JsonValue {
  // no reader of a page with known columns reads the etag (an OPTIMISTIC write reads its rows losslessly)
  let source = text.replace(ROW_ETAG, '{');
  if (textKeys.length > 0) {
    // only a property's own value: `{"r":1.5` or `,"r":1.5`; inside a JSON string a `"` is always
    // escaped (`\"r\":1.5`), so text in a string value can never match. Only the numbers that are not
    // safe integers (a fraction, an exponent or 16+ digits) match, so a page without any costs one scan.
    const keys = textKeys.map((k) => JSON.stringify(k).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const property = new RegExp(`([{,]\\s*(?:${keys})\\s*:\\s*)${UNSAFE_NUMBER}`, 'g');
    source = source.replace(property, '$1"$2"');
  }
  try {
    return JSON.parse(source) as JsonValue;
  } catch (error) {
    throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service sent invalid JSON (${(error as Error).message})`);
  }
}
