/**
 * The output formats by name, for `--format` and `\format`. One function turns a result into text.
 */
import type { QueryResult } from '../../index.js';
import { renderCsv } from './csv.js';
import { renderJson, renderNdjson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderTable, type TableOptions } from './table.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(name: string): name is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(name);
}

export function renderResult(result: QueryResult, format: OutputFormat, table: TableOptions): string {
  switch (format) {
    case 'table':
      return renderTable(result, table);
    case 'csv':
      return renderCsv(result);
    case 'json':
      return renderJson(result);
    case 'ndjson':
      return renderNdjson(result);
    case 'markdown':
      return renderMarkdown(result);
  }
}

export { type ExpandedMode, type TableOptions } from './table.js';
