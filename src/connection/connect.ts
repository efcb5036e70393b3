/**
 * `connect()`: the composition root. Resolves the settings, builds the executor (auth ▸ throttle ▸
 * retry), loads `$metadata` once, and returns a `Connection` whose statements run parse → bind →
 * plan → requests → (local engine) → rows.
 *
 *   const conn = await connect('Url=http://127.0.0.1:5555;AuthType=None');
 *   const { rows } = await conn.query('SELECT TOP 5 name FROM account WHERE revenue > @min', { min: 1000 });
 */
import type { Dispatcher } from 'undici';
import type { Catalog } from '../catalog/types.js';
import { createTokenProvider, type AuthSettings } from '../auth/index.js';
import { resolveOptions, type ConnectionOptions } from '../config/index.js';
import { DynasqlError } from '../errors/index.js';
import { abortError, createExecutor, statementScope, type Executor } from '../http/index.js';
import { LocalEngine } from '../local/index.js';
import { capabilitiesFor } from '../capabilities/index.js';
import type { Clock } from '../util/index.js';
import { presentResult, rowPresenter } from './result-values.js';
import { FiscalSettingsCache } from './fiscal-settings.js';
import { explainText, planWithSubqueryKeys, prepareReadingMetadata, runPlan, type StatementContext } from './statement.js';
import { ServiceMetadataCache } from './service-metadata.js';
import { ProgressReporter } from './progress.js';
import type { ScanCounters } from './remote-rows.js';
import { loadCatalog, userCatalog } from './catalog-source.js';
import { choiceOptions, type ChoiceLabel } from './choice-options.js';
import { systemTables, withLocalTables } from './system-tables.js';
import { isWriteStatement } from '../sql/write-parse.js';
import { execute, runWrite, type WriteRunContext } from './write-runner.js';
import { COMMIT_OPTIONS, HeldTransaction, type HeldWrites, type TransactionHost } from './transaction.js';
import { parseTransactionControl, type TransactionControl } from '../sql/transaction-parse.js';
import { entityApi, type EntityApi } from './entity-api.js';
import { isExecStatement } from '../sql/exec-parse.js';
import { withSqlPosition } from '../sql/locate.js';
import { prepareWithTableFunctions, runAction, runExec, usesTableFunctions, type ProcedureRunContext } from './procedure-runner.js';
import { statementSummary } from './statement-log.js';
import { checkChangesOptions, checkName, checkOptionsObject, checkStatementArguments, closedError, describeType } from './entry-checks.js';
import { readChanges } from './changes.js';
import type { ChangeRecord, ChangesOptions, Connection, ConnectedConnection, QueryOptions, QueryParams, QueryResult, Row, SqlDialect, Transaction } from './types.js';

/** Injectable edges, beside the connection settings. */
export interface ConnectEdges {
  /** an undici dispatcher for every request to the service */
  dispatcher?: Dispatcher;
  clock?: Clock;
  /** the SQL dialect statements are written in (default T-SQL) */
  dialect?: SqlDialect;
  /** where the catalog is cached on disk (default: the user's cache folder; loopback services are not cached) */
  cacheDir?: string;
}

export type ConnectInput = string | (Record<string, unknown> & ConnectEdges);

export async function connect(input: ConnectInput): Promise<ConnectedConnection> {
  const { dispatcher, clock, dialect, cacheDir, settings } = splitEdges(input);
  const options = resolveOptions(settings);
  const auth = options.authScheme === 'None' ? undefined : createTokenProvider(options as unknown as AuthSettings, {
    ...(dispatcher ? { dispatcher } : {}), ...(clock ? { clock } : {}),
  });
  const executor = createExecutor({
    ...options, ...(auth ? { auth } : {}), ...(dispatcher ? { dispatcher } : {}), ...(clock ? { clock } : {}),
  });
  try {
    // sign in now, so a wrong credential fails connect() even when the catalog comes from the disk cache
    await auth?.getToken();
    const catalog = await loadCatalog(executor, options, cacheDir);
    return new DynasqlConnection(options, executor, catalog, dialect ?? 'tsql', async () => {
      await auth?.close?.();
    }, { cacheDir, dispatcher });
  } catch (error) {
    await executor.close();
    await auth?.close?.();
    throw error;
  }
}

