/**
 * The local engine: an embedded DuckDB started on first use (so statements that run entirely on
 * the service never pay for it). Each statement gets a DuckDB connection of its own: its scans'
 * pages are appended to temp tables as they arrive, the rendered remainder runs as a streaming
 * query, and its result is handed out a chunk (2,048 rows) at a time, so a projection or filter
 * over a join yields its first rows before the last is computed (a sort cannot).
 *
 * Stopping: the statement's signal (cancel, timeout, `close()`) interrupts the DuckDB query where
 * it stands (`connection.interrupt()`), and the statement's connection, with its temp tables, is
 * closed as soon as no call into DuckDB is in flight on it. Statements never wait for each other,
 * so a cancelled one never holds up the next.
 *
 * Strings compare case-insensitively (`default_collation = nocase`) and NULLs sort first ascending,
 * like the service's SQL Server collation, so local and remote evaluation agree.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBDateValue, DuckDBDecimalValue, DuckDBIntervalValue, DuckDBInstance, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBBlobValue, DuckDBUUIDValue,
  type DuckDBAppender, type DuckDBConnection, type DuckDBValue,
} from '@duckdb/node-api';
import type { Column } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { formatInterval } from '../util/index.js';
import type { Query } from '../plan/index.js';
import { trimDecimal } from './decimal-text.js';
import { appendPages, createTable, type ColumnValue } from './load.js';
import { localEngineError } from './engine-error.js';
import { DuckDbRenderer } from './render.js';

/** rows a page at a time, in the columns' order; a remote scan's pages are read as they arrive */
export type RowPages = AsyncIterable<readonly (readonly ColumnValue[])[]> | Iterable<readonly (readonly ColumnValue[])[]>;

export interface LocalInput {
  scanId: number;
  columns: readonly Column[];
  pages: RowPages;
  /** the input whose pages must all be loaded before this one's are read (`$expand` parents come with their scan's pages) */
  after?: number;
}

export interface LocalColumn {
  name: string;
  type: string;
  precision?: number;
  scale?: number;
}

export interface LocalResult {
  columns: LocalColumn[];
  /** the result a chunk at a time; stopping early (`break`, `return()`) ends the statement's DuckDB query */
  chunks: AsyncIterable<Record<string, ColumnValue>[]>;
}

export interface LocalEngineSettings {
  /** the most memory DuckDB may use before it spills to `tempDirectory` (`'512MB'`, `'2GB'`) */
  memoryLimit?: string;
  /** where DuckDB spills; created on demand and removed when the engine closes */
  tempDirectory?: string;
}

/** DuckDB's own default is 80 % of the machine's memory; a driver beside an application should take less */
export const DEFAULT_LOCAL_MEMORY_LIMIT = '512MB';

let engines = 0;

export class LocalEngine {
  private instance?: Promise<DuckDBInstance>;
  /** statements holding a DuckDB connection: `close()` stops them */
  private readonly active = new Set<LocalStatement>();
  private closed = false;

  constructor(private readonly settings: LocalEngineSettings = {}) {}

  /**
   * Loads the inputs, starts the query and answers its columns; the rows follow through `chunks`.
   * When `signal` fires, whatever is running stops and the call (or the chunks) rejects with the
   * signal's reason.
   */
  async run(query: Query, inputs: LocalInput[], params: ReadonlyMap<string | number, unknown>, signal?: AbortSignal): Promise<LocalResult> {
    if (this.closed) throw new DynasqlError('DYNASQL_ERR_CANCELLED', 'The local engine was closed.');
    signal?.throwIfAborted();
    const rendered = new DuckDbRenderer(tableName, params).render(query);
    const instance = await this.open();
    const statement = new LocalStatement(await instance.connect(), signal, () => this.active.delete(statement));
    this.active.add(statement);
    try {
      await loadInputs(statement, inputs);
      const result = await statement.call((c) => c.stream(rendered.sql, rendered.values as DuckDBValue[]));
      // rows are keyed by name: `SELECT * FROM a JOIN b` may repeat one (statecode, statecode_2)
      const names: string[] = [];
      for (const name of result.columnNames()) {
        let unique = name;
        for (let n = 2; names.some((t) => t.toLowerCase() === unique.toLowerCase()); n++) unique = `${name}_${n}`;
        names.push(unique);
      }
      const columns = result.columnTypes().map((t, i) => ({ name: names[i]!, ...sqlTypeOf(String(t)) }));
      async function* chunks(): AsyncGenerator<Record<string, ColumnValue>[]> {
        try {
          for (;;) {
            const chunk = await statement.call(() => result.fetchChunk());
            if (!chunk || chunk.rowCount === 0) return;
            yield chunk.getRows().map((row) => {
              const out: Record<string, ColumnValue> = {};
              for (let i = 0; i < names.length; i++) out[names[i]!] = toPlain(row[i] ?? null);
              return out;
            });
          }
        } catch (error) {
          const failure = statement.failure(error);
          await statement.end();
          throw failure;
        } finally {
          await statement.end();
        }
      }
      return { columns, chunks: chunks() };
    } catch (error) {
      const failure = statement.failure(error);
      await statement.end();
      throw failure;
    }
  }

