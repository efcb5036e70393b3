/**
 * The embedded Postgres (PGlite) that holds the catalog mirror and answers every statement that is
 * not over Dynamics tables: pg_catalog, information_schema, SET / SHOW, version() ...
 *
 * PGlite is one backend with one session, shared by all clients. So every use takes a lock, and
 * when the lock passes to a different client its settings are restored first (`RESET ALL`, then
 * its startup parameters and its own `SET`s in order), so one client's `SET TimeZone` does not
 * leak into another's answers. Client statements run as a role that can read and change nothing.
 */
import { DynasqlError } from '../errors/index.js';
import {
  decodeDataRow,
  decodeErrorFields,
  decodeParameterDescription,
  decodeRowDescription,
  splitBackendMessages,
  type BackendMessage,
  type FieldDescription,
} from './backend-messages.js';
import { READER_ROLE, quoteLiteral } from './catalog-mirror.js';
import { EngineCancelled, EngineThread, EngineTimeout, mirrorSnapshotPath } from './engine-thread.js';
import { encodeFrontendMessage, type FormatCode } from './frontend-messages.js';

/** The part of a client session the engine needs to restore that client's settings. */
export interface EngineSession {
  readonly id: number;
  /** startup parameters worth carrying over (DateStyle, TimeZone, application_name ...) */
  readonly startupSettings: ReadonlyMap<string, string>;
  /** the last successful `SET` of each setting, in order */
  readonly setStatements: Iterable<string>;
  /** `CREATE TEMP TABLE` of each of its temporary tables (definitions only: their rows live in the session, temp-tables.ts) */
  readonly tempTableDdl: readonly string[];
}

/** An error the engine reported, as ErrorResponse fields by code letter. */
export interface EngineError {
  fields: Record<string, string>;
}

export interface Description {
  parameterTypes: number[];
  /** null when the statement returns no rows */
  fields: FieldDescription[] | null;
}

/** Settings a client may send at startup that the engine should honour. */
export const CARRIED_STARTUP_SETTINGS = ['DateStyle', 'TimeZone', 'IntervalStyle', 'extra_float_digits', 'application_name', 'search_path', 'statement_timeout'];

/** The statements that build the mirror; kept to rebuild the engine after a runaway statement. */
export interface EngineSetup {
  mirrorDdl: string;
  readerDdl: string;
  procedureDdl: readonly string[];
  /** longest a single engine call may run before the engine is stopped and rebuilt */
  timeoutMs: number;
  /** file for the pristine data directory kept between runs (see engine-thread.ts); none: always initdb */
  snapshotPath?: string;
}

/**
 * The Postgres version the bundled PGlite reports (`SHOW server_version`). Every session's startup
 * reports it (ParameterStatus) before any statement, so it cannot wait for the engine, which starts
 * only when a statement needs it; test/pgwire/catalog-engine-start.test.ts fails when a PGlite
 * upgrade changes it.
 */
export const ENGINE_SERVER_VERSION = '18.6';

/**
 * The engine starts when the first statement needs it (a catalog query, a SET, a temporary table, a
 * statement the adapter cannot route alone: plain-read.ts), not with the server: PGlite holds a few
 * hundred MB, which a client that only reads Dynamics tables never needs.
 */
export class CatalogEngine {
  private lock: Promise<unknown> = Promise.resolve();
  private currentSession = -1;
  /** the engine's pg_temp holds the current session's temporary tables */
  private holdsTempTables = false;
  private thread: EngineThread | undefined;
  /** the start under way, which every statement arriving meanwhile waits for */
  private starting: Promise<EngineThread> | undefined;
  /** fires at close(): a start under way ends its worker */
  private readonly closing = new AbortController();

