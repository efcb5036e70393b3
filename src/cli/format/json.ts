/**
 * JSON for programs: `json` prints one array of row objects per statement, `ndjson` one object per
 * line (easy to stream into `jq -c`). Big integers and binary become strings, dates ISO strings.
 */
import type { QueryResult } from '../../index.js';
import { jsonValue } from './value.js';

function rowObject(result: QueryResult, row: QueryResult['rows'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of result.columns) out[c.name] = jsonValue(row[c.name]);
  return out;
}

export function renderJson(result: QueryResult): string {
  return JSON.stringify(result.rows.map((row) => rowObject(result, row)), null, 2) + '\n';
}

export function renderNdjson(result: QueryResult): string {
  return result.rows.map((row) => JSON.stringify(rowObject(result, row)) + '\n').join('');
}
