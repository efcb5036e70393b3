/**
 * Runs one SQL statement for a person or a script and prints what came of it: the result in the
 * chosen format, the command tag for writes (`UPDATE 3`), warnings, timing, or the error with its
 * code and caret. Shared by the REPL and the non-interactive runner, so both behave the same.
 *
 * Cancellation: the statement gets an AbortSignal; when it fires, the session stops waiting at once
 * even if the connection is slow to notice, so Ctrl-C always gives the prompt back.
 */
import type { Connection, Progress, QueryResult } from '../index.js';
import type { Colors } from './colors.js';
import { formatError } from './error-report.js';
import { csvHeader, csvRecord } from './format/csv.js';
import { renderResult, type ExpandedMode, type OutputFormat } from './format/index.js';
import { ndjsonRecord } from './format/json.js';
import type { OutputSink } from './output-sink.js';
import type { Pager } from './pager.js';
import { startProgress } from './progress.js';
import { isWord, tokenize } from './sql-tokens.js';
import { writeCountFor } from './write-guard.js';

/** statements whose status line carries no row count */
const COUNTLESS = new Set(['BEGIN', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);

export interface SessionOptions {
  conn: Connection;
  out: OutputSink;
  stderr: NodeJS.WritableStream;
  errColors: Colors;
  /** draw the progress line on stderr (only on a terminal) */
  progress: boolean;
  format: OutputFormat;
  expanded: ExpandedMode;
  /** asks a yes/no question; present in the REPL only, where large writes need confirming */
  confirm?: (question: string) => Promise<boolean>;
  /** a write touching more rows than this asks first (REPL only) */
  confirmThreshold: number;
  now?: () => number;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Rejects as soon as `signal` fires, whatever `work` does. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Queries whose rows can be written as they arrive (`SELECT ...`, `WITH ... SELECT ...`). */
export function isQueryStatement(sql: string): boolean {
  return isWord(tokenize(sql)[0], 'SELECT', 'WITH');
}

/** `EXPLAIN SELECT ...` → `SELECT ...`; anything else → undefined. */
export function explainTarget(sql: string): string | undefined {
  const tokens = tokenize(sql);
  if (!isWord(tokens[0], 'EXPLAIN') || tokens.length < 2) return undefined;
  return sql.slice(tokens[1]!.start);
}

export class Session {
  format: OutputFormat;
  expanded: ExpandedMode;
  timing = false;
  out: OutputSink;
  readonly conn: Connection;
  private readonly options: SessionOptions;
  private readonly now: () => number;

  constructor(options: SessionOptions) {
    this.options = options;
    this.conn = options.conn;
    this.out = options.out;
    this.format = options.format;
    this.expanded = options.expanded;
    this.now = options.now ?? (() => performance.now());
  }

  /** Status lines (`UPDATE 3`, `Time: ...`) go with a table; beside machine formats they go to stderr. */
  status(text: string): void {
    if (this.format === 'table') this.out.write(`${text}\n`);
    else this.options.stderr.write(`${text}\n`);
  }

  info(text: string): void {
    this.options.stderr.write(`${text}\n`);
  }

  error(error: unknown, sql?: string): void {
    if (error instanceof CancelledError) {
      this.options.stderr.write(`${this.options.errColors.yellow('Cancelled.')}\n`);
      return;
    }
    this.options.stderr.write(formatError(error, this.options.errColors, sql));
  }

  /** set by the REPL: shows results longer than the terminal through a pager (pager.ts) */
  pager: Pager | undefined;

  async printResult(result: QueryResult): Promise<void> {
    if (result.columns.length > 0) {
      const width = this.out.columns();
      const text = renderResult(result, this.format, {
        colors: this.out.colors,
        expanded: this.expanded,
        ...(width !== undefined ? { maxWidth: width } : {}),
      });
      // only results bound for the terminal page; `\o file` gets them whole
      const paged = this.pager && this.out.file === undefined ? await this.pager(text) : false;
      if (!paged) this.out.write(text);
    } else {
      // as psql tags them: a count where rows changed (`INSERT 2`, `COMMIT 3` rows sent), none for `BEGIN`, `SAVEPOINT` …
      this.status(COUNTLESS.has(result.command) ? result.command : `${result.command} ${result.rowCount}`);
    }
    for (const failure of result.failures ?? []) {
      const key = failure.key === undefined ? '' : ` (key ${String(failure.key)})`;
      this.info(this.options.errColors.red(`FAILED ${failure.code}${key}: ${failure.message}`));
    }
    for (const warning of result.warnings ?? []) this.info(this.options.errColors.yellow(`WARNING: ${warning}`));
  }

  /** Runs `work` with the progress line and cancellation; errors propagate. */
  async withProgress<T>(signal: AbortSignal, work: (options: { signal: AbortSignal; onProgress: (p: Progress) => void }) => Promise<T>): Promise<T> {
    const progress = startProgress(this.options.stderr, { colors: this.options.errColors, enabled: this.options.progress });
    try {
      return await untilAborted(work({ signal, onProgress: (p) => progress.update(p) }), signal);
    } finally {
      progress.stop();
    }
  }

  /**
   * csv and ndjson are written row by row as pages arrive (`conn.stream`), so exporting a million
   * rows never holds them all in memory. The column names come from the first row, so a query that
   * returns no rows writes nothing, not even a csv header. The progress line is drawn only when the
   * rows go elsewhere than the terminal (`-o file`, a pipe), where it cannot tangle with them.
   */
  private async streamRows(sql: string, signal: AbortSignal): Promise<void> {
    const csv = this.format === 'csv';
    const progress = startProgress(this.options.stderr, {
      colors: this.options.errColors,
      enabled: this.options.progress && this.out.columns() === undefined,
    });
    const rows = this.conn.stream(sql, undefined, { signal, onProgress: (p) => progress.update(p) })[Symbol.asyncIterator]();
    let names: string[] | undefined;
    try {
      for (;;) {
        const next = await untilAborted(rows.next(), signal);
        if (next.done) break;
        if (!names) {
          names = Object.keys(next.value);
          if (csv) this.out.write(csvHeader(names));
        }
        this.out.write(csv ? csvRecord(names, next.value) : ndjsonRecord(names, next.value));
      }
    } finally {
      progress.stop();
      // stop pulling pages when cancelled (the rows stream ends itself when done)
      if (signal.aborted) void rows.return?.().catch(() => undefined);
    }
  }

  /**
   * Asks before a write that would touch more rows than the threshold. Resolves true to go ahead.
   * Without a `confirm` function (scripts), never asks.
   */
  private async confirmWrite(sql: string, signal: AbortSignal): Promise<boolean> {
    const confirm = this.options.confirm;
    if (!confirm) return true;
    const guard = writeCountFor(sql);
    if (!guard) return true;
    if (guard.kind === 'unknown') {
      return confirm(`Cannot count the rows this ${guard.command} touches (${guard.reason}). Run it? [y/N] `);
    }
    const result = await this.withProgress(signal, (o) => this.conn.query(guard.countSql, undefined, o));
    const first = result.rows[0];
    const affected = first ? Number(Object.values(first)[0]) : 0;
    if (!(affected > this.options.confirmThreshold)) return true;
    return confirm(`${guard.command} would touch ${affected.toLocaleString('en-US')} rows of ${guard.table}. Continue? [y/N] `);
  }

  /** Runs one statement and prints its outcome. Resolves false when it failed or was cancelled. */
  async execute(sql: string, signal: AbortSignal): Promise<boolean> {
    try {
      const explained = explainTarget(sql);
      if (explained === undefined && !(await this.confirmWrite(sql, signal))) {
        this.info('Not run.');
        return false;
      }
      // timed from here, so the time a person took to answer the question does not count
      const started = this.now();
      if (explained !== undefined) {
        const plan = await this.withProgress(signal, (o) => this.conn.explain(explained, undefined, { signal: o.signal }));
        this.out.write(plan.endsWith('\n') ? plan : `${plan}\n`);
      } else if ((this.format === 'csv' || this.format === 'ndjson') && isQueryStatement(sql)) {
        await this.streamRows(sql, signal);
      } else {
        const result = await this.withProgress(signal, (o) => this.conn.query(sql, undefined, o));
        await this.printResult(result);
      }
      if (this.timing) this.status(`Time: ${(this.now() - started).toFixed(3)} ms`);
      return true;
    } catch (error) {
      this.error(error, sql);
      return false;
    }
  }
}

/** what leaving with an open transaction does to it: its writes were held, never sent */
export function uncommitted(pendingOperations: number): string {
  const changes = pendingOperations === 1 ? '1 held row change was' : `${pendingOperations} held row changes were`;
  return `The session ended inside a transaction that was never committed: its ${changes} not written`;
}