  constructor(
    private readonly setup: EngineSetup,
    /** told each start of the engine and how long it took (the server's log) */
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /**
   * Starts PGlite (seconds on a cold start), runs the mirror DDL, then drops to the reader role. With
   * a snapshot path, the data directory after the DDL is saved once, and later starts from the same
   * DDL load it instead of running the DDL again (most of a start: seconds of CPU for a large org).
   */
  private static async build(setup: EngineSetup, signal: AbortSignal): Promise<EngineThread> {
    const mirrorPath = setup.snapshotPath ? mirrorSnapshotPath(setup.snapshotPath, [setup.mirrorDdl, ...setup.procedureDdl, setup.readerDdl]) : undefined;
    const thread = await EngineThread.start({ snapshotPath: setup.snapshotPath, mirrorPath }, signal);
    const stop = () => void thread.terminate();
    signal.addEventListener('abort', stop, { once: true });
    try {
      // DDL of a large org takes a while on a busy machine; the per-statement limit is for clients.
      const ddlTimeout = Math.max(setup.timeoutMs, 120_000);
      if (!thread.mirrored) {
        await thread.exec(setup.mirrorDdl, ddlTimeout);
        // A procedure the engine cannot express is left out of the mirror rather than failing the server.
        for (const ddl of setup.procedureDdl) await thread.exec(ddl, ddlTimeout).catch(() => undefined);
        await thread.exec(setup.readerDdl, ddlTimeout);
        if (mirrorPath) await thread.saveMirror(ddlTimeout);
      }
      await thread.exec(`SET SESSION AUTHORIZATION ${READER_ROLE}`, ddlTimeout);
      return thread;
    } catch (error) {
      await thread.terminate();
      throw new Error(`could not build the catalog mirror: ${(error as Error).message}`, { cause: error });
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * The running engine, started (or, after a worker was ended, rebuilt) first if need be. Statements
   * that arrive during a start share it; a start that fails is not kept, so the next statement tries
   * again. A `signal` that fires while waiting stops only this statement's wait.
   */
  private async engine(signal?: AbortSignal): Promise<EngineThread> {
    if (this.closing.signal.aborted) throw new DynasqlError('DYNASQL_ERR_CLOSED', 'the server is closing: its catalog engine has stopped');
    if (this.thread?.alive) return this.thread;
    if (!this.starting) {
      const began = Date.now();
      const start = CatalogEngine.build(this.setup, this.closing.signal).then(
        async (thread) => {
          // close() came just as the start ended: nothing may be left running
          if (this.closing.signal.aborted) {
            await thread.terminate();
            throw new DynasqlError('DYNASQL_ERR_CLOSED', 'the server is closing: its catalog engine has stopped');
          }
          this.thread = thread;
          this.currentSession = -1;
          this.holdsTempTables = false;
          this.log(`pgwire: catalog engine started (${Date.now() - began} ms${thread.mirrored ? ', the mirror loaded from the cache' : ''})`);
          return thread;
        },
        (error: unknown) => {
          if (this.closing.signal.aborted) throw new DynasqlError('DYNASQL_ERR_CLOSED', 'the server is closing: its catalog engine has stopped');
          this.log(`pgwire: catalog engine did not start: ${(error as Error).message}`);
          throw new DynasqlError('DYNASQL_ERR_CATALOG_ENGINE', `the catalog engine (for pg_catalog, information_schema, SET and SHOW) did not start: ${(error as Error).message}; the next such statement tries again`, { cause: error });
        },
      );
      this.starting = start;
      void start.then(
        () => (this.starting = undefined),
        () => (this.starting = undefined),
      );
    }
    const starting = this.starting;
    if (!signal) return starting;
    if (signal.aborted) throw cancelled(signal);
    return new Promise<EngineThread>((resolve, reject) => {
      const onAbort = () => reject(cancelled(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      starting.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** True once a statement has started the engine (and until close or a runaway statement ends it). */
  get running(): boolean {
    return this.thread?.alive === true;
  }

  /** Stops a start under way at once, then the engine after the statement it is running. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.starting?.catch(() => undefined);
    await this.exclusive(async () => this.thread?.close());
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async raw(messages: Buffer[], signal?: AbortSignal): Promise<BackendMessage[]> {
    const thread = await this.engine(signal);
    try {
      return splitBackendMessages(await thread.raw(new Uint8Array(Buffer.concat(messages)), this.setup.timeoutMs, signal));
    } catch (error) {
      if (error instanceof EngineCancelled) {
        // the worker was stopped (a CancelRequest, pg_cancel_backend, a disconnect); the next call builds a fresh engine
        throw cancelled(signal);
      }
      if (!(error instanceof EngineTimeout)) throw error;
      // The worker was stopped; the next call builds a fresh engine.
      throw new DynasqlError('DYNASQL_ERR_TIMEOUT', `canceling statement: the catalog engine allows ${this.setup.timeoutMs} ms per statement`);
    }
  }

  /** Restores `session`'s settings if another session used the engine last. */
  private async switchTo(session: EngineSession): Promise<void> {
    if (this.currentSession === session.id) return;
    // one session's temporary tables at a time: the last one's go, this one's come
    if (this.holdsTempTables) await this.batch(['DISCARD TEMP']);
    this.holdsTempTables = false;
    const statements = ['RESET ALL'];
    for (const [name, value] of session.startupSettings) {
      statements.push(`SELECT set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, false)`);
    }
    statements.push(...session.setStatements);
    for (const sql of statements) {
      // A setting that fails now failed (or was refused) before too; the session goes on without it.
      await this.raw([encodeFrontendMessage({ type: 'Query', sql })]);
    }
    this.currentSession = session.id;
    if (session.tempTableDdl.length > 0) await this.batch(session.tempTableDdl);
    this.holdsTempTables = session.tempTableDdl.length > 0;
  }

  /**
   * Runs the adapter's own `statements` (temporary tables' definitions, never a client's text) in one
   * transaction: a failure leaves nothing of them.
   */
  private async batch(statements: readonly string[]): Promise<EngineError | undefined> {
    const messages = await this.raw([encodeFrontendMessage({ type: 'Query', sql: statements.join(';\n') })]);
    const error = messages.find((m) => m.type === 'E');
    return error ? { fields: decodeErrorFields(error.body) } : undefined;
  }

  /**
   * Defines `session`'s temporary tables in the engine as `ddl` says, when they change (created,
   * dropped): the engine's pg_temp then holds exactly these, so pg_catalog, information_schema and
   * Describe see them. Returns the engine's error for a definition it refuses; the engine's tables
   * are then those of `session.tempTableDdl` still (the failed batch rolled back whole).
   */
  defineTempTables(session: EngineSession, ddl: readonly string[]): Promise<EngineError | undefined> {
    return this.use(session, async () => {
      const error = await this.batch(['DISCARD TEMP', ...ddl]);
      this.holdsTempTables = (error ? session.tempTableDdl : ddl).length > 0;
      return error;
    });
  }

  /**
   * Runs `fn` with the engine to itself, as `session`. The engine is started first, outside the lock:
   * statements arriving during a start wait for that one start, each stopped by its own `signal`.
   */
  private async use<T>(session: EngineSession, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.engine(signal);
    return this.exclusive(async () => {
      await this.switchTo(session);
      return fn();
    });
  }

  /** Parse + Describe: the parameter types and result columns of `sql`, or the engine's error. */
  describe(session: EngineSession, sql: string, parameterTypes: readonly number[], signal?: AbortSignal): Promise<Description | EngineError> {
    return this.use(session, async () => {
      const messages = await this.raw([
        encodeFrontendMessage({ type: 'Parse', name: '', sql, parameterTypes: [...parameterTypes] }),
        encodeFrontendMessage({ type: 'Describe', target: 'S', name: '' }),
        encodeFrontendMessage({ type: 'Sync' }),
      ], signal);
      const error = messages.find((m) => m.type === 'E');
      if (error) return { fields: decodeErrorFields(error.body) };
      const params = messages.find((m) => m.type === 't');
      const rows = messages.find((m) => m.type === 'T');
      return {
        parameterTypes: params ? decodeParameterDescription(params.body) : [],
        fields: rows ? decodeRowDescription(rows.body) : null,
      };
    }, signal);
  }

  /**
   * The relations a statement reads or writes, from its generic plan
   * (`EXPLAIN (GENERIC_PLAN, VERBOSE, FORMAT JSON)`), as `schema.name`; an error when it does not plan.
   */
  relationsOf(session: EngineSession, sql: string, signal?: AbortSignal): Promise<string[] | EngineError> {
    return this.use(session, async () => {
      const messages = await this.raw([encodeFrontendMessage({ type: 'Query', sql: `EXPLAIN (GENERIC_PLAN, VERBOSE, FORMAT JSON) ${sql}` })], signal);
      const error = messages.find((m) => m.type === 'E');
      if (error) return { fields: decodeErrorFields(error.body) };
      const row = messages.find((m) => m.type === 'D');
      if (!row) return [];
      const len = row.body.readInt32BE(2);
      const plan: unknown = JSON.parse(row.body.toString('utf8', 6, 6 + len));
      const relations = new Set<string>();
      const visit = (node: unknown, depth: number): void => {
        if (depth > 200 || node === null || typeof node !== 'object') return;
        if (Array.isArray(node)) return node.forEach((n) => visit(n, depth + 1));
        const o = node as Record<string, unknown>;
        if (typeof o['Relation Name'] === 'string') relations.add(`${String(o['Schema'] ?? '')}.${o['Relation Name']}`);
        for (const v of Object.values(o)) if (typeof v === 'object') visit(v, depth + 1);
      };
      visit(plan, 0);
      return [...relations];
    }, signal);
  }

  /**
   * Parse + Bind + Execute + Sync of one statement; returns the backend messages after BindComplete
   * (DataRows in the requested formats, CommandComplete / EmptyQueryResponse, notices, or an error).
   */
  execute(
    session: EngineSession,
    sql: string,
    parameterTypes: readonly number[],
    parameterFormats: readonly FormatCode[],
    parameters: readonly (Buffer | null)[],
    resultFormats: readonly FormatCode[],
    /** stops the statement by ending the engine's worker (rebuilt for the next statement, seconds) */
    signal?: AbortSignal,
  ): Promise<BackendMessage[]> {
    return this.use(session, async () => {
      const messages = await this.raw([...extendedRun(sql, parameterTypes, parameterFormats, parameters, resultFormats), encodeFrontendMessage({ type: 'Sync' })], signal);
      return messages.filter((m) => m.type !== '1' && m.type !== '2' && m.type !== 'Z');
    }, signal);
  }

  /**
   * As `execute`, with a statement run just before and one just after it in the same implicit
   * transaction (what they set with `set_config(…, true)` ends with it). Returns the statement's
   * messages and the first column of the first row the `after` statement returned (null when the
   * statement failed and so `after` did not run).
   */
  executeBetween(
    session: EngineSession,
    before: string,
    sql: string,
    after: string,
    parameterTypes: readonly number[],
    parameterFormats: readonly FormatCode[],
    parameters: readonly (Buffer | null)[],
    resultFormats: readonly FormatCode[],
    signal?: AbortSignal,
  ): Promise<{ messages: BackendMessage[]; after: string | null }> {
    return this.use(session, async () => {
      const messages = await this.raw([
        ...extendedRun(before, [], [], [], []),
        ...extendedRun(sql, parameterTypes, parameterFormats, parameters, resultFormats),
        ...extendedRun(after, [], [], [], []),
        encodeFrontendMessage({ type: 'Sync' }),
      ], signal);
      // each statement's answer starts with its ParseComplete; after an error the rest are skipped
      const parts: BackendMessage[][] = [];
      for (const m of messages) {
        if (m.type === '1') parts.push([]);
        else if (m.type !== 'Z') (parts.at(-1) ?? (parts[0] = [])).push(m);
      }
      const [first = [], statement = [], last = []] = parts;
      const beforeError = first.find((m) => m.type === 'E');
      if (beforeError) return { messages: [beforeError], after: null };
      const row = last.find((m) => m.type === 'D');
      const value = row ? (decodeDataRow(row.body)[0]?.toString('utf8') ?? null) : null;
      return { messages: statement.filter((m) => m.type !== '2'), after: value };
    }, signal);
  }

  /** A simple-protocol statement; returns its messages without ReadyForQuery. */
  simpleQuery(session: EngineSession, sql: string): Promise<BackendMessage[]> {
    return this.use(session, async () => {
      const messages = await this.raw([encodeFrontendMessage({ type: 'Query', sql })]);
      return messages.filter((m) => m.type !== 'Z');
    });
  }

  /** Forgets which session's settings are loaded (after a session ends). */
  forget(sessionId: number): void {
    if (this.currentSession === sessionId) this.currentSession = -1;
  }

  /**
   * The columns of temporary table `name` of `session` as the engine typed them (`format_type`), in
   * order, with their NOT NULL; the engine's error when it has no such table.
   */
  tempColumns(session: EngineSession, name: string): Promise<{ name: string; type: string; notNull: boolean }[] | EngineError> {
    const sql = `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a
      WHERE a.attrelid = (SELECT c.oid FROM pg_class c WHERE c.relname = ${quoteLiteral(name)} AND c.relnamespace = pg_my_temp_schema())
        AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;
    return this.use(session, async () => {
      const messages = await this.raw([encodeFrontendMessage({ type: 'Query', sql })]);
      const error = messages.find((m) => m.type === 'E');
      if (error) return { fields: decodeErrorFields(error.body) };
      return messages.filter((m) => m.type === 'D').map((m) => {
        const [column, type, notNull] = decodeDataRow(m.body).map((v) => v?.toString('utf8') ?? '');
        return { name: column!, type: type!, notNull: notNull === 't' };
      });
    });
  }
}

/** The error a statement stopped by `signal` reports: the signal's own reason when it is one of ours. */
function cancelled(signal: AbortSignal | undefined): DynasqlError {
  return signal?.reason instanceof DynasqlError ? signal.reason : new DynasqlError('DYNASQL_ERR_CANCELLED', 'canceling statement due to user request');
}

/** Parse, Bind and Execute of one statement in the unnamed statement and portal (no Sync). */
function extendedRun(
  sql: string,
  parameterTypes: readonly number[],
  parameterFormats: readonly FormatCode[],
  parameters: readonly (Buffer | null)[],
  resultFormats: readonly FormatCode[],
): Buffer[] {
  return [
    encodeFrontendMessage({ type: 'Parse', name: '', sql, parameterTypes: [...parameterTypes] }),
    encodeFrontendMessage({ type: 'Bind', portal: '', statement: '', parameterFormats: [...parameterFormats], parameters: [...parameters], resultFormats: [...resultFormats] }),
    encodeFrontendMessage({ type: 'Execute', portal: '', maxRows: 0 }),
  ];
}
