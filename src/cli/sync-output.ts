/**
 * What `dynasql sync` prints: while a table runs, a status line on a terminal (nothing on a pipe),
 * a line per table when it is done, and the summary table at the end.
 *
 *   ⠹ account · changes · 1,250 rows · 2 requests · 0.4s
 *   account: changes, 1,250 read: 12 inserted, 1,230 updated, 8 deleted · 2 requests · 0.4s
 *   contact: full copy (first copy), 4,000 read: 4,000 inserted, 0 updated, 0 deleted · 1 request · 0.9s
 */
import type { QueryResult } from '../index.js';
import type { TableProgress, TableReport } from '../sync/index.js';
import type { Colors } from './colors.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** `changes` or `full copy (why)` */
export function methodText(report: Pick<TableReport, 'method' | 'reason'>): string {
  if (report.reason) return `full copy (${report.reason})`;
  return report.method === 'changes' ? 'changes' : 'full copy';
}

export function tableLine(report: TableReport): string {
  return `${report.table}: ${methodText(report)}, ${count(report.rowsRead)} read: ${count(report.inserted)} inserted, ${count(report.updated)} updated, ${count(report.deleted)} deleted · ${plural(report.requests, 'request')} · ${seconds(report.elapsedMs)}`;
}

export interface StatusLine {
  update(progress: TableProgress): void;
  /** erases the status line (before a table's line is printed) */
  clear(): void;
}

/** the live status line: drawn at most every 100 ms, only on a terminal */
export function statusLine(stream: NodeJS.WritableStream, colors: Colors, enabled: boolean): StatusLine {
  if (!enabled) return { update: () => {}, clear: () => {} };
  let frame = 0;
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const text = `${FRAMES[frame++ % FRAMES.length]} ${p.table} · ${p.method === 'changes' ? 'changes' : 'full copy'} · ${plural(p.rowsRead, 'row')} · ${plural(p.requests, 'request')} · ${seconds(p.elapsedMs)}`;
      stream.write(`\r\x1b[2K${colors.cyan(text)}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
      last = 0;
    },
  };
}

/** the totals per table over every pass of the command, as a result the table printer renders */
export function summaryResult(reports: readonly TableReport[]): QueryResult {
  const byTable = new Map<string, { table: string; method: string; passes: number; read: number; inserted: number; updated: number; deleted: number; requests: number; ms: number }>();
  for (const r of reports) {
    const row = byTable.get(r.table) ?? { table: r.table, method: '', passes: 0, read: 0, inserted: 0, updated: 0, deleted: 0, requests: 0, ms: 0 };
    row.method = methodText(r);
    row.passes++;
    row.read += r.rowsRead;
    row.inserted += r.inserted;
    row.updated += r.updated;
    row.deleted += r.deleted;
    row.requests += r.requests;
    row.ms += r.elapsedMs;
    byTable.set(r.table, row);
  }
  const rows = [...byTable.values()].map((r) => ({
    table: r.table, method: r.method, runs: r.passes, read: r.read, inserted: r.inserted, updated: r.updated, deleted: r.deleted, requests: r.requests, time: seconds(r.ms),
  }));
  const int = (name: string) => ({ name, type: 'int' });
  return {
    columns: [{ name: 'table', type: 'nvarchar' }, { name: 'method', type: 'nvarchar' }, int('runs'), int('read'), int('inserted'), int('updated'), int('deleted'), int('requests'), { name: 'time', type: 'nvarchar' }],
    rows, rowCount: rows.length, command: 'SELECT',
  };
}