/**
 * Parallel Reads as a number of ranges: Auto is one per request Max Concurrency allows at once; 0: page after
 * page. Pushdown off reads page after page too: ranges are `createdon` conditions the service evaluates, and
 * that setting asks the service for plain reads only (the differential tests compare against it).
 */
function parallelRanges(options: ConnectionOptions): number {
  if (options.parallelReads === 'off' || !options.pushdown) return 0;
  if (options.parallelReads === 'auto') return options.maxConcurrency >= 2 ? options.maxConcurrency : 0;
  return options.parallelReads;
}

/** `EXPLAIN UPDATE …` → `UPDATE …`; undefined for anything else (EXPLAIN SELECT goes through the SELECT path) */
function explainedWrite(sql: string): string | undefined {
  const prefix = /^\s*EXPLAIN\s+/i.exec(sql);
  if (!prefix) return undefined;
  const rest = sql.slice(prefix[0].length);
  return isWriteStatement(rest) ? rest : undefined;
}

function splitEdges(input: ConnectInput): ConnectEdges & { settings: string | Record<string, unknown> } {
  if (typeof input === 'string') return { settings: input };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `connect() needs a connection string or an options object (got ${describeType(input)}).`);
  }
  const { dispatcher, clock, dialect, cacheDir, ...settings } = input;
  const given: unknown = dialect;
  if (given !== undefined && given !== 'tsql' && given !== 'postgresql') {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `The dialect must be 'tsql' or 'postgresql' (got ${typeof given === 'string' ? `'${given.slice(0, 40)}'` : describeType(given)}).`);
  }
  return {
    ...(dispatcher ? { dispatcher } : {}), ...(clock ? { clock } : {}), ...(dialect ? { dialect } : {}), ...(cacheDir !== undefined ? { cacheDir } : {}), settings,
  };
}

