/**
 * A statement's result as compact text for an agent: a Markdown table (or CSV), then one line that
 * says how many rows there are and whether the table stops short of them.
 *
 *   | name | revenue |
 *   | --- | ---: |
 *   | Contoso | 1000000 |
 *   1 row. (Empty cells are NULL.)
 *
 *   ... 200 rows shown: the result has more (truncated at max_rows = 200). Add TOP, a WHERE or an
 *   aggregate, or run SELECT COUNT(*) to count them.
 */
import type { QueryResult } from '../index.js';
import { renderCsv } from '../cli/format/csv.js';
import { renderMarkdown } from '../cli/format/markdown.js';

export type ResultFormat = 'markdown' | 'csv';

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'UPSERT', 'MERGE']);

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export interface RowCap {
  maxRows: number;
  /** the rows shown are the first `maxRows` of more */
  truncated: boolean;
  /** how many rows the result has, when known (a statement answered whole) */
  total?: number;
}

/** `result.rows` are the rows to show (at most `cap.maxRows`) */
export function resultText(result: QueryResult, format: ResultFormat, cap: RowCap): string {
  if (result.command !== 'SELECT' && result.columns.length === 0) {
    return `${result.command}: ${plural(result.rowCount, 'row')} affected.${warningsText(result)}`;
  }
  const table = format === 'csv' ? renderCsv(result) : renderMarkdown(result);
  const shown = plural(result.rows.length, 'row');
  const count = !cap.truncated
    ? `${shown} (the whole result).`
    : cap.total !== undefined
      ? `${shown} shown of ${cap.total.toLocaleString('en-US')} (truncated at max_rows = ${cap.maxRows}).`
      : `${shown} shown: the result has more (truncated at max_rows = ${cap.maxRows}). Add TOP, a WHERE or an aggregate, or run SELECT COUNT(*) to count them.`;
  const nulls = format === 'markdown' && result.rows.length > 0 ? ' Empty cells are NULL.' : '';
  // a write with OUTPUT / RETURNING shows its rows and how many it changed; an EXEC's rows are its answer
  const affected = WRITE_COMMANDS.has(result.command) ? ` ${result.command}: ${plural(result.rowCount, 'row')} affected.` : '';
  return `${table}${count}${nulls}${affected}${warningsText(result)}`;
}

function warningsText(result: QueryResult): string {
  const failures = result.failures?.length ? `\nFailed rows: ${result.failures.map((f) => `${f.row !== undefined ? `row ${f.row}: ` : ''}${f.code} ${f.message}`).join('; ')}` : '';
  return `${result.warnings?.length ? `\nWarnings: ${result.warnings.join(' ')}` : ''}${failures}`;
}
