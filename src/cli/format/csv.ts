/**
 * CSV as RFC 4180 has it: a header line, fields quoted when they hold a comma, quote or line break,
 * quotes doubled (`say "hi"` → `"say ""hi"""`), CRLF-free `\n` line ends, NULL as an empty field.
 */
import type { QueryResult } from '../../index.js';
import { valueText } from './value.js';

function field(text: string | null): string {
  if (text === null) return '';
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(result: QueryResult): string {
  const lines = [result.columns.map((c) => field(c.name)).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((c) => field(valueText(row[c.name]))).join(','));
  return lines.join('\n') + '\n';
}
