/**
 * A translator SELECT's rows, pulled from `Connection.stream()` only as the client takes them: each
 * Execute sends up to its row limit as DataRow messages, written as rows come and no faster than the
 * socket drains, then PortalSuspended (the rest is not computed unless asked for) or CommandComplete.
 * Closing the cursor (Close, Sync, a new Bind over the portal, a disconnect) stops the statement.
 */
import { DynasqlError } from '../errors/index.js';
import type { Connection, QueryOptions, ResultColumn, Row, SqlValue } from '../index.js';
import type { FieldDescription } from './backend-messages.js';
import { encodeRow } from './statement-results.js';

/** DataRows are written in batches of about this many bytes (one socket write each) */
const BATCH_BYTES = 64 * 1024;

export interface CursorRun {
  /** DataRows sent by this call */
  rows: number;
  /** false when the row limit stopped it before the end */
  done: boolean;
}

export class ResultCursor {
  private pending: IteratorResult<Row> | undefined;
  private finished = false;

  private constructor(
    private readonly rows: AsyncIterator<Row>,
    readonly columns: ResultColumn[],
    /** the statement's own signal: aborting it stops the statement wherever it is */
    readonly controller: AbortController,
  ) {}

  /** Starts the statement and waits for its columns (and first row, which is kept for the first Execute). */
  static async open(connection: Connection, sql: string, values: SqlValue[], controller: AbortController, options: Pick<QueryOptions, 'readAhead' | 'localTables'> = {}): Promise<ResultCursor> {
    let columns: ResultColumn[] | undefined;
    const rows = connection.stream(sql, values, { dialect: 'postgresql', signal: controller.signal, onColumns: (c) => (columns = c), ...options })[Symbol.asyncIterator]();
    const first = await rows.next();
    const cursor = new ResultCursor(rows, columns ?? [], controller);
    cursor.pending = first;
    return cursor;
  }

  /**
   * Sends up to `limit` rows through `send`, which resolves once the socket can take more.
   * Rows are encoded per `fields` (formats chosen at Bind).
   */
  run(limit: number, fields: readonly FieldDescription[], send: (bytes: Buffer) => Promise<void>): Promise<CursorRun> {
    return this.pull(limit, (row) => encodeRow(row, this.columns, fields), send);
  }

  /**
   * Sends up to `limit` rows, each as `encode` writes it (a DataRow, a COPY line in a CopyData, or
   * nothing for MOVE), through `send`; no row past `limit` is pulled from the statement.
   */
  async pull(limit: number, encode: (row: Row) => Buffer, send: (bytes: Buffer) => Promise<void>): Promise<CursorRun> {
    let count = 0;
    let batch: Buffer[] = [];
    let bytes = 0;
    while (count < limit && !this.finished) {
      const next = this.pending ?? (await this.rows.next());
      this.pending = undefined;
      if (next.done) {
        this.finished = true;
        break;
      }
      const row = encode(next.value);
      if (row.length > 0) batch.push(row);
      bytes += row.length;
      count++;
      if (bytes >= BATCH_BYTES) {
        await send(Buffer.concat(batch));
        batch = [];
        bytes = 0;
      }
    }
    if (bytes > 0) await send(Buffer.concat(batch));
    return { rows: count, done: this.finished };
  }

  /** Stops the statement (if it still runs) and lets it release what it holds. */
  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    // a pull in flight settles at once; a suspended stream ends through return()
    this.controller.abort(new DynasqlError('DYNASQL_ERR_CANCELLED', 'the portal was closed'));
    await this.rows.return?.().catch(() => undefined);
  }
}
