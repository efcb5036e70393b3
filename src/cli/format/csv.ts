/**
 * CSV as RFC 4180 has it: a header line, fields quoted when they hold a comma, quote or line break,
 * quotes doubled (`say "hi"` → `"say ""hi"""`), CRLF-free `\n` line ends, NULL as an empty field.
 */
import type { QueryResult, Row } from '../../index.js';
import { valueText } from './value.js';

function field(text: string | null): string {
  if (text === null) return '';
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(names: readonly string[]): string {
  return `${names.map(field).join(',')}\n`;
}

/** One record, its fields in the order of `names`. */
export function csvRecord(names: readonly string[], row: Row): string {
  return `${names.map((name) => field(valueText(row[name]))).join(',')}\n`;
}

export function renderCsv(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  return csvHeader(names) + result.rows.map((row) => csvRecord(names, row)).join('');
}
