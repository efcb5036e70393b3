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
 * The same values as `parseJsonLossless`, but with the native `JSON.parse` (several times faster),
 * for a page whose readers are known. A number that is not a safe integer keeps its exact text only
 * where a reader needs it (`textKeys`: decimals, 64-bit integers, strings); it comes back as a
 * string instead of a `JsonNumberText`, which the decoders read the same way. Elsewhere the number is
 * a double, exactly what `Number(text)` would give.
 *
 *   parseJsonWithTextKeys('{"r":20000.0000,"d":0.5}', ['r']) → { r: '20000.0000', d: 0.5 }
 */
export function parseJsonWithTextKeys(text: string, textKeys: readonly string[]): JsonValue {
  let source = text;
  if (textKeys.length > 0) {
    // only a property's own value: `{"r":1.5` or `,"r":1.5`; inside a JSON string a `"` is always
    // escaped (`\"r\":1.5`), so text in a string value can never match. Only the numbers that are not
    // safe integers (a fraction, an exponent or 16+ digits) match, so a page without any costs one scan.
    const keys = textKeys.map((k) => JSON.stringify(k).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const property = new RegExp(`([{,]\\s*(?:${keys})\\s*:\\s*)${UNSAFE_NUMBER}`, 'g');
    source = text.replace(property, '$1"$2"');
  }
  try {
    return JSON.parse(source) as JsonValue;
  } catch (error) {
    throw new DynasqlError('DYNASQL_ERR_SERVICE', `The service sent invalid JSON (${(error as Error).message})`);
  }
}