  private open(): Promise<DuckDBInstance> {
    this.instance ??= DuckDBInstance.create(':memory:', {
      threads: '1',
      default_collation: 'nocase',
      default_null_order: 'nulls_first_on_asc_last_on_desc',
      // DuckDB 1.5's rewrite of a top-N over a window fails ("Failed to cast expression to type -
      // expression type mismatch") on a LATERAL / APPLY subquery with ORDER BY, LIMIT and a range
      // on a computed value (`CONCAT(a, b) BETWEEN 'A' AND 'D'`): found by the fuzzer, see
      // test/select/tsql-constructs-e2e.test.ts. Off, such statements run without that rewrite
      disabled_optimizers: 'top_n_window_elimination',
      memory_limit: this.settings.memoryLimit ?? DEFAULT_LOCAL_MEMORY_LIMIT,
      // a folder of this engine's own, which DuckDB creates only when it spills and removes at close
      temp_directory: this.settings.tempDirectory ?? join(tmpdir(), `dynasql-local-${process.pid}-${++engines}`),
    });
    return this.instance;
  }

  /** stops every running statement and closes DuckDB: nothing of the engine is left running */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new DynasqlError('DYNASQL_ERR_CANCELLED', 'The connection was closed.');
    await Promise.all([...this.active].map((s) => s.stop(stopped)));
    const instance = await this.instance?.catch(() => undefined);
    this.instance = undefined;
    instance?.closeSync();
  }
}

const tableName = (scanId: number) => `scan_${scanId}`;

/**
 * Loads every input, reading their pages at the same time (the inputs of a join wait on the service
 * together, not one after the other; the executor's throttle bounds the requests). The first input
 * to fail fails the load: the statement then ends, and each other input stops at its next page
 * (a cancel aborts their requests at once).
 */
async function loadInputs(statement: LocalStatement, inputs: readonly LocalInput[]): Promise<void> {
  const appenders: DuckDBAppender[] = [];
  for (const input of inputs) appenders.push(await createTable(statement, tableName(input.scanId), input.columns));
  const loaded = new Map<number, Promise<void>>();
  inputs.forEach((input, i) => {
    const before = input.after === undefined ? undefined : loaded.get(input.after);
    loaded.set(input.scanId, (async () => {
      await before;
      await appendPages(statement, appenders[i]!, input.columns, input.pages);
    })());
  });
  await Promise.all(loaded.values());
}

/**
 * One statement's DuckDB connection. Every call into DuckDB goes through `call`, so a stop knows
 * whether a call is in flight: it interrupts it, waits for it to settle, then closes the connection
 * (closing under a running call is not safe).
 */
export class LocalStatement {
  /** DuckDB calls and page waits under way (an input's pages are awaited while another's are) */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** DuckDB calls under way: a stop interrupts only when one is */
  private calls = 0;
  /** the stop's repeated interrupt, until the call under way settles */
  private interrupting: NodeJS.Timeout | undefined;
  private readonly appenders = new Set<DuckDBAppender>();
  private stopReason: unknown;
  private ended: Promise<void> | undefined;
  private readonly onAbort = () => void this.stop(this.signal!.reason);

