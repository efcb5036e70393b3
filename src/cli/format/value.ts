/**
 * One cell's text for people and for text formats: dates as ISO 8601, binary as `\x` hex,
 * big integers and decimals exactly as given (decimals arrive as strings, so no precision is lost).
 * `null` is returned as `null` so each format decides how to show it (empty in CSV, `NULL` in tables).
 */
import type { ResultColumn, SqlValue } from '../../index.js';

export function valueText(value: SqlValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return String(value);
}

const NUMERIC_TYPES = /^(int|bigint|smallint|tinyint|decimal|numeric|float|real|money|smallmoney|double|integer)/i;

/** Numbers read best right-aligned, as in psql. */
export function isNumericColumn(column: ResultColumn): boolean {
  return NUMERIC_TYPES.test(column.type);
}

/** A JSON-safe value: bigint and binary become strings, dates ISO strings; the rest as is. */
export function jsonValue(value: SqlValue | undefined): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint' || value instanceof Uint8Array) return valueText(value);
  if (value instanceof Date) return valueText(value);
  return value;
}
