/**
 * psql-style aligned tables for people:
 *
 * ```
 *  name          | revenue
 * ---------------+----------
 *  Contoso Ltd.  | 1250000.00
 * (1 row)
 * ```
 *
 * and the expanded view, one record per block, for results too wide for the terminal:
 *
 * ```
 * -[ RECORD 1 ]-----------
 * name    | Contoso Ltd.
 * revenue | 1250000.00
 * ```
 */
import type { QueryResult } from '../../index.js';
import type { Colors } from '../colors.js';
import { displayWidth, pad } from './display-width.js';
import { isNumericColumn, valueText } from './value.js';

export type ExpandedMode = 'on' | 'off' | 'auto';

export interface TableOptions {
  colors: Colors;
  /** `auto` switches to the expanded view when the table is wider than `maxWidth` */
  expanded: ExpandedMode;
  /** the terminal's width in cells; no limit when absent */
  maxWidth?: number;
}

/** A cell on one line: line breaks shown as `↵`, tabs as a space. */
function cellText(text: string): string {
  return text.replace(/\r?\n/g, '↵').replace(/[\t\r]/g, ' ');
}

function footer(count: number): string {
  return `(${count} ${count === 1 ? 'row' : 'rows'})`;
}

interface Grid {
  headers: string[];
  cells: (string | null)[][];
  numeric: boolean[];
  widths: number[];
}

function grid(result: QueryResult, nullText: string): Grid {
  const headers = result.columns.map((c) => cellText(c.name));
  const cells = result.rows.map((row) => result.columns.map((c) => {
    const text = valueText(row[c.name]);
    return text === null ? null : cellText(text);
  }));
  const widths = headers.map((h, i) =>
    cells.reduce((w, row) => Math.max(w, displayWidth(row[i] ?? nullText)), displayWidth(h)),
  );
  return { headers, cells, numeric: result.columns.map(isNumericColumn), widths };
}

/** Width of the aligned table's widest line: ` a | b ` plus separators. */
function tableWidth(widths: number[]): number {
  return widths.reduce((sum, w) => sum + w + 2, 0) + Math.max(0, widths.length - 1);
}

function renderAligned(g: Grid, colors: Colors, count: number): string {
  const nullText = colors.dim('NULL');
  const sep = colors.dim('|');
  const header = g.headers.map((h, i) => ` ${colors.bold(pad(h, g.widths[i]!, 'left'))} `).join(sep);
  const rule = colors.dim(g.widths.map((w) => '-'.repeat(w + 2)).join('+'));
  const lines = g.cells.map((row) =>
    row
      .map((cell, i) => {
        const align = g.numeric[i] ? 'right' : 'left';
        if (cell === null) return ` ${pad('NULL', g.widths[i]!, align).replace('NULL', nullText)} `;
        return ` ${pad(cell, g.widths[i]!, align)} `;
      })
      .join(sep)
      .trimEnd(),
  );
  return [header.trimEnd(), rule, ...lines, footer(count)].join('\n') + '\n';
}

function renderExpanded(g: Grid, colors: Colors, count: number, maxWidth?: number): string {
  if (g.cells.length === 0) return `${footer(count)}\n`;
  const labelWidth = Math.max(...g.headers.map(displayWidth));
  const valueWidth = Math.max(0, ...g.cells.flat().map((c) => displayWidth(c ?? 'NULL')));
  const blockWidth = Math.min(labelWidth + 3 + valueWidth, maxWidth ?? Number.POSITIVE_INFINITY);
  const out: string[] = [];
  g.cells.forEach((row, r) => {
    const title = `-[ RECORD ${r + 1} ]`;
    out.push(colors.dim(title + '-'.repeat(Math.max(0, blockWidth - title.length))));
    row.forEach((cell, i) => {
      const value = cell === null ? colors.dim('NULL') : cell;
      out.push(`${colors.bold(pad(g.headers[i]!, labelWidth, 'left'))} ${colors.dim('|')} ${value}`.trimEnd());
    });
  });
  return out.join('\n') + '\n';
}

export function renderTable(result: QueryResult, options: TableOptions): string {
  const g = grid(result, 'NULL');
  const expand =
    options.expanded === 'on' ||
    (options.expanded === 'auto' && options.maxWidth !== undefined && tableWidth(g.widths) > options.maxWidth);
  return expand
    ? renderExpanded(g, options.colors, result.rows.length, options.maxWidth)
    : renderAligned(g, options.colors, result.rows.length);
}
