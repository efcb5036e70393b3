/**
 * Row comparison for differential tests: values made comparable (bigint and Date as text, decimals
 * as exact text), rows compared in order when the statement fixes the order, else as multisets.
 */
import type { Row } from '../../src/index.js';

export function comparable(row: Row): string {
  return JSON.stringify(Object.entries(row), (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    return value;
  });
}

export function asMultiset(rows: Row[]): string[] {
  return rows.map(comparable).sort();
}

/** TOP / LIMIT / OFFSET without a total order picks arbitrary rows: only the count is comparable */
export function pickIsArbitrary(sql: string): boolean {
  const limited = /\b(TOP|LIMIT|OFFSET|FETCH)\b/i.test(sql);
  return limited;
}
