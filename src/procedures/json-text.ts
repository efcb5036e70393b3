/**
 * JSON text for request bodies and parameter-alias values, keeping exact number text:
 * `jsonText({Amount: new JsonNumberText('12345678901234.5678')})` → `{"Amount":12345678901234.5678}`
 * (JSON.stringify would need a JS number and lose digits).
 */
import { JsonNumberText, type JsonValue } from '../odata/index.js';

export function jsonText(value: JsonValue): string {
  if (value instanceof JsonNumberText) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