  constructor(private readonly connection: DuckDBConnection, private readonly signal: AbortSignal | undefined, private readonly onEnd: () => void) {
    // a signal that fired while DuckDB was starting or connecting never calls a listener added now
    if (signal?.aborted) this.stopReason = signal.reason ?? new DynasqlError('DYNASQL_ERR_CANCELLED', 'The statement was cancelled.');
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** throws the stop's reason once stopped */
  checkpoint(): void {
    if (this.stopReason !== undefined) throw this.stopReason;
    if (this.ended) throw new DynasqlError('DYNASQL_ERR_CANCELLED', 'The statement has ended.');
  }

  async call<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.checkpoint();
    const running = work(this.connection);
    this.calls++;
    try {
      return await this.track(running);
    } finally {
      this.calls--;
    }
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    try {
      const value = await work;
      this.checkpoint();
      return value;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** an appender into `table`, closed by `closeAppender` or, at the latest, before the connection */
  async appender(table: string): Promise<DuckDBAppender> {
    const appender = await this.call((c) => c.createAppender(table));
    this.appenders.add(appender);
    return appender;
  }

  closeAppender(appender: DuckDBAppender): void {
    if (this.appenders.delete(appender)) appender.closeSync();
  }

  /** waits for `work` (a page from the service) as a step of the statement: a stop waits for it to settle */
  wait<T>(work: Promise<T>): Promise<T> {
    try {
      this.checkpoint();
    } catch (stopped) {
      // the page's read may itself have stopped the statement (a progress callback that cancels runs
      // inside it): its rejection is then nobody's to report
      work.catch(() => undefined);
      throw stopped;
    }
    return this.track(work);
  }

  /** DuckDB's own error as the statement's: the stop's reason when it was stopped */
  failure(error: unknown): unknown {
    if (this.stopReason !== undefined) return this.stopReason;
    if (error instanceof DynasqlError) return error;
    if (/^Out of Memory Error/.test((error as Error).message)) {
      return new DynasqlError('DYNASQL_ERR_LOCAL_MEMORY', `The local step needed more memory than the Local Memory Limit allows and could not spill enough to the Local Temp Directory: raise the limit or narrow the query (${(error as Error).message.split('\n')[0]})`, { cause: error });
    }
    return localEngineError(error);
  }

  stop(reason: unknown): Promise<void> {
    this.stopReason ??= reason ?? new DynasqlError('DYNASQL_ERR_CANCELLED', 'The statement was cancelled.');
    if (this.calls > 0 && !this.interrupting) {
      this.connection.interrupt();
      // DuckDB forgets an interrupt when a query begins: one that lands while the call is still
      // preparing, or queued for a thread, would let the query run to its end (hours for a runaway
      // join). So it is repeated until the call settles.
      this.interrupting = setInterval(() => this.connection.interrupt(), 10);
    }
    return this.end();
  }

  /** closes the connection (its temp tables go with it) once no call is in flight; once */
  end(): Promise<void> {
    this.ended ??= (async () => {
      this.signal?.removeEventListener('abort', this.onAbort);
      await Promise.allSettled([...this.inFlight]);
      clearInterval(this.interrupting);
      for (const appender of this.appenders) appender.closeSync();
      this.appenders.clear();
      this.connection.closeSync();
      this.onEnd();
    })();
    return this.ended;
  }
}

/** DuckDB values → the driver's plain values; decimals as exact text without trailing zeros */
function toPlain(value: DuckDBValue): ColumnValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (value instanceof DuckDBDecimalValue) return trimDecimal(value.toString());
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) return new Date(Number(value.micros / 1000n));
  if (value instanceof DuckDBDateValue) return new Date(value.days * 86_400_000);
  if (value instanceof DuckDBBlobValue) return value.bytes;
  if (value instanceof DuckDBUUIDValue) return value.toString();
  // PostgreSQL's text for an interval (intervals come only from the PostgreSQL dialect)
  if (value instanceof DuckDBIntervalValue) return formatInterval({ months: value.months, days: value.days, micros: Number(value.micros) });
  return String(value);
}

function sqlTypeOf(duck: string): { type: string; precision?: number; scale?: number } {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duck);
  if (decimal) return { type: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  switch (duck) {
    case 'VARCHAR': return { type: 'nvarchar' };
    case 'INTEGER': return { type: 'int' };
    case 'BIGINT': case 'HUGEINT': return { type: 'bigint' };
    case 'SMALLINT': return { type: 'smallint' };
    case 'TINYINT': case 'UTINYINT': return { type: 'tinyint' };
    case 'DOUBLE': case 'FLOAT': return { type: 'float' };
    case 'BOOLEAN': return { type: 'bit' };
    case 'DATE': return { type: 'date' };
    case 'TIMESTAMP': return { type: 'datetime2' };
    case 'TIMESTAMP WITH TIME ZONE': return { type: 'datetimeoffset' };
    case 'BLOB': return { type: 'varbinary' };
    case 'UUID': return { type: 'uniqueidentifier' };
    default: return { type: duck.toLowerCase() };
  }
}
