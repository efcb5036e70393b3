/**
 * A row value as the text both SQL targets read into a typed column (DuckDB's appender and
 * PostgreSQL's parameters cast text to the column's type): decimals stay the exact text the driver
 * gives, instants are ISO text in UTC, binary is `\x` hex in each target's own spelling.
 *
 *   new Date('2024-01-02T03:04:05Z') → '2024-01-02T03:04:05.000Z';  Uint8Array [1, 255] → '\x01\xff' (DuckDB), '\x01ff' (PostgreSQL)
 */
import type { TargetDialect } from './column-types.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));

export function valueText(value: unknown, dialect: TargetDialect): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return dialect === 'duckdb' ? hex(value).map((h) => `\\x${h}`).join('') : `\\x${hex(value).join('')}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
