/**
 * Errors as people read them: the stable code, the message, and for SQL errors the line of the
 * statement with a caret under the position:
 *
 * ```
 * ERROR DYNASQL_ERR_UNKNOWN_TABLE: Unknown table 'acount'. Did you mean 'account'?
 * LINE 1: SELECT name FROM acount
 *                          ^
 * ```
 */
import { DynasqlError } from '../errors/index.js';
import type { Colors } from './colors.js';

/** Long lines are cut to a window around the position, so the caret stays on screen. */
const WINDOW = 100;

function caretLines(sql: string, line: number, column: number, colors: Colors): string[] {
  const lines = sql.split(/\r?\n/);
  const text = lines[line - 1];
  if (text === undefined) return [];
  let shown = text.replace(/\t/g, ' ');
  let col = Math.max(1, Math.min(column, shown.length + 1));
  let prefix = '';
  if (shown.length > WINDOW) {
    const start = Math.max(0, Math.min(col - 1 - WINDOW / 2, shown.length - WINDOW));
    prefix = start > 0 ? '…' : '';
    shown = prefix + shown.slice(start, start + WINDOW) + (start + WINDOW < text.length ? '…' : '');
    col = col - start + prefix.length;
  }
  const label = `LINE ${line}: `;
  return [`${label}${shown}`, `${' '.repeat(label.length + col - 1)}${colors.red(colors.bold('^'))}`];
}

/** The error's text for the terminal; `sql` is the statement that failed, when there was one. */
export function formatError(error: unknown, colors: Colors, sql?: string): string {
  if (error instanceof DynasqlError) {
    const head = `${colors.red(colors.bold('ERROR'))} ${colors.red(error.code)}: ${error.message}`;
    const out = [head];
    if (sql && error.position) out.push(...caretLines(sql, error.position.line, error.position.column, colors));
    if (error.status !== undefined || error.serviceCode) {
      const parts = [error.status !== undefined ? `HTTP ${error.status}` : '', error.serviceCode ? `service code ${error.serviceCode}` : ''];
      out.push(colors.dim(`DETAIL: ${parts.filter(Boolean).join(', ')}`));
    }
    return out.join('\n') + '\n';
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${colors.red(colors.bold('ERROR'))}: ${message}\n`;
}
