/**
 * A GitHub-flavoured Markdown table, numbers right-aligned (`---:`), pipes escaped (`a\|b`),
 * line breaks as `<br>`, NULL as an empty cell. Handy for pasting results into issues and docs.
 */
import type { QueryResult } from '../../index.js';
import { isNumericColumn, valueText } from './value.js';

function cell(text: string | null): string {
  if (text === null) return '';
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function renderMarkdown(result: QueryResult): string {
  const header = `| ${result.columns.map((c) => cell(c.name)).join(' | ')} |`;
  const rule = `| ${result.columns.map((c) => (isNumericColumn(c) ? '---:' : '---')).join(' | ')} |`;
  const rows = result.rows.map((row) => `| ${result.columns.map((c) => cell(valueText(row[c.name]))).join(' | ')} |`);
  return [header, rule, ...rows].join('\n') + '\n';
}
