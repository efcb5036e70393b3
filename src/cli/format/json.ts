/**
 * JSON for programs: `json` prints one array of row objects per statement, `ndjson` one object per
 * line (easy to stream into `jq -c`). Big integers and binary become strings, dates ISO strings.
 */
import type { QueryResult, Row } from '../../index.js';
import { jsonValue } from './value.js';

function rowObject(names: readonly string[], row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = jsonValue(row[name]);
  return out;
}

export function renderJson(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  return JSON.stringify(result.rows.map((row) => rowObject(names, row)), null, 2) + '\n';
}

/** One ndjson line, the fields in the order of `names`. */
export function ndjsonRecord(names: readonly string[], row: Row): string {
  return `${JSON.stringify(rowObject(names, row))}\n`;
}

export function renderNdjson(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  return result.rows.map((row) => ndjsonRecord(names, row)).join('');
}
