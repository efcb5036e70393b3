/**
 * One client connection: startup, TLS negotiation, SCRAM authentication, then the simple and
 * extended query protocols. Messages are handled strictly in order; the socket only feeds bytes in.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { DynasqlError } from '../errors/index.js';
import type { Connection, QueryResult, Row, SqlValue, Transaction } from '../index.js';
import * as be from './backend-messages.js';
import type { ErrorFields, FieldDescription, TransactionStatus } from './backend-messages.js';
import { CARRIED_STARTUP_SETTINGS, ENGINE_SERVER_VERSION, type CatalogEngine, type EngineSession } from './catalog-engine.js';
import { MessageFramer, ProtocolViolation, type FormatCode, type FrontendMessage, type StartupPacket } from './frontend-messages.js';
import { decodeParameter, OID } from './pg-types.js';
import { ScramExchange, type ScramVerifier } from './scram.js';
import { leadingWords, splitStatements, stripSchemaQualifiers, tokenize } from './sql-text.js';
import { ResultCursor } from './result-cursor.js';
import { copyHeader, copyRow, parseCopy, type CopyOptions } from './copy-statement.js';
import { CursorError, parseCursorStatement } from './cursor-statements.js';
import { parseExecute, parsePrepare } from './prepare-statements.js';
import { SqlCursors } from './sql-cursors.js';
import { quoteLiteral } from './catalog-mirror.js';
import { contextStatement, pointAtSessions, SIGNALS_STATEMENT, signalsOf, type ActivityRow, type PointedStatement, type SignalRequest } from './session-activity.js';
import { setLocalAsSession, settingName, statementTimeoutOfSet, timeoutMs } from './session-functions.js';
import { applySettingsSql, isRefusedStartupSetting, REPORTED_SETTINGS, REPORTED_SETTINGS_SQL, settingKey } from './session-settings.js';
import { parseStartupOptions } from './startup-options.js';
import { commandTag, encodeRow, encodeRows, resultFields, withFormats } from './statement-results.js';
import type { CachedStatement, StatementCache } from './statement-cache.js';
import { describePlainRead, type PlainReadTables } from './plain-read.js';
import { routeStatement, type MirrorNames, type Route } from './statement-router.js';
import { definitionsOf, runTempTableStatement, TempTableError } from './temp-table-runner.js';
import { TempTables } from './temp-tables.js';

/** What every session of one server shares. */
export interface ServerContext {
  connection: Connection;
  engine: CatalogEngine;
  names: MirrorNames;
  /** the mirror's tables as plain reads see them (plain-read.ts) */
  plainReads: PlainReadTables;
  /** routes and descriptions already worked out, shared by all sessions */
  statements: StatementCache;
  users: ReadonlyMap<string, ScramVerifier>;
  /** no password asked (only ever true on a loopback-only server) */
  trust: boolean;
  tls: SecureContext | undefined;
  /** aborts the running statement of the session with this key, if the secret matches */
  cancel(processId: number, secretKey: number): void;
  /** the sessions' rows of `pg_stat_activity`, as `viewer` may see them */
  activity(viewer: Session): ActivityRow[];
  /** carries out a `pg_cancel_backend` / `pg_terminate_backend` that `user` was granted (session-activity.ts) */
  signal(request: SignalRequest, user: string): void;
  register(session: Session): void;
  unregister(session: Session): void;
  log(line: string): void;
}

/** An error to report to the client with these fields. */
class PgError extends Error {
  constructor(readonly fields: ErrorFields) {
    super(fields.message);
  }
}

interface PreparedStatement {
  /** the text the engine runs (references to the session functions pointed at them) */
  sql: string;
  /** the client's text */
  clientSql: string;
  /** set when the statement reads `pg_stat_activity` or calls the session functions (session-activity.ts) */
  pointed: PointedStatement | undefined;
  route: Route;
  /** the text sent to the translator (schema qualifiers removed) */
  translatorSql: string;
  parameterTypes: number[];
  /** result columns as the mirror describes them; null: no rows; undefined: not describable */
  fields: FieldDescription[] | null | undefined;
}

interface Outcome {
  fields: FieldDescription[] | null;
  rows: Buffer[];
  /** null for an empty query */
  tag: string | null;
  notices: Buffer[];
  /** SELECT tags count the rows each Execute returned */
  isSelect: boolean;
  /** a translator SELECT whose rows are streamed at Execute (result-cursor.ts); `rows` is then empty */
  cursor?: ResultCursor;
  /** `COPY (query) TO STDOUT` of a translator query: its rows are streamed as CopyData at Execute */
  copy?: CopyOut;
  /** FETCH / MOVE from a session cursor: up to `count` rows pulled at Execute (`fields` describes them) */
  fetch?: { cursor: ResultCursor; count: number; move: boolean };
}

interface CopyOut {
  cursor: ResultCursor;
  fields: FieldDescription[];
  options: CopyOptions;
}

interface Portal {
  statement: PreparedStatement;
  parameterFormats: FormatCode[];
  parameters: (Buffer | null)[];
  resultFormats: FormatCode[];
  outcome?: Outcome;
  sent: number;
}

const AUTH_TIMEOUT_MS = 60_000;
/** Input bytes a session buffers while busy before it stops reading from the socket. */
const MAX_PENDING_INPUT = 16 * 1024 * 1024;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

type State = 'startup' | 'saslInitial' | 'saslFinal' | 'ready' | 'closed';

/** the savepoint a SAVEPOINT, RELEASE or ROLLBACK TO names: its last name (`rollback to savepoint s1` → `s1`) */
function savepointName(sql: string): string {
  const names = tokenize(sql).filter((t) => t.kind === 'word' || t.kind === 'quotedIdentifier');
  return names.at(-1)?.value ?? '';
}

/** An engine error for the client; `pointed` maps its position back to the client's text. */
function engineErrorFields(fields: Record<string, string>, pointed?: PointedStatement): ErrorFields {
  const out: ErrorFields = { severity: 'ERROR', code: fields['C'] ?? 'XX000', message: fields['M'] ?? 'error' };
  if (fields['D']) out.detail = fields['D'];
  if (fields['H']) out.hint = fields['H'];
  if (fields['P']) out.position = pointed ? pointed.clientPosition(Number(fields['P'])) : Number(fields['P']);
  return out;
}

let nextSessionId = 1;

export class Session implements EngineSession {
  readonly id = nextSessionId++;
  /** BackendKeyData: the process id and secret a CancelRequest must quote */
  readonly processId = this.id;
  private readonly secretKey = randomInt(1, 2 ** 31 - 1);
  readonly startupSettings = new Map<string, string>();
  /** setting name → the last SET of it that succeeded (a RESET removes it; replayed on engine switches) */
  private readonly settings = new Map<string, string>();
  /** the startup settings that came in `options` (checked by the engine at login) */
  private readonly optionSettings = new Set<string>();
  /** the values of REPORTED_SETTINGS the client was last told (ParameterStatus) */
  private readonly reported = new Map<string, string>();
  /** default_transaction_read_only as the engine last said; undefined: ask again (a SET may have changed it) */
  private defaultReadOnly: boolean | undefined;
  /** the open block is READ ONLY (BEGIN READ ONLY, SET TRANSACTION READ ONLY, or the session's default) */
  private blockReadOnly = false;
  /** the block's `SET LOCAL`s as session-level SETs, replayed after `settings` and dropped when the block ends */
  private readonly localSettings = new Map<string, string>();
  /** `settings` at BEGIN: a block that rolls back takes its SETs back, as in Postgres */
  private settingsAtBegin: Map<string, string> | undefined;
  /** the block's savepoints, newest last, each with `settings` and `localSettings` as they were when it was made: ROLLBACK TO takes back the SETs since, as in Postgres */
  private savepointSettings: { name: string; settings: Map<string, string>; localSettings: Map<string, string> }[] = [];
  get setStatements(): Iterable<string> {
    return [...this.settings.values(), ...this.localSettings.values()];
  }
  /** CREATE TEMP TABLE, its rows, and the rest (temp-tables.ts); the engine holds their definitions (tempTableDdl) */
  private readonly temps = new TempTables();
  get tempTableDdl(): readonly string[] {
    return definitionsOf(this.temps.all());
  }