class DynasqlConnection implements Connection {
  private readonly ctx: StatementContext;
  private closed = false;
  /** aborted by `close()` */
  private readonly closing = new AbortController();
  /** the transaction `BEGIN TRAN` opened through `query`, until its COMMIT or ROLLBACK */
  private current: HeldTransaction | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly executor: Executor,
    /** the whole catalog as parsed; statements see `userCatalog(...)` of it */
    private loadedCatalog: Catalog,
    private readonly dialect: SqlDialect,
    private readonly closeAuth: () => Promise<void>,
    private readonly edges: { cacheDir: string | undefined; dispatcher: Dispatcher | undefined },
  ) {
    const facts = capabilitiesFor(loadedCatalog);
    const catalog = userCatalog(loadedCatalog, options);
    this.ctx = {
      catalog, system: systemTables(catalog), executor, engine: new LocalEngine({
        ...(options.localMemoryLimit ? { memoryLimit: options.localMemoryLimit } : {}),
        ...(options.localTempDirectory ? { tempDirectory: options.localTempDirectory } : {}),
      }), facts,
      pushdown: options.pushdown, remoteLanguage: options.remoteLanguage, crossCompany: options.crossCompany, includeFormattedValues: options.includeFormattedValues,
      pageSize: Math.min(options.pageSize, facts.maxPageSize), parallelReads: parallelRanges(options), serviceRoot: executor.serviceRoot,
      ...(loadedCatalog.edition === 'dataverse' ? { serviceMetadata: new ServiceMetadataCache(executor), fiscal: new FiscalSettingsCache(executor) } : {}),
    };
  }

  async query<R extends object = Row>(sql: string, params?: QueryParams, options: QueryOptions = {}): Promise<QueryResult<R>> {
    checkStatementArguments(sql, params, options);
    const started = performance.now();
    try {
      this.ensureOpen();
      const result = await this.run(sql, params, options);
      this.logStatement(statementSummary(sql, started, { command: result.command, rows: result.rowCount }));
      // R is the caller's description of the rows (QueryResult in types.ts)
      return result as QueryResult as QueryResult<R>;
    } catch (error) {
      throw this.failed(sql, started, error);
    }
  }

  async *stream<R extends object = Row>(sql: string, params?: QueryParams, options: QueryOptions = {}): AsyncIterable<R> {
    checkStatementArguments(sql, params, options);
    const started = performance.now();
    let rows = 0;
    let ended = false;
    try {
      this.ensureOpen();
      const { batches, signal } = await this.openRows(sql, params, options);
      for await (const batch of batches) {
        for (const row of batch) {
          // a cancel stops the rows at once, not at the end of a batch; rows read ahead before close() are not handed out after it
          if (signal?.aborted) throw abortError(signal);
          this.ensureOpen();
          rows++;
          yield row as R;
        }
      }
      ended = true;
      this.logStatement(statementSummary(sql, started, { command: 'SELECT', rows }));
    } catch (error) {
      ended = true;
      throw this.failed(sql, started, error);
    } finally {
      if (!ended) this.logStatement(statementSummary(sql, started, { command: 'SELECT', rows, stoppedEarly: true }));
    }
  }

  async explain(sql: string, params?: QueryParams, options: QueryOptions = {}): Promise<string> {
    checkStatementArguments(sql, params, options);
    const started = performance.now();
    try {
      this.ensureOpen();
      return await this.explainPlan(sql, params, options);
    } catch (error) {
      throw this.failed(sql, started, error);
    }
  }

  /** the error a statement ends with, logged at verbosity 1; after close() whatever broke reports DYNASQL_ERR_CLOSED */
  private failed(sql: string, started: number, error: unknown): unknown {
    const reported = withSqlPosition(this.closed && !(error instanceof DynasqlError && error.code === 'DYNASQL_ERR_CLOSED') ? closedError(error) : error, sql);
    this.logStatement(statementSummary(sql, started, { error: reported }));
    return reported;
  }

  private logStatement(line: string): void {
    this.executor.log?.(1, line);
  }

  private async run(sql: string, params: QueryParams | undefined, options: QueryOptions): Promise<QueryResult> {
    const control = parseTransactionControl(sql);
    if (control) return this.controlTransaction(control, options);
    if (this.current) return this.current.query(sql, params, options);
    return this.runStatement(sql, params, options);
  }

  /** one statement; inside a transaction, `hold` takes its writes (transaction.ts) */
  private async runStatement(sql: string, params: QueryParams | undefined, options: QueryOptions, hold?: HeldWrites): Promise<QueryResult> {
    if (isExecStatement(sql)) return presentResult(await this.exec(sql, params, options, hold !== undefined), this.options);
    if (isWriteStatement(sql)) return presentResult(await this.write(sql, params, options, hold), this.options);
    const explained = explainedWrite(sql);
    if (explained !== undefined) return this.explainWrite(explained, params, options);
    const rows: Row[] = [];
    const { columns, command, batches } = await this.open(sql, params, options);
    for await (const batch of batches) for (const row of batch) rows.push(row);
    return { columns, rows, rowCount: rows.length, command };
  }

  /**
   * A statement's rows as `stream` hands them out: a SELECT's batches as they come (statement.ts
   * RowStream) with the statement's signal, anything else answered whole.
   */
  private async openRows(sql: string, params: QueryParams | undefined, options: QueryOptions): Promise<{ batches: AsyncIterable<Row[]> | Iterable<Row[]>; signal: AbortSignal | undefined }> {
    if (this.current || parseTransactionControl(sql) || isExecStatement(sql) || isWriteStatement(sql) || explainedWrite(sql) !== undefined) {
      // answered whole: statements that are not a SELECT, and anything inside a transaction
      const result = await this.run(sql, params, options);
      options.onColumns?.(result.columns);
      return { batches: [result.rows], signal: undefined };
    }
    const { columns, batches, signal } = await this.open(sql, params, options);
    options.onColumns?.(columns);
    return { batches, signal };
  }

  get transaction(): Transaction | undefined {
    return this.current;
  }

  begin(options: { readOnly?: boolean } = {}): Transaction {
    checkOptionsObject('Transaction options', options);
    this.ensureOpen();
    return this.newTransaction(options);
  }

  private newTransaction(options: { readOnly?: boolean; name?: string }): HeldTransaction {
    const host: TransactionHost = {
      run: (sql, params, queryOptions, hold) => this.runStatement(sql, params, queryOptions, hold),
      // the COMMIT is a statement of its own: the Statement Timeout and cancellation apply to it
      sendAtomic: async (ops, signal) => {
        const scope = this.scope(signal);
        try {
          return await execute(this.writeContext(), ops, COMMIT_OPTIONS, scope.signal);
        } finally {
          scope.dispose();
        }
      },
      maxOperations: Math.max(1, this.ctx.facts.maxBatchSize),
    };
    return new HeldTransaction(host, options);
  }

  /** BEGIN / COMMIT / ROLLBACK / SAVEPOINT … through `query`: the connection's own transaction */
  private async controlTransaction(control: TransactionControl, options: QueryOptions): Promise<QueryResult> {
    this.ensureOpen();
    const current = this.current;
    if (current) {
      try {
        return await current.control(control, options);
      } finally {
        if (!current.isOpen) this.current = undefined;
      }
    }
    const done = (command: string, warning?: string): QueryResult => ({ columns: [], rows: [], rowCount: 0, command, ...(warning ? { warnings: [warning] } : {}) });
    switch (control.action) {
      case 'begin':
        this.current = this.newTransaction({ ...(control.readOnly !== undefined ? { readOnly: control.readOnly } : {}), ...(control.name !== undefined ? { name: control.name } : {}) });
        return done('BEGIN');
      case 'commit':
      case 'rollback':
        // as PostgreSQL does: a warning, not an error
        return done(control.action.toUpperCase(), 'there is no transaction in progress');
      default:
        throw new DynasqlError('DYNASQL_ERR_TRANSACTION', `${control.action === 'rollbackTo' ? 'ROLLBACK TO' : control.action.toUpperCase()} can only be used in a transaction (BEGIN TRAN first)`);
    }
  }

  private async explainPlan(sql: string, params: QueryParams | undefined, options: QueryOptions): Promise<string> {
    this.ensureOpen();
    const dialect = options.dialect ?? this.dialect;
    const write = isWriteStatement(sql) ? sql : explainedWrite(sql);
    if (write !== undefined) return (await this.explainWrite(write, params, options)).rows.map((r) => r.plan).join('\n');
    if (usesTableFunctions(sql, dialect)) {
      const prepared = await prepareWithTableFunctions(this.procedureContext(), sql, params, dialect, options.signal, true);
      return [...prepared.functionLines, explainText(prepared.statement, prepared.plan)].join('\n');
    }
    const ctx = this.statementContext(options);
    const prepared = await prepareReadingMetadata(ctx, sql, params, dialect, options.signal);
    return explainText(ctx, prepared.plan, prepared.subqueryKeys);
  }

  async catalog(): Promise<Catalog> {
    return this.ctx.catalog;
  }

  /** an action or function with JSON parameters, answering JSON: procedure-runner.ts */
  async action(name: string, payload?: Record<string, unknown>, options: QueryOptions = {}): Promise<unknown> {
    checkName('The action name', name);
    checkOptionsObject('Action options', options);
    this.ensureOpen();
    const scope = this.scope(options.signal);
    try {
      return await runAction(this.procedureContext(), name, payload, scope.signal);
    } finally {
      scope.dispose();
    }
  }

  /** EXEC / CALL: procedure-runner.ts */
  private async exec(sql: string, params: QueryParams | undefined, options: QueryOptions, inTransaction: boolean): Promise<QueryResult> {
    this.ensureOpen();
    const scope = this.scope(options.signal);
    const progress = new ProgressReporter(this.executor, options.onProgress);
    try {
      // one call whose answer arrives whole: a single report at the end
      const result = await runExec({ ...this.procedureContext(options), inTransaction }, sql, params, scope.signal);
      progress.done({ rows: result.rowCount, pages: 1 });
      return result;
    } finally {
      scope.dispose();
    }
  }

  /** the functions of `FROM Fn(…)` run under the statement's timeout and cancellation */
  private async runTableFunctions(sql: string, params: QueryParams | undefined, dialect: SqlDialect, options: QueryOptions) {
    const scope = this.scope(options.signal);
    try {
      return await prepareWithTableFunctions(this.procedureContext(), sql, params, dialect, scope.signal);
    } finally {
      scope.dispose();
    }
  }

  private procedureContext(query: QueryOptions = {}): ProcedureRunContext {
    return {
      statement: this.ctx, options: this.statementOptions(query), serviceCatalog: this.loadedCatalog,
      ...(this.edges.dispatcher ? { dispatcher: this.edges.dispatcher } : {}),
      refreshMetadata: async (signal) => {
        this.loadedCatalog = await loadCatalog(this.executor, this.options, this.edges.cacheDir, { refresh: true, ...(signal ? { signal } : {}) });
        this.ctx.catalog = userCatalog(this.loadedCatalog, this.options);
        this.ctx.system = systemTables(this.ctx.catalog);
        this.ctx.facts = capabilitiesFor(this.loadedCatalog);
        // labels and primary names are read again with the new catalog
        if (this.ctx.serviceMetadata) this.ctx.serviceMetadata = new ServiceMetadataCache(this.executor);
        return this.ctx.catalog;
      },
    };
  }

  /** the entity model API (list / get / create / update / delete with JSON payloads): entity-api.ts */
  entity(name: string): EntityApi {
    checkName('The table name', name);
    this.ensureOpen();
    return entityApi({ writes: this.writeContext(), query: (sql, params) => this.query(sql, params) }, name);
  }

  /** a choice column's numbers and labels: choice-options.ts */
  async choiceOptions(table: string, column: string, options: { signal?: AbortSignal } = {}): Promise<readonly ChoiceLabel[] | null> {
    checkName('The table name', table);
    checkName('The column name', column);
    this.ensureOpen();
    const scope = this.scope(options.signal);
    try {
      return await choiceOptions(this.ctx, table, column, scope.signal);
    } finally {
      scope.dispose();
    }
  }

  /** a table's rows, then what changed since a token (change tracking): changes.ts */
  async *changes(table: string, options: ChangesOptions = {}): AsyncIterable<ChangeRecord> {
    checkName('The table name', table);
    checkChangesOptions(options);
    this.ensureOpen();
    const scope = this.scope(options.signal);
    try {
      for await (const record of readChanges({ statement: this.ctx, values: this.options }, table, options, scope.signal)) {
        // records read before close() are not handed out after it
        this.ensureOpen();
        yield record;
      }
    } catch (error) {
      throw this.closed && !DynasqlError.is(error, 'DYNASQL_ERR_CLOSED') ? closedError(error) : error;
    } finally {
      scope.dispose();
    }
  }

  /** INSERT / UPSERT / UPDATE / DELETE: write-runner.ts */
  private async write(sql: string, params: QueryParams | undefined, options: QueryOptions, hold?: HeldWrites): Promise<QueryResult> {
    this.ensureOpen();
    const scope = this.scope(options.signal);
    const progress = new ProgressReporter(this.executor, options.onProgress);
    // a write's "pages" are the requests / $batches it sent
    const counts = { rows: 0, pages: 0 };
    const onSent = (written: number, requests: number) => {
      counts.rows = written;
      counts.pages = requests;
      progress.tick(counts);
    };
    try {
      const result = await runWrite({ ...this.writeContext(options), onSent, ...(hold ? { hold } : {}) }, sql, params, options.dialect ?? this.dialect, options.write, scope.signal);
      progress.done({ rows: result.rowCount, pages: counts.pages });
      return result;
    } finally {
      scope.dispose();
    }
  }

  /** a write's plan, lowered by the same code that runs it, with nothing written: write-runner.ts */
  private async explainWrite(sql: string, params: QueryParams | undefined, options: QueryOptions): Promise<QueryResult> {
    this.ensureOpen();
    const scope = this.scope(options.signal);
    try {
      return await runWrite({ ...this.writeContext(), explain: true }, sql, params, options.dialect ?? this.dialect, options.write, scope.signal);
    } finally {
      scope.dispose();
    }
  }

  private writeContext(query: QueryOptions = {}): WriteRunContext {
    return { statement: this.statementContext(query), options: this.statementOptions(query) };
  }

  /** the statement context, with the caller's own tables (QueryOptions.localTables) bound ahead of the catalog's */
  private statementContext(query: QueryOptions): StatementContext {
    return query.localTables ? { ...this.ctx, system: withLocalTables(this.ctx.system, query.localTables) } : this.ctx;
  }

  /** the connection's options as one statement sees them: a statement asked to be read-only is (QueryOptions.readOnly) */
  private statementOptions(query: QueryOptions): ConnectionOptions {
    return query.readOnly && !this.options.readOnly ? { ...this.options, readOnly: true } : this.options;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // statements still running stop now; then nothing of the connection is left to hold the process
    this.closing.abort(closedError());
    await this.ctx.engine.close();
    await this.executor.close();
    await this.closeAuth();
  }

  /**
   * A statement's signal: the caller's, the Statement Timeout and `close()` in one, so every trigger
   * stops a statement the same way (requests aborted, paging stopped, the local engine interrupted).
   */
  private scope(signal: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
    const stop = new AbortController();
    const sources = signal ? [signal, this.closing.signal] : [this.closing.signal];
    const onAbort = (event: Event) => stop.abort((event.target as AbortSignal).reason);
    for (const source of sources) {
      if (source.aborted) stop.abort(source.reason);
      else source.addEventListener('abort', onAbort, { once: true });
    }
    const scope = statementScope(this.options, stop.signal);
    return {
      signal: scope.signal,
      dispose: () => {
        scope.dispose();
        for (const source of sources) source.removeEventListener('abort', onAbort);
      },
    };
  }

  private ensureOpen(): void {
    if (this.closed) throw closedError();
  }

  private async open(sql: string, params: QueryParams | undefined, options: QueryOptions) {
    this.ensureOpen();
    const dialect = options.dialect ?? this.dialect;
    // `FROM RetrieveVersion()`: the functions run first, their rows become local tables
    const withFunctions = usesTableFunctions(sql, dialect) ? await this.runTableFunctions(sql, params, dialect, options) : undefined;
    const prepared = withFunctions ?? await prepareReadingMetadata(this.statementContext(options), sql, params, dialect, options.signal);
    const ctx = withFunctions?.statement ?? this.statementContext(options);
    if (prepared.explain) {
      const text = [...(withFunctions?.functionLines ?? []), explainText(ctx, prepared.plan, prepared.subqueryKeys)].join('\n');
      async function* batches(): AsyncGenerator<Row[]> {
        yield text.split('\n').map((line) => ({ plan: line }));
      }
      return { columns: [{ name: 'plan', type: 'nvarchar' }], batches: batches(), signal: undefined, command: 'EXPLAIN' };
    }
    const scope = this.scope(options.signal);
    const progress = new ProgressReporter(this.executor, options.onProgress);
    const counters: ScanCounters = { pages: 0, requests: 0, rows: 0 };
    counters.onPage = () => progress.tick(counters);
    const report = () => progress.done(counters);
    try {
      const plan = await planWithSubqueryKeys(ctx, prepared, scope.signal, counters);
      const result = await runPlan(ctx, plan, scope.signal, counters, options.readAhead ?? true);
      const source = result.batches;
      const present = rowPresenter(result.columns, this.options);
      async function* batches(): AsyncGenerator<Row[]> {
        try {
          for await (const batch of source) yield batch.map(present);
          report();
        } finally {
          scope.dispose();
        }
      }
      return { columns: result.columns, batches: batches(), signal: scope.signal, command: 'SELECT' };
    } catch (error) {
      scope.dispose();
      throw error;
    }
  }
}