  private readonly framer = new MessageFramer();
  private stream: Duplex;
  private state: State = 'startup';
  private user = '';
  private scram: ScramExchange | undefined;
  private pumping = false;
  private tlsActive = false;
  private txStatus: TransactionStatus = 'I';
  /** the Dynamics side of the transaction block: its writes are held and sent at COMMIT (connection/transaction.ts) */
  private tx: Transaction | undefined;
  private skipUntilSync = false;
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();
  /** DECLAREd cursors over Dynamics tables */
  private readonly cursors = new SqlCursors();
  private running: AbortController | undefined;
  // what pg_stat_activity shows of this session (session-activity.ts)
  private readonly backendStart = new Date();
  private query = '';
  private queryStart: Date | null = null;
  private stateChange = this.backendStart;
  private active = false;
  /** when the transaction block began (BEGIN) */
  private blockStart: Date | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.framer.push(chunk);
    // A client that sends faster than its statements run waits (TCP backpressure) instead of
    // filling memory; a single large message still gets all of its bytes.
    if (this.pumping && this.framer.buffered > MAX_PENDING_INPUT) this.stream.pause();
    void this.pump();
  };

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ServerContext,
    /** past the server's connection limit: the startup is answered with FATAL 53300 */
    private readonly overLimit = false,
  ) {
    this.stream = socket;
    socket.on('data', this.onData);
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    socket.setTimeout(AUTH_TIMEOUT_MS, () => this.fatal('08006', 'authentication timed out'));
  }

  private get peer(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  private write(bytes: Buffer): void {
    if (this.state !== 'closed') this.stream.write(bytes);
  }

  /** Writes, then waits until the socket takes more (a slow reader slows the statement, not memory); a stop ends the wait. */
  private send(bytes: Buffer, signal: AbortSignal): Promise<void> {
    if (this.state === 'closed' || this.stream.write(bytes)) return Promise.resolve();
    return this.drained(signal);
  }

  /** the login name (pg_cancel_backend lets a user cancel their own sessions) */
  get userName(): string {
    return this.user;
  }

  /** Ends the session: its statement stops; `flush` gives the bytes already written a second to reach the client. */
  close(reason = 'the client disconnected', flush = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.running?.abort(new DynasqlError('DYNASQL_ERR_CANCELLED', reason));
    this.dropPortals();
    void this.cursors.closeAll();
    // a client gone in the middle of a transaction block: as in Postgres, its writes are rolled back
    if (this.tx?.isOpen) this.tx.rollback();
    this.ctx.unregister(this);
    this.ctx.engine.forget(this.id);
    this.stream.end();
    if (flush) setTimeout(() => this.socket.destroy(), 1000).unref();
    else this.socket.destroy();
  }

  /** `pg_terminate_backend`: the statement stops and the client is told why before the connection closes. */
  terminate(): void {
    const message = 'terminating connection due to administrator command';
    this.write(be.errorResponse({ severity: 'FATAL', code: '57P01', message }));
    this.close(message, true);
  }

  /** The session starts running `sql` (a Query message's text, or the statement an Execute runs). */
  private markActive(sql: string): void {
    this.query = sql;
    this.queryStart = this.stateChange = new Date();
    this.active = true;
  }

  /** ReadyForQuery: the session waits for the client again. */
  private ready(): void {
    this.write(be.readyForQuery(this.txStatus));
    if (this.active) (this.active = false), (this.stateChange = new Date());
  }

  /** This session's row of `pg_stat_activity` as `viewer` may see it: as in Postgres, another user's query, state and times are hidden. */
  activityRow(viewer: Session): ActivityRow {
    const own = viewer.user === this.user;
    const time = (d: Date | null) => (d && own ? d.toISOString() : null);
    const state = this.active ? 'active' : this.txStatus === 'T' ? 'idle in transaction' : this.txStatus === 'E' ? 'idle in transaction (aborted)' : 'idle';
    const waiting = own && !this.active;
    return {
      pid: this.processId,
      usename: this.user,
      application_name: this.startupSettings.get('application_name') ?? '',
      client_addr: own ? (this.socket.remoteAddress ?? null) : null,
      client_port: own ? (this.socket.remotePort ?? null) : null,
      backend_start: time(this.backendStart),
      xact_start: time(this.blockStart ?? (this.active ? this.queryStart : null)),
      query_start: time(this.queryStart),
      state_change: time(this.stateChange),
      wait_event_type: waiting ? 'Client' : null,
      wait_event: waiting ? 'ClientRead' : null,
      state: own ? state : null,
      query: own ? this.query : '<insufficient privilege>',
      backend_type: 'client backend',
    };
  }

  /** Sends a FATAL error and closes the connection. */
  private fatal(code: string, message: string): void {
    if (this.state === 'closed') return;
    this.write(be.errorResponse({ severity: 'FATAL', code, message }));
    this.ctx.log(`pgwire: ${this.peer} user=${JSON.stringify(this.user)}: ${code} ${message}`);
    this.stream.end();
    this.state = 'closed';
    this.ctx.unregister(this);
    this.ctx.engine.forget(this.id);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Aborts the running statement when `secretKey` is this session's. */
  cancel(secretKey: number): void {
    const a = Buffer.alloc(4);
    const b = Buffer.alloc(4);
    a.writeInt32BE(secretKey | 0);
    b.writeInt32BE(this.secretKey);
    if (timingSafeEqual(a, b)) this.cancelRunning();
  }

  /** Stops the running statement, as a CancelRequest or `pg_cancel_backend` asks. */
  cancelRunning(): void {
    this.running?.abort(new DynasqlError('DYNASQL_ERR_CANCELLED', 'canceling statement due to user request'));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.state !== 'closed') {
        if (this.framer.inStartup) {
          const packet = this.framer.nextStartup();
          if (!packet) break;
          await this.onStartupPacket(packet);
        } else {
          const message = this.framer.next();
          if (!message) break;
          await this.onMessage(message);
          // Results go out no faster than the client reads them: one statement's rows at a time.
          if (this.stream.writableNeedDrain) await this.drained();
        }
      }
    } catch (error) {
      if (error instanceof ProtocolViolation) this.fatal('08P01', `invalid frontend message: ${error.message}`);
      else this.fatal('XX000', `internal error: ${(error as Error).message}`);
    } finally {
      this.pumping = false;
      if (this.stream.isPaused() && this.state !== 'closed') this.stream.resume();
    }
  }

  private drained(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('close', done);
      if (signal?.aborted) done();
      else signal?.addEventListener('abort', done, { once: true });
    });
  }

  // ---- startup and authentication -------------------------------------------------------------

  private async onStartupPacket(packet: StartupPacket): Promise<void> {
    switch (packet.type) {
      case 'SSLRequest':
        if (!this.ctx.tls || this.tlsActive) return void this.write(be.sslRefused());
        // Bytes the client sent before the handshake would be trusted as if encrypted (CVE-2021-23214).
        if (this.framer.buffered > 0) throw new ProtocolViolation('unencrypted data after SSL request');
        this.write(be.sslAccepted());
        this.upgradeToTls(this.ctx.tls);
        return;
      case 'GSSENCRequest':
        return void this.write(be.sslRefused());
      case 'CancelRequest':
        this.ctx.cancel(packet.processId, packet.secretKey);
        this.state = 'closed';
        this.socket.destroy();
        return;
      case 'Startup':
        this.framer.startupDone();
        // as Postgres does: the client learns why, instead of seeing its socket dropped
        if (this.overLimit) return this.fatal('53300', 'sorry, too many clients already');
        // a client asking for 3.2 (libpq 18) or for `_pq_.` options learns what it gets, and goes on with 3.0
        if (packet.minorVersion > 0 || packet.protocolOptions.length > 0) this.write(be.negotiateProtocolVersion(0, packet.protocolOptions));
        return this.onStartup(packet.parameters);
    }
  }

  private upgradeToTls(secureContext: SecureContext): void {
    this.socket.off('data', this.onData);
    const tls = new TLSSocket(this.socket, { isServer: true, secureContext });
    tls.on('data', this.onData);
    tls.on('error', () => this.close());
    this.stream = tls;
    this.tlsActive = true;
  }

  private async onStartup(parameters: Record<string, string>): Promise<void> {
    this.user = parameters['user'] ?? '';
    if (!this.user) return this.fatal('28000', 'no PostgreSQL user name specified in startup packet');
    const remote = !LOOPBACK.test(this.socket.remoteAddress ?? '');
    if (remote && !this.tlsActive) return this.fatal('28000', 'connections from other hosts must use TLS (sslmode=require)');
    for (const name of CARRIED_STARTUP_SETTINGS) {
      const key = Object.keys(parameters).find((k) => k.toLowerCase() === name.toLowerCase());
      if (key) this.startupSettings.set(name, parameters[key]!);
    }
    // `options=-c name=value` (PGOPTIONS, psql, pgJDBC's options=): any setting, checked by the engine once logged in
    const options = parseStartupOptions(parameters['options'] ?? '');
    if ('error' in options) return this.fatal('42601', `invalid command-line argument for server process: ${options.error}`);
    for (const [name, value] of options.settings) {
      if (isRefusedStartupSetting(name)) return this.fatal('42501', `permission denied to set parameter "${name}"`);
      this.startupSettings.set(settingKey(name), value);
      this.optionSettings.add(settingKey(name));
    }
    if (this.ctx.trust) return this.authenticated();
    this.write(be.authenticationSasl(['SCRAM-SHA-256']));
    this.state = 'saslInitial';
  }

  private async onPassword(data: Buffer): Promise<void> {
    if (this.state === 'saslInitial') {
      const end = data.indexOf(0);
      if (end < 0 || data.length < end + 5) throw new ProtocolViolation('malformed SASLInitialResponse');
      const mechanism = data.toString('utf8', 0, end);
      const length = data.readInt32BE(end + 1);
      if (mechanism !== 'SCRAM-SHA-256') return this.fatal('28000', `SASL mechanism ${JSON.stringify(mechanism)} is not supported: use SCRAM-SHA-256`);
      if (length < 0 || end + 5 + length !== data.length) throw new ProtocolViolation('malformed SASLInitialResponse');
      this.scram = new ScramExchange(this.ctx.users.get(this.user));
      const serverFirst = this.scram.clientFirst(data.toString('utf8', end + 5));
      if (!serverFirst) return this.fatal('08P01', 'malformed SCRAM message');
      this.write(be.authenticationSaslContinue(serverFirst));
      this.state = 'saslFinal';
      return;
    }
    const outcome = this.scram!.clientFinal(data.toString('utf8'));
    if (!outcome.ok) {
      return outcome.reason === 'password'
        ? this.fatal('28P01', `password authentication failed for user "${this.user}"`)
        : this.fatal('08P01', 'malformed SCRAM message');
    }
    this.write(be.authenticationSaslFinal(outcome.serverFinal));
    return this.authenticated();
  }

  private async authenticated(): Promise<void> {
    this.socket.setTimeout(0);
    const s = this.startupSettings;
    if (this.optionSettings.size > 0) {
      // as Postgres: an unknown setting or a bad value in `options` ends the login
      const names = [...this.optionSettings].map((k): [string, string] => [k, s.get(k)!]);
      const error = (await this.ctx.engine.simpleQuery(this, applySettingsSql(names))).find((m) => m.type === 'E');
      if (error) {
        const fields = engineErrorFields(be.decodeErrorFields(error.body));
        return this.fatal(fields.code, fields.message);
      }
    }
    // settings from `options` are reported as the engine holds them (`--application-name=a\ b`); the
    // startup packet's own parameters as given, without an engine call (a login stays quick under load)
    const values = this.optionSettings.size > 0 ? await this.reportedSettings() : new Map<string, string>();
    const given = (name: string, fallback: string) => (this.optionSettings.has(settingKey(name)) ? (values.get(name) ?? fallback) : fallback);
    const dateStyle = s.get('DateStyle')?.toUpperCase().startsWith('ISO') ? s.get('DateStyle')! : 'ISO, MDY';
    const status: [string, string][] = [
      ['server_version', ENGINE_SERVER_VERSION],
      ['server_encoding', 'UTF8'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', dateStyle],
      ['TimeZone', given('TimeZone', s.get('TimeZone') ?? 'UTC')],
      ['IntervalStyle', given('IntervalStyle', 'postgres')],
      ['integer_datetimes', 'on'],
      ['standard_conforming_strings', 'on'],
      ['is_superuser', 'off'],
      ['session_authorization', this.user],
      ['application_name', given('application_name', s.get('application_name') ?? '')],
      ['default_transaction_read_only', given('default_transaction_read_only', 'off')],
      ['in_hot_standby', 'off'],
    ];
    for (const [name, value] of status) this.reported.set(name, value);
    this.state = 'ready';
    this.ctx.register(this);
    this.write(Buffer.concat([
      be.authenticationOk(),
      ...status.map(([k, v]) => be.parameterStatus(k, v)),
      be.backendKeyData(this.processId, this.secretKey),
      be.readyForQuery('I'),
    ]));
    this.ctx.log(`pgwire: ${this.peer} user=${JSON.stringify(this.user)} connected`);
  }

  // ---- messages after startup -----------------------------------------------------------------

  private async onMessage(message: FrontendMessage): Promise<void> {
    if (this.state === 'saslInitial' || this.state === 'saslFinal') {
      if (message.type !== 'PasswordMessage') throw new ProtocolViolation(`expected a password message, got ${message.type}`);
      return this.onPassword(message.data);
    }
    switch (message.type) {
      case 'PasswordMessage':
        throw new ProtocolViolation('unexpected password message');
      case 'Terminate':
        return this.close();
      case 'Query':
        this.skipUntilSync = false;
        this.markActive(message.sql);
        await this.simpleQuery(message.sql);
        return this.ready();
      case 'Sync':
        this.skipUntilSync = false;
        if (this.txStatus === 'I') this.dropPortals();
        return this.ready();
      case 'Flush':
        return;
      default:
        if (this.skipUntilSync) return;
        try {
          await this.extended(message);
        } catch (error) {
          this.reportError(error);
          this.skipUntilSync = true;
        }
    }
  }

  private reportError(error: unknown): void {
    if (this.txStatus === 'T') this.txStatus = 'E';
    this.write(be.errorResponse(this.errorFields(error)));
  }

  private errorFields(error: unknown): ErrorFields {
    if (error instanceof PgError) return error.fields;
    if (error instanceof CursorError) return { severity: 'ERROR', code: error.code, message: error.message };
    if (error instanceof DynasqlError) return { severity: 'ERROR', code: error.sqlState, message: error.message };
    if ((error as Error)?.name === 'AbortError') return { severity: 'ERROR', code: '57014', message: 'canceling statement due to user request' };
    return { severity: 'ERROR', code: 'XX000', message: `internal error: ${(error as Error)?.message ?? String(error)}` };
  }

  // ---- statements ------------------------------------------------------------------------------

  /** The session's search_path, which decides what unqualified names in a statement mean. */
  private get searchPath(): string {
    const set = this.settings.get('search_path');
    return set ?? this.startupSettings.get('search_path') ?? '';
  }

  private async prepare(clientSql: string, parameterTypes: number[]): Promise<PreparedStatement> {
    const pointed = pointAtSessions(clientSql);
    const sql = pointed?.sql ?? clientSql;
    // a route over this session's temp tables is its own, not for the cache all sessions share
    const shared = this.temps.size === 0;
    const cached = shared ? this.ctx.statements.get(sql, parameterTypes, this.searchPath) : undefined;
    // routing and describing may wait for the catalog engine to start (seconds): a cancel stops that wait
    const described = cached ?? (await this.asRunning((signal) => this.describeStatement(sql, parameterTypes, pointed, signal)));
    if (!cached && shared && described.route.kind !== 'tempTable') this.ctx.statements.set(sql, parameterTypes, this.searchPath, described);
    const { route } = described;
    if (route.kind === 'refused') throw new PgError({ severity: 'ERROR', code: route.code, message: route.message });
    const translated = route.kind === 'explain' ? route.statement : sql;
    const translatorSql = route.kind === 'dynamics' || route.kind === 'call' || route.kind === 'explain' ? stripSchemaQualifiers(translated, [this.ctx.names.schema, 'public']) : sql;
    return { sql, clientSql, pointed, route, translatorSql, parameterTypes: [...described.parameterTypes], fields: described.fields };
  }

  /** Routes a statement and asks the engine for its parameter types and result columns (a plain read of a Dynamics table needs no engine: plain-read.ts). */
  private async describeStatement(sql: string, parameterTypes: number[], pointed: PointedStatement | undefined, signal: AbortSignal): Promise<CachedStatement> {
    const plain = describePlainRead(sql, { tables: this.ctx.plainReads, schema: this.ctx.names.schema, customSearchPath: this.searchPath !== '', tempNames: this.temps.names() });
    if (plain) return { route: { kind: 'dynamics' }, parameterTypes, fields: plain };
    const route = await routeStatement(sql, this.ctx.engine, this, this.ctx.names, this.temps.names(), signal);
    switch (route.kind) {
      case 'tempTable': {
        // the engine's copy of the table types an INSERT's parameters as PostgreSQL would
        const d = await this.ctx.engine.describe(this, sql, parameterTypes, signal);
        return { route, parameterTypes: 'parameterTypes' in d ? d.parameterTypes : parameterTypes, fields: null };
      }
      case 'engine': {
        const d = await this.ctx.engine.describe(this, sql, parameterTypes, signal);
        if (!('parameterTypes' in d)) throw new PgError(engineErrorFields(d.fields, pointed));
        return { route, parameterTypes: d.parameterTypes, fields: d.fields };
      }
      case 'dynamics': {
        // Not describable (a translator-only form): the real result describes itself at Execute.
        const d = await this.ctx.engine.describe(this, sql, parameterTypes, signal);
        return 'parameterTypes' in d ? { route, parameterTypes: d.parameterTypes, fields: d.fields } : { route, parameterTypes, fields: undefined };
      }
      case 'call':
      // described when they run: a cursor's and a prepared statement's columns are the session's own
      case 'cursor':
      case 'sqlExecute':
        return { route, parameterTypes, fields: undefined };
      case 'explain': {
        const d = await this.ctx.engine.describe(this, route.statement, parameterTypes, signal);
        return { route, parameterTypes: 'parameterTypes' in d ? d.parameterTypes : parameterTypes, fields: [planField()] };
      }
      default:
        return { route, parameterTypes, fields: null };
    }
  }

  /** Runs a prepared statement with bound parameters. */
  private async run(statement: PreparedStatement, parameterFormats: FormatCode[], parameters: (Buffer | null)[], resultFormats: FormatCode[]): Promise<Outcome> {
    const outcome = await this.runRoute(statement, parameterFormats, parameters, resultFormats);
    // outside a block a statement is a transaction of its own: ON COMMIT DELETE ROWS / DROP apply at its end
    if (!this.tx && this.temps.size > 0 && statement.route.kind !== 'transaction') await this.endTempTransaction(true);
    return outcome;
  }

  /** the session's temp tables at a transaction's end; the engine's definitions follow a drop or a rollback */
  private async endTempTransaction(committed: boolean): Promise<void> {
    const before = this.tempTableDdl.join(';');
    if (committed) this.temps.commit();
    else this.temps.rollback();
    if (this.tempTableDdl.join(';') !== before) await this.ctx.engine.defineTempTables(this, this.tempTableDdl);
  }

  /** ROLLBACK TO SAVEPOINT: the temp tables as they were at it; the engine's definitions follow */
  private async rollbackTempsTo(name: string): Promise<void> {
    const before = this.tempTableDdl.join(';');
    this.temps.rollbackTo(name);
    if (this.tempTableDdl.join(';') !== before) await this.ctx.engine.defineTempTables(this, this.tempTableDdl);
  }

  /** CREATE TEMP TABLE and the writes to temp tables (temp-table-runner.ts) */
  private async tempTableStatement(statement: PreparedStatement, parameterFormats: FormatCode[], parameters: (Buffer | null)[]): Promise<Outcome> {
    const readOnly = await this.readOnlyNow();
    const values = this.parameterValues(statement, parameterFormats, parameters);
    const tag = await this.withSignal((signal) =>
      runTempTableStatement(
        {
          engine: this.ctx.engine, session: this, temps: this.temps, readOnly,
          query: (sql, queryValues) => this.ctx.connection.query(sql, [...queryValues], { dialect: 'postgresql', signal, localTables: this.temps.localTables() }),
          defineTables: async (ddl) => {
            const failed = await this.ctx.engine.defineTempTables(this, ddl);
            if (failed) throw new PgError(engineErrorFields(failed.fields));
          },
        },
        statement.sql,
        { types: statement.parameterTypes, formats: parameterFormats, raw: parameters, values },
      ),
    ).catch((error: unknown) => {
      throw error instanceof TempTableError ? new PgError(error.fields) : error;
    });
    return { fields: null, rows: [], tag, notices: [], isSelect: false };
  }

  private async runRoute(statement: PreparedStatement, parameterFormats: FormatCode[], parameters: (Buffer | null)[], resultFormats: FormatCode[]): Promise<Outcome> {
    const route = statement.route;
    if (this.txStatus === 'E' && !(route.kind === 'transaction' && (route.action === 'rollback' || route.action === 'commit' || route.action === 'rollbackTo'))) {
      throw new PgError({ severity: 'ERROR', code: '25P02', message: 'current transaction is aborted, commands ignored until end of transaction block' });
    }
    const done = (tag: string | null, notices: Buffer[] = []): Outcome => ({ fields: null, rows: [], tag, notices, isSelect: false });
    switch (route.kind) {
      case 'empty':
        return done(null);
      case 'refused':
        throw new PgError({ severity: 'ERROR', code: route.code, message: route.message });
      case 'transaction':
        return this.transaction(route.action, statement.sql);
      case 'reset':
        this.settings.clear();
        this.localSettings.clear();
        this.ctx.engine.forget(this.id);
        // DISCARD ALL also drops the session's prepared statements (pooled connections rely on it).
        if (/^\s*discard\s+all/i.test(statement.sql)) this.statements.clear(), await this.cursors.closeAll();
        // DISCARD ALL and DISCARD TEMP drop the session's temporary tables
        if (/^\s*discard\s+(all|temp|temporary)\b/i.test(statement.sql) && this.temps.size > 0) {
          for (const table of this.temps.all()) this.temps.drop(table.name);
          await this.ctx.engine.defineTempTables(this, []);
        }
        return done(/^\s*reset/i.test(statement.sql) ? 'RESET' : statement.sql.trim().split(/\s+/, 2).join(' ').toUpperCase(), await this.settingChanges());
      case 'setTransaction': {
        // SET TRANSACTION: the block's access mode; isolation levels and DEFERRABLE change nothing
        // (a block's writes go out at COMMIT as one all-or-nothing change set; its reads see committed rows)
        if (!this.tx) return done('SET', [be.noticeResponse({ severity: 'WARNING', code: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' })]);
        const mode = /\bread\s+(only|write)\b/i.exec(statement.sql)?.[1]?.toLowerCase();
        if (mode) this.blockReadOnly = mode === 'only';
        return done('SET');
      }
      case 'copy':
        return this.copy(statement);
      case 'tempTable':
        return this.tempTableStatement(statement, parameterFormats, parameters);
      case 'cursor':
        return this.cursorStatement(statement, parameterFormats, parameters, resultFormats);
      case 'sqlPrepare': {
        const parsed = parsePrepare(statement.sql);
        if (this.statements.has(parsed.name)) throw new PgError({ severity: 'ERROR', code: '42P05', message: `prepared statement "${parsed.name}" already exists` });
        const types = parsed.types.length > 0 ? await this.typeOids(parsed.types) : [];
        this.statements.set(parsed.name, await this.prepare(parsed.statement, types));
        return done('PREPARE');
      }
      case 'sqlExecute':
        return this.sqlExecute(statement, parameterFormats, parameters, resultFormats);
      case 'deallocate':
        // Protocol-level statements live here; SQL-level PREPAREs (catalog statements) in the engine.
        if (route.name !== null && this.statements.delete(route.name)) return done('DEALLOCATE');
        if (route.name === null) this.statements.clear();
        return this.runOnEngine(statement, parameterFormats, parameters, resultFormats);
      case 'engine': {
        const local = this.txStatus === 'I' ? undefined : setLocalAsSession(statement.sql);
        // outside a block the engine warns that SET LOCAL does nothing, as Postgres does
        if (!local) return this.runOnEngine(statement, parameterFormats, parameters, resultFormats);
        const outcome = await this.runOnEngine({ ...statement, sql: local.sql }, parameterFormats, parameters, resultFormats);
        this.localSettings.set(local.name, local.sql);
        return outcome;
      }
      case 'explain': {
        const plan = await this.withSignal((signal) =>
          this.ctx.connection.explain(statement.translatorSql, this.parameterValues(statement, parameterFormats, parameters), { dialect: 'postgresql', signal, localTables: this.temps.localTables() }),
        );
        const result: QueryResult = { columns: [{ name: 'QUERY PLAN', type: 'nvarchar' }], rows: plan.split('\n').map((line) => ({ 'QUERY PLAN': line })), rowCount: 0, command: 'EXPLAIN' };
        const fields = withFormats([planField()], resultFormats);
        return { fields, rows: encodeRows(result, fields), tag: 'EXPLAIN', notices: [], isSelect: false };
      }
      case 'dynamics':
      case 'call': {
        const values = this.parameterValues(statement, parameterFormats, parameters);
        if (route.kind === 'dynamics' && isPlainQuery(statement.translatorSql)) {
          // rows go out as they come (result-cursor.ts); inside a transaction block too, since its reads
          // run as outside it (they do not see the block's held writes, connection/types.ts Transaction)
          const controller = new AbortController();
          const cursor = await this.withSignal(() => ResultCursor.open(this.ctx.connection, statement.translatorSql, values, controller, { localTables: this.temps.localTables() }), controller);
          return { fields: resultFields(cursor, statement.fields ?? null, resultFormats), rows: [], tag: null, notices: [], isSelect: true, cursor };
        }
        const runner = this.tx ?? this.ctx.connection;
        const readOnly = await this.readOnlyNow();
        // a write the translator could not even run (a data-modifying WITH) is still refused as a write
        if (readOnly && isWrite(statement.translatorSql)) throw readOnlyError(new DynasqlError('DYNASQL_ERR_READ_ONLY_CONNECTION', 'read-only'), statement.translatorSql);
        const result = await this.withSignal((signal) => runner.query(statement.translatorSql, values, { dialect: 'postgresql', signal, readOnly, localTables: this.temps.localTables() })).catch((error: unknown) => {
          throw readOnly ? readOnlyError(error, statement.translatorSql) : error;
        });
        const fields = result.columns.length > 0 ? resultFields(result, statement.fields ?? null, resultFormats) : null;
        const notices = (result.warnings ?? []).map((w) => be.noticeResponse({ severity: 'WARNING', code: '01000', message: w }));
        const isSelect = result.command.toUpperCase() === 'SELECT';
        return { fields, rows: fields ? encodeRows(result, fields) : [], tag: commandTag(result.command, result.rowCount), notices, isSelect };
      }
    }
  }

  /**
   * Runs a translator statement (or one Execute of a streamed one) as the session's running
   * statement: a CancelRequest, `pg_cancel_backend`, the session's `statement_timeout` and a
   * disconnect abort its signal, which stops it wherever it is (connection/, local/).
   */
  private async withSignal<T>(fn: (signal: AbortSignal) => Promise<T>, controller = new AbortController()): Promise<T> {
    this.running = controller;
    const timeout = this.statementTimeoutMs;
    const timer = timeout > 0
      ? setTimeout(() => controller.abort(new DynasqlError('DYNASQL_ERR_TIMEOUT', 'canceling statement due to statement timeout')), timeout)
      : undefined;
    try {
      return await fn(controller.signal);
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof DynasqlError)) {
        throw new PgError({ severity: 'ERROR', code: '57014', message: 'canceling statement due to user request' });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      this.running = undefined;
      if (controller.signal.aborted) this.ctx.log(`pgwire: ${this.peer} user=${JSON.stringify(this.user)}: statement stopped (${(controller.signal.reason as Error)?.message})`);
    }
  }

  /**
   * Runs a catalog-engine statement (`\d`'s queries, pg_catalog, information_schema, SET), or the
   * routing and describing of any statement, as the session's running statement: a CancelRequest,
   * `pg_cancel_backend` or a disconnect stops it by ending the engine's worker, which the next statement
   * rebuilds (seconds, for every client: the engine is shared), or, while the engine starts, stops this
   * statement's wait for it.
   * `statement_timeout` is left to Dynamics statements: catalog statements have the server's own limit
   * (`catalogTimeoutMs`), and a short timeout would otherwise rebuild the shared engine on a slow SHOW.
   */
  private async asRunning<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.running = controller;
    try {
      return await fn(controller.signal);
    } finally {
      if (this.running === controller) this.running = undefined;
      if (controller.signal.aborted) this.ctx.log(`pgwire: ${this.peer} user=${JSON.stringify(this.user)}: catalog statement stopped (${(controller.signal.reason as Error)?.message})`);
    }
  }

  /** `statement_timeout` as this session set it (SET, or `-c statement_timeout=` at startup); 0 = none */
  private get statementTimeoutMs(): number {
    const set = this.localSettings.get('statement_timeout') ?? this.settings.get('statement_timeout');
    if (set !== undefined) return statementTimeoutOfSet(set) ?? 0;
    const startup = this.startupSettings.get('statement_timeout');
    return startup === undefined ? 0 : (timeoutMs(startup) ?? 0);
  }

  /** Stops a portal's streamed statement and forgets the portal. */
  private dropPortal(name: string): void {
    const portal = this.portals.get(name);
    this.portals.delete(name);
    void portal?.outcome?.cursor?.close();
    void portal?.outcome?.copy?.cursor.close();
  }

  private dropPortals(): void {
    for (const name of [...this.portals.keys()]) this.dropPortal(name);
  }

  private parameterValues(statement: PreparedStatement, formats: FormatCode[], parameters: (Buffer | null)[]): SqlValue[] {
    return parameters.map((raw, i) => {
      const format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[i]!;
      const oid = statement.parameterTypes[i] || OID.text;
      try {
        return decodeParameter(oid, format, raw);
      } catch (error) {
        if (error instanceof DynasqlError) throw error;
        throw new PgError({ severity: 'ERROR', code: '22P02', message: `invalid value for parameter $${i + 1}` });
      }
    });
  }

  /**
   * Transaction control. The block's Dynamics writes are held by a Transaction and sent at COMMIT as
   * one change set (all or nothing); ROLLBACK drops them. Catalog statements in the block run at once.
   */
  private async transaction(action: Extract<Route, { kind: 'transaction' }>['action'], sql: string): Promise<Outcome> {
    const notices: Buffer[] = [];
    const warn = (code: string, message: string) => notices.push(be.noticeResponse({ severity: 'WARNING', code, message }));
    let tag: string;
    switch (action) {
      case 'begin':
        if (this.txStatus !== 'I') warn('25001', 'there is already a transaction in progress');
        else {
          // BEGIN READ ONLY / READ WRITE, else the session's default_transaction_read_only
          const mode = /\bread\s+(only|write)\b/i.exec(sql)?.[1]?.toLowerCase();
          this.blockReadOnly = mode ? mode === 'only' : await this.readOnlyNow();
          // the block's mode goes with each statement (QueryOptions.readOnly): SET TRANSACTION may change it
          this.tx = this.ctx.connection.begin();
          this.temps.begin();
          this.blockStart = new Date();
          this.settingsAtBegin = new Map(this.settings);
        }
        this.txStatus = this.txStatus === 'I' ? 'T' : this.txStatus;
        tag = 'BEGIN';
        break;
      case 'commit': {
        this.dropPortals();
        if (this.txStatus === 'I') warn('25P01', 'there is no transaction in progress');
        const tx = this.endTransaction(this.txStatus === 'T');
        if (tx && this.txStatus === 'T') {
          this.txStatus = 'I';
          // a failed COMMIT ends the block too (nothing was written); the error goes to the client
          try {
            await this.withSignal((signal) => tx.commit({ signal }));
          } catch (error) {
            await this.cursors.endBlock(false);
            await this.endTempTransaction(false);
            throw error;
          }
          await this.cursors.endBlock(true);
          await this.endTempTransaction(true);
          tag = 'COMMIT';
        } else {
          await this.cursors.endBlock(false);
          if (tx) await this.endTempTransaction(false);
          tx?.rollback();
          tag = this.txStatus === 'E' ? 'ROLLBACK' : 'COMMIT';
        }
        this.txStatus = 'I';
        break;
      }
      case 'rollback':
        this.dropPortals();
        if (this.txStatus === 'I') warn('25P01', 'there is no transaction in progress');
        if (this.tx) await this.endTempTransaction(false);
        this.endTransaction(false)?.rollback();
        await this.cursors.endBlock(false);
        this.txStatus = 'I';
        tag = 'ROLLBACK';
        break;
      case 'savepoint':
      case 'release': {
        if (this.txStatus === 'I') throw new PgError({ severity: 'ERROR', code: '25P01', message: `${action.toUpperCase()} can only be used in transaction blocks` });
        await this.tx!.query(sql);
        const name = savepointName(sql);
        if (action === 'savepoint') {
          this.temps.savepoint(name);
          this.savepointSettings.push({ name, settings: new Map(this.settings), localSettings: new Map(this.localSettings) });
        } else {
          this.temps.release(name);
          // RELEASE drops the savepoint and those made after it; its SETs stay
          const at = this.savepointSettings.map((s) => s.name).lastIndexOf(name);
          if (at >= 0) this.savepointSettings.length = at;
        }
        tag = action.toUpperCase();
        break;
      }
      case 'rollbackTo': {
        if (this.txStatus === 'I') throw new PgError({ severity: 'ERROR', code: '25P01', message: 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks' });
        await this.tx!.query(sql);
        await this.rollbackTempsTo(savepointName(sql));
        this.txStatus = 'T';
        const at = this.savepointSettings.map((s) => s.name).lastIndexOf(savepointName(sql));
        if (at >= 0) {
          // the savepoint stays, those made after it go; the SETs since it are taken back
          this.savepointSettings.length = at + 1;
          const before = [...this.setStatements].join('\n');
          const kept = this.savepointSettings[at]!;
          this.settings.clear();
          for (const [setting, text] of kept.settings) this.settings.set(setting, text);
          this.localSettings.clear();
          for (const [setting, text] of kept.localSettings) this.localSettings.set(setting, text);
          if ([...this.setStatements].join('\n') !== before) {
            // the engine holds the taken-back settings: it replays the session's own before its next statement
            this.ctx.engine.forget(this.id);
            notices.push(...await this.settingChanges());
          }
        }
        tag = 'ROLLBACK';
        break;
      }
    }
    return { fields: null, rows: [], tag, notices, isSelect: false };
  }

  /**
   * `COPY (query) TO STDOUT` / `COPY table TO STDOUT`: the query is routed as any statement; over
   * Dynamics tables its rows stream as CopyData (sendCopy), over catalogs the engine copies them.
   */
  private async copy(statement: PreparedStatement): Promise<Outcome> {
    const parsed = parseCopy(statement.sql);
    if (parsed.direction === 'from') {
      if (await this.readOnlyNow()) throw new PgError({ severity: 'ERROR', code: '25006', message: 'cannot execute COPY FROM in a read-only transaction' });
      throw new PgError({ severity: 'ERROR', code: '0A000', message: 'COPY FROM is not supported on a dynasql server: use INSERT (a multi-row VALUES list goes out in batches)' });
    }
    const inner = await this.prepare(parsed.query, []);
    if (inner.route.kind === 'engine') {
      const messages = await this.ctx.engine.simpleQuery(this, statement.sql);
      const error = messages.find((m) => m.type === 'E');
      if (error) throw new PgError(engineErrorFields(be.decodeErrorFields(error.body)));
      const complete = messages.find((m) => m.type === 'C');
      return {
        fields: null,
        rows: messages.filter((m) => m.type === 'H' || m.type === 'd' || m.type === 'c').map((m) => Buffer.from(m.bytes)),
        tag: complete ? complete.body.toString('utf8', 0, complete.body.length - 1) : 'COPY 0',
        notices: messages.filter((m) => m.type === 'N').map((m) => Buffer.from(m.bytes)),
        isSelect: false,
      };
    }
    if (inner.route.kind !== 'dynamics' || !isPlainQuery(inner.translatorSql)) {
      throw new PgError({ severity: 'ERROR', code: '0A000', message: 'COPY (query) TO STDOUT takes a SELECT, VALUES or TABLE query on a dynasql server' });
    }
    const controller = new AbortController();
    const cursor = await this.withSignal(() => ResultCursor.open(this.ctx.connection, inner.translatorSql, [], controller, { localTables: this.temps.localTables() }), controller);
    const fields = resultFields(cursor, inner.fields ?? null, []);
    return { fields: null, rows: [], tag: null, notices: [], isSelect: false, copy: { cursor, fields, options: parsed.options } };
  }

  /**
   * DECLARE over Dynamics tables starts the statement (its first page is read, for its columns); FETCH
   * and MOVE pull only the rows asked for (at Execute), so the service is paged no further than the
   * client fetched; CLOSE stops it. A FETCH, MOVE or CLOSE of a name the session does not hold goes to
   * the engine (cursors over catalogs).
   */
  private async cursorStatement(statement: PreparedStatement, parameterFormats: FormatCode[], parameters: (Buffer | null)[], resultFormats: FormatCode[]): Promise<Outcome> {
    const parsed = parseCursorStatement(statement.sql);
    const done = (tag: string): Outcome => ({ fields: null, rows: [], tag, notices: [], isSelect: false });
    switch (parsed.kind) {
      case 'declare': {
        if (!this.tx && !parsed.hold) throw new PgError({ severity: 'ERROR', code: '25P01', message: 'DECLARE CURSOR can only be used in transaction blocks' });
        if (this.cursors.has(parsed.name) || this.portals.has(parsed.name)) throw new PgError({ severity: 'ERROR', code: '42P03', message: `cursor "${parsed.name}" already exists` });
        const inner = await this.prepare(parsed.query, statement.parameterTypes);
        if (inner.route.kind !== 'dynamics' || !isPlainQuery(inner.translatorSql)) {
          throw new PgError({ severity: 'ERROR', code: '0A000', message: 'a cursor over Dynamics tables takes a SELECT, VALUES or TABLE query' });
        }
        const values = this.parameterValues(inner, parameterFormats, parameters);
        const controller = new AbortController();
        // no page read ahead: FETCH n asks the service for the pages its rows need, no more
        const cursor = await this.withSignal(() => ResultCursor.open(this.ctx.connection, inner.translatorSql, values, controller, { readAhead: false, localTables: this.temps.localTables() }), controller);
        const fields = resultFields(cursor, inner.fields ?? null, parsed.binary ? [1] : []);
        this.cursors.add(parsed.name, { cursor, fields, hold: parsed.hold, inBlock: this.tx !== undefined });
        return done('DECLARE CURSOR');
      }
      case 'fetch': {
        const found = this.cursors.get(parsed.name);
        if (!found) return this.runOnEngine(statement, parameterFormats, parameters, resultFormats);
        const fields = resultFormats.length > 0 ? withFormats(found.fields, resultFormats) : found.fields;
        return { fields: parsed.move ? null : fields, rows: [], tag: null, notices: [], isSelect: false, fetch: { cursor: found.cursor, count: parsed.count, move: parsed.move } };
      }
      case 'close':
        if (parsed.name === null) {
          await this.cursors.closeAll();
          return this.runOnEngine(statement, parameterFormats, parameters, resultFormats);
        }
        if (await this.cursors.close(parsed.name)) return done('CLOSE CURSOR');
        return this.runOnEngine(statement, parameterFormats, parameters, resultFormats);
    }
  }

  /** FETCH / MOVE: the rows asked for, as DataRows (none for MOVE), as the socket drains; the tag `FETCH n` / `MOVE n`. */
  private async sendFetch(fetch: NonNullable<Outcome['fetch']>, fields: FieldDescription[] | null): Promise<string> {
    const encode = (row: Row) => (fields ? encodeRow(row, fetch.cursor.columns, fields) : Buffer.alloc(0));
    const sent = await this.withSignal((signal) => fetch.cursor.pull(fetch.count, encode, (bytes) => this.send(bytes, signal)), fetch.cursor.controller);
    return `${fetch.move ? 'MOVE' : 'FETCH'} ${sent.rows}`;
  }

  /** OIDs of type names as PREPARE wrote them (`int`, `numeric(10,2)`, `timestamptz`), resolved by the engine. */
  private async typeOids(types: string[]): Promise<number[]> {
    const sql = `SELECT ${types.map((t) => `${quoteLiteral(t)}::regtype::oid::int4`).join(', ')}`;
    const messages = await this.ctx.engine.simpleQuery(this, sql);
    const error = messages.find((m) => m.type === 'E');
    if (error) throw new PgError(engineErrorFields(be.decodeErrorFields(error.body)));
    const row = messages.find((m) => m.type === 'D');
    return row ? be.decodeDataRow(row.body).map((v) => Number(v?.toString('utf8') ?? 0)) : [];
  }

  /**
   * SQL-level `EXECUTE name(args)`: the engine evaluates the arguments (any constant expression,
   * `$n` of this statement included), and the prepared statement runs with them as text parameters,
   * over Dynamics tables or catalogs, as a Bind of it would.
   */
  private async sqlExecute(statement: PreparedStatement, parameterFormats: FormatCode[], parameters: (Buffer | null)[], resultFormats: FormatCode[]): Promise<Outcome> {
    const parsed = parseExecute(statement.sql);
    const target = this.statementNamed(parsed.name);
    if (parsed.args.length !== target.parameterTypes.length) {
      throw new PgError({ severity: 'ERROR', code: '42601', message: `wrong number of parameters for prepared statement "${parsed.name}"`, detail: `Expected ${target.parameterTypes.length} parameters but got ${parsed.args.length}.` });
    }
    let values: (Buffer | null)[] = [];
    if (parsed.args.length > 0) {
      const messages = await this.ctx.engine.execute(this, `SELECT ${parsed.args.map((a) => `(${a})`).join(', ')}`, statement.parameterTypes, parameterFormats, parameters, []);
      const error = messages.find((m) => m.type === 'E');
      if (error) throw new PgError(engineErrorFields(be.decodeErrorFields(error.body)));
      const row = messages.find((m) => m.type === 'D');
      values = row ? be.decodeDataRow(row.body).map((v) => (v === null ? null : Buffer.from(v))) : [];
    }
    return this.run(target, [0], values, resultFormats);
  }

  /** CopyOutResponse, the header and one CopyData per row as the socket drains, CopyDone; the tag `COPY n`. */
  private async sendCopy(copy: CopyOut): Promise<string> {
    try {
      this.write(be.copyOutResponse(0, copy.fields.length));
      if (copy.options.header) this.write(be.copyData(copyHeader(copy.fields, copy.options)));
      const encode = (row: Row) => be.copyData(copyRow(row, copy.cursor.columns, copy.fields, copy.options));
      const sent = await this.withSignal((signal) => copy.cursor.pull(Number.POSITIVE_INFINITY, encode, (bytes) => this.send(bytes, signal)), copy.cursor.controller);
      this.write(be.copyDone());
      return `COPY ${sent.rows}`;
    } finally {
      await copy.cursor.close();
    }
  }

  /** The block ends: its transaction, now detached from the session; its SET LOCALs end, and its SETs too unless `committed`. */
  private endTransaction(committed: boolean): Transaction | undefined {
    const tx = this.tx;
    this.tx = undefined;
    this.blockStart = null;
    const before = [...this.setStatements].join('\n');
    if (!committed && this.settingsAtBegin) {
      this.settings.clear();
      for (const [name, sql] of this.settingsAtBegin) this.settings.set(name, sql);
    }
    this.settingsAtBegin = undefined;
    this.savepointSettings = [];
    this.localSettings.clear();
    // the engine holds the block's settings: it replays the session's own before its next statement
    if ([...this.setStatements].join('\n') !== before) this.ctx.engine.forget(this.id);
    return tx;
  }

  private async runOnEngine(statement: PreparedStatement, parameterFormats: FormatCode[], parameters: (Buffer | null)[], resultFormats: FormatCode[]): Promise<Outcome> {
    const messages = await this.asRunning((signal) => statement.pointed
      ? this.runWithSessions(statement, parameterFormats, parameters, resultFormats, signal)
      : this.ctx.engine.execute(this, statement.sql, statement.parameterTypes, parameterFormats, parameters, resultFormats, signal));
    const error = messages.find((m) => m.type === 'E');
    if (error) throw new PgError(engineErrorFields(be.decodeErrorFields(error.body), statement.pointed));
    const complete = messages.find((m) => m.type === 'C');
    const tag = complete ? complete.body.toString('utf8', 0, complete.body.length - 1) : null;
    const isSetting = statement.route.kind === 'engine' && statement.route.isSetting;
    if (isSetting) this.rememberSetting(statement.sql);
    const changes = isSetting || /\bset_config\b/i.test(statement.sql) ? await this.settingChanges() : [];
    return {
      fields: statement.fields ? withFormats(statement.fields, resultFormats) : null,
      rows: messages.filter((m) => m.type === 'D').map((m) => Buffer.from(m.bytes)),
      tag,
      notices: [...messages.filter((m) => m.type === 'N').map((m) => Buffer.from(m.bytes)), ...changes],
      isSelect: tag?.startsWith('SELECT') ?? false,
    };
  }

  /** The engine's current values of REPORTED_SETTINGS for this session. */
  private async reportedSettings(): Promise<Map<string, string>> {
    const messages = await this.ctx.engine.simpleQuery(this, REPORTED_SETTINGS_SQL);
    const row = messages.find((m) => m.type === 'D');
    const values = row ? be.decodeDataRow(row.body) : [];
    return new Map(REPORTED_SETTINGS.map((name, i) => [name, values[i]?.toString('utf8') ?? '']));
  }

  /**
   * After a statement that may change settings: ParameterStatus for each reported setting whose value
   * changed (pgJDBC and psql follow application_name, TimeZone, default_transaction_read_only this way).
   */
  private async settingChanges(): Promise<Buffer[]> {
    this.defaultReadOnly = undefined;
    const out: Buffer[] = [];
    for (const [name, value] of await this.reportedSettings()) {
      // results are always written in ISO (pg-types.ts): clients are told so whatever the engine holds
      if (name === 'DateStyle' && !value.toUpperCase().startsWith('ISO')) continue;
      if (this.reported.get(name) === value) continue;
      this.reported.set(name, value);
      out.push(be.parameterStatus(name, value));
    }
    if (this.defaultReadOnly === undefined) this.defaultReadOnly = this.reported.get('default_transaction_read_only') === 'on';
    return out;
  }

  /**
   * Whether a statement now runs read-only: in a block, the block's mode; outside, the session's
   * default_transaction_read_only (SET, SET SESSION CHARACTERISTICS, `-c` at startup).
   */
  private async readOnlyNow(): Promise<boolean> {
    if (this.tx) return this.blockReadOnly;
    if (this.defaultReadOnly === undefined) {
      const values = await this.reportedSettings();
      this.defaultReadOnly = values.get('default_transaction_read_only') === 'on';
    }
    return this.defaultReadOnly;
  }

  /**
   * A statement that reads `pg_stat_activity` or calls `pg_cancel_backend` & co. (session-activity.ts):
   * the engine sees the sessions as they are now; the cancels and terminations it granted are carried out
   * before the client gets its answer.
   */
  private async runWithSessions(statement: PreparedStatement, parameterFormats: FormatCode[], parameters: (Buffer | null)[], resultFormats: FormatCode[], signal: AbortSignal) {
    const context = contextStatement(this.ctx.activity(this), this.processId, this.user);
    const { messages, after } = await this.ctx.engine.executeBetween(
      this, context, statement.sql, SIGNALS_STATEMENT, statement.parameterTypes, parameterFormats, parameters, resultFormats, signal,
    );
    for (const request of signalsOf(after)) this.ctx.signal(request, this.user);
    return messages;
  }

  /**
   * Keeps the last `SET x ...` per setting, so replaying a session's settings stays short however
   * often a client sets one (`SET TIME ZONE 'UTC'` and `SET timezone = ...` are one setting).
   */
  private rememberSetting(sql: string): void {
    const name = settingName(sql);
    if (!name) return;
    this.settings.delete(name);
    // a session-level SET or RESET in the block replaces the block's SET LOCAL of it, as in Postgres
    this.localSettings.delete(name);
    if (leadingWords(sql, 1)[0] === 'set') this.settings.set(name, sql);
  }

  // ---- simple query protocol -------------------------------------------------------------------

  private async simpleQuery(text: string): Promise<void> {
    const statements = splitStatements(text);
    if (statements.length === 0) return this.write(be.emptyQueryResponse());
    for (const sql of statements) {
      try {
        const statement = await this.prepare(sql, []);
        const outcome = await this.run(statement, [], [], []);
        const cursor = outcome.cursor;
        if (cursor) {
          this.write(be.rowDescription(outcome.fields!));
          try {
            const sent = await this.withSignal((signal) => cursor.run(Number.POSITIVE_INFINITY, outcome.fields!, (bytes) => this.send(bytes, signal)), cursor.controller);
            this.write(be.commandComplete(`SELECT ${sent.rows}`));
          } finally {
            await cursor.close();
          }
          continue;
        }
        if (outcome.copy) {
          this.write(be.commandComplete(await this.sendCopy(outcome.copy)));
          continue;
        }
        if (outcome.fetch) {
          if (outcome.fields) this.write(be.rowDescription(outcome.fields));
          this.write(be.commandComplete(await this.sendFetch(outcome.fetch, outcome.fields)));
          continue;
        }
        this.write(Buffer.concat([
          ...outcome.notices,
          ...(outcome.fields ? [be.rowDescription(outcome.fields)] : []),
          ...outcome.rows,
          outcome.tag === null ? be.emptyQueryResponse() : be.commandComplete(outcome.tag),
        ]));
      } catch (error) {
        this.reportError(error);
        return;
      }
    }
  }

  // ---- extended query protocol -----------------------------------------------------------------

  private async extended(message: FrontendMessage): Promise<void> {
    switch (message.type) {
      case 'Parse': {
        if (message.name !== '' && this.statements.has(message.name)) {
          throw new PgError({ severity: 'ERROR', code: '42P05', message: `prepared statement "${message.name}" already exists` });
        }
        const statements = splitStatements(message.sql);
        if (statements.length > 1) throw new PgError({ severity: 'ERROR', code: '42601', message: 'cannot insert multiple commands into a prepared statement' });
        const statement = await this.prepare(statements[0] ?? '', message.parameterTypes);
        this.statements.set(message.name, statement);
        return this.write(be.parseComplete());
      }
      case 'Bind': {
        const statement = this.statementNamed(message.statement);
        if (message.portal !== '' && this.portals.has(message.portal)) {
          throw new PgError({ severity: 'ERROR', code: '42P03', message: `cursor "${message.portal}" already exists` });
        }
        const expected = statement.parameterTypes.length;
        if (statement.fields !== undefined && message.parameters.length !== expected) {
          throw new PgError({ severity: 'ERROR', code: '08P01', message: `bind message supplies ${message.parameters.length} parameters, but prepared statement "${message.statement}" requires ${expected}` });
        }
        // a new Bind of the unnamed portal replaces it: its statement stops
        this.dropPortal(message.portal);
        this.portals.set(message.portal, { statement, parameterFormats: message.parameterFormats, parameters: message.parameters, resultFormats: message.resultFormats, sent: 0 });
        return this.write(be.bindComplete());
      }
      case 'Describe': {
        if (message.target === 'S') {
          const statement = this.statementNamed(message.name);
          const types = statement.parameterTypes.map((t) => t || OID.text);
          return this.write(Buffer.concat([be.parameterDescription(types), statement.fields ? be.rowDescription(statement.fields) : be.noData()]));
        }
        // a DECLAREd cursor is a portal too (psycopg describes its named cursors so)
        const declared = this.portals.has(message.name) ? undefined : this.cursors.get(message.name);
        if (declared) return this.write(be.rowDescription(declared.fields));
        const portal = this.portalNamed(message.name);
        let fields: FieldDescription[] | null;
        if (portal.statement.route.kind === 'engine') {
          fields = portal.statement.fields ? withFormats(portal.statement.fields, portal.resultFormats) : null;
        } else if (portal.statement.route.kind === 'transaction') {
          // no rows; run at Execute (a COMMIT run here would close its own portal with the block's: psycopg describes every portal)
          fields = null;
        } else {
          // Translator statements run here, so the description is that of the real result.
          portal.outcome ??= await this.run(portal.statement, portal.parameterFormats, portal.parameters, portal.resultFormats);
          fields = portal.outcome.fields;
        }
        return this.write(fields ? be.rowDescription(fields) : be.noData());
      }
      case 'Execute': {
        const portal = this.portalNamed(message.portal);
        this.markActive(portal.statement.clientSql);
        const outcome = (portal.outcome ??= await this.run(portal.statement, portal.parameterFormats, portal.parameters, portal.resultFormats));
        const limit = message.maxRows > 0 ? message.maxRows : Number.MAX_SAFE_INTEGER;
        const cursor = outcome.cursor;
        if (cursor) {
          // only the rows asked for are computed; the rest wait for the next Execute
          let run;
          try {
            run = await this.withSignal((signal) => cursor.run(limit, outcome.fields!, (bytes) => this.send(bytes, signal)), cursor.controller);
          } catch (error) {
            this.dropPortal(message.portal);
            throw error;
          }
          portal.sent += run.rows;
          return this.write(run.done ? be.commandComplete(`SELECT ${run.rows}`) : be.portalSuspended());
        }
        if (outcome.copy) {
          const copy = outcome.copy;
          outcome.copy = undefined;
          return this.write(be.commandComplete(await this.sendCopy(copy)));
        }
        if (outcome.fetch) {
          const fetch = outcome.fetch;
          outcome.fetch = undefined;
          return this.write(be.commandComplete(await this.sendFetch(fetch, outcome.fields)));
        }
        const out: Buffer[] = portal.sent === 0 ? [...outcome.notices] : [];
        const rows = outcome.rows.slice(portal.sent, portal.sent + limit);
        portal.sent += rows.length;
        out.push(...rows);
        if (portal.sent < outcome.rows.length) out.push(be.portalSuspended());
        else if (outcome.tag === null) out.push(be.emptyQueryResponse());
        else out.push(be.commandComplete(outcome.isSelect ? `SELECT ${rows.length}` : outcome.tag));
        return this.write(Buffer.concat(out));
      }
      case 'Close':
        if (message.target === 'S') this.statements.delete(message.name);
        else this.dropPortal(message.name);
        return this.write(be.closeComplete());
      default:
        throw new ProtocolViolation(`unexpected ${message.type} message`);
    }
  }

  private statementNamed(name: string): PreparedStatement {
    const statement = this.statements.get(name);
    if (!statement) throw new PgError({ severity: 'ERROR', code: '26000', message: `prepared statement "${name}" does not exist` });
    return statement;
  }

  private portalNamed(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new PgError({ severity: 'ERROR', code: '34000', message: `portal "${name}" does not exist` });
    return portal;
  }
}

const WRITE_WORDS = new Set(['insert', 'update', 'delete', 'merge']);

/** SELECT, VALUES, TABLE and a WITH that writes nothing: the statements whose rows are streamed (anything else is answered whole) */
function isPlainQuery(sql: string): boolean {
  const first = leadingWords(sql, 1)[0];
  if (first === 'with') return !tokenize(sql).some((t) => t.kind === 'word' && WRITE_WORDS.has(t.value));
  return first === 'select' || first === 'values' || first === 'table';
}

/** A write refused in a read-only block or session, worded as Postgres words it (SQLSTATE 25006). */
function readOnlyError(error: unknown, sql: string): unknown {
  if (!(error instanceof DynasqlError) || error.code !== 'DYNASQL_ERR_READ_ONLY_CONNECTION') return error;
  const command = (leadingWords(sql, 1)[0] ?? 'statement').toUpperCase();
  return new PgError({ severity: 'ERROR', code: '25006', message: `cannot execute ${command} in a read-only transaction` });
}

/** INSERT, UPDATE, DELETE, MERGE, and a WITH with one of them */
function isWrite(sql: string): boolean {
  const first = leadingWords(sql, 1)[0] ?? '';
  if (first === 'with') return !isPlainQuery(sql);
  return WRITE_WORDS.has(first);
}

function planField(): FieldDescription {
  return { name: 'QUERY PLAN', tableOid: 0, columnNumber: 0, typeOid: OID.text, typeSize: -1, typeModifier: -1, format: 0 };
}
