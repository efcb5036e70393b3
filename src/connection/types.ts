/**
 * The public library API's shapes. `connect()` in src/index.ts returns a `Connection`.
 * The CLI and the pgwire adapter use nothing but these.
 */
import type { Catalog, Table } from '../catalog/types.js';
import type { CustomTokenFunction } from '../config/index.js';
import type { ChoiceLabel } from './choice-options.js';
import type { EntityApi } from './entity-api.js';

export type { EntityApi, EntityKey, EntityListOptions, JsonPayload } from './entity-api.js';
export type { ChoiceLabel } from './choice-options.js';

/** A value in a row: numbers, strings, booleans, Date, decimals as strings (no precision loss), GUID strings, null. */
export type SqlValue = string | number | boolean | bigint | Date | null | Uint8Array;

export type Row = Record<string, SqlValue>;

export interface ResultColumn {
  name: string;
  /** SQL type name as in sys_tablecolumns (`nvarchar`, `decimal`, `uniqueidentifier` ...) */
  type: string;
  precision?: number;
  scale?: number;
  length?: number;
}

/**
 * A statement's answer. `R` types the rows for the caller (`conn.query<Account>(…)`); it is not
 * checked against the columns at run time.
 */
export interface QueryResult<R extends object = Row> {
  columns: ResultColumn[];
  rows: R[];
  /** rows returned for a query; rows actually affected for a write */
  rowCount: number;
  /** the statement kind (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `UPSERT`, `EXEC`, `EXPLAIN`) */
  command: string;
  /** rows that failed in a continue-on-error write: key, code, message (and the row's 0-based position in the statement) */
  failures?: { key?: unknown; code: string; message: string; row?: number; serviceCode?: string }[];
  warnings?: string[];
}

/** Named parameters (`@name`) as an object, positional ones (`$1`, `?`) as an array. */
export type QueryParams = Record<string, unknown> | readonly unknown[];

export interface QueryOptions {
  signal?: AbortSignal;
  /** overrides the connection's SQL dialect for this statement */
  dialect?: SqlDialect;
  /** called as work progresses (pages, rows, requests, throttling waits), for progress displays */
  onProgress?: (progress: Progress) => void;
  /** options of a write statement (INSERT / UPSERT / UPDATE / DELETE); see WriteOptions */
  write?: WriteOptions;
  /** `stream()` only: called once with the result's columns, before the first row (also when there is none) */
  onColumns?: (columns: ResultColumn[]) => void;
  /**
   * refuse this statement if it would write (INSERT/UPDATE/DELETE/UPSERT, an action) with
   * DYNASQL_ERR_READ_ONLY_CONNECTION, as Read Only=true does for the whole connection (the pgwire
   * adapter's read-only sessions: `SET default_transaction_read_only = on`)
   */
  readOnly?: boolean;
  /**
   * `stream()` of a statement the service answers alone: false reads each next page only when the
   * caller reaches it, instead of one page ahead (the pgwire adapter's cursors: FETCH n pages the
   * service no further than its rows need). Default true.
   */
  readAhead?: boolean;
  /**
   * Tables whose rows the caller holds (the pgwire adapter's temporary tables): the statement binds
   * them ahead of the catalog's tables (one named like a Dynamics table hides it, as PostgreSQL's
   * `pg_temp` does) and reads their rows locally, never from the service.
   */
  localTables?: LocalTables;
}

/**
 * A caller's own tables for one statement (QueryOptions.localTables). `rows(name)` gives a table's rows
 * as objects keyed by column name, with the values the driver hands out (numbers, decimal text,
 * `Date`s, GUID text, `Uint8Array`). A new `tables` array whenever the tables or their rows change:
 * plans made over the old one are not reused.
 */
export interface LocalTables {
  tables: readonly Table[];
  rows(name: string): readonly Record<string, unknown>[];
}

/**
 * Per-statement write options; the same words also work in SQL as a trailing
 * `OPTION (ATOMIC, CONTINUE_ON_ERROR, OPTIMISTIC, BYPASS_PLUGINS, …)`.
 */
export interface WriteOptions {
  /** all or nothing, in one $batch change set (default: the connection's Atomic setting) */
  atomic?: boolean;
  /** return the rows that failed in `failures` instead of throwing DYNASQL_ERR_PARTIAL_WRITE */
  continueOnError?: boolean;
  /** UPDATE/DELETE send each row's etag as If-Match; a row changed since it was read fails with DYNASQL_ERR_CONCURRENCY */
  optimistic?: boolean;
  /** the etag a by-key UPDATE/DELETE must match (If-Match), for rows read earlier */
  etag?: string;
  /** `MSCRM.BypassCustomPluginExecution: true` (default: the connection's Bypass Plugins setting) */
  bypassPlugins?: boolean;
  /** `MSCRM.BypassBusinessLogicExecution: CustomSync,CustomAsync` (default: the connection's Bypass Business Logic setting) */
  bypassBusinessLogic?: boolean;
  /** `MSCRM.SuppressDuplicateDetection: true` (default: the connection's setting) */
  suppressDuplicateDetection?: boolean;
}

export type SqlDialect = 'tsql' | 'postgresql';

export interface Progress {
  rows: number;
  pages: number;
  requests: number;
  throttledMs: number;
  elapsedMs: number;
}

export interface Connection extends AsyncDisposable {
  /** runs one statement; `query<Account>(…)` types the rows (see QueryResult) */
  query<R extends object = Row>(sql: string, params?: QueryParams, options?: QueryOptions): Promise<QueryResult<R>>;
  /** rows as they arrive; pages are pulled on demand; `stream<Account>(…)` types them */
  stream<R extends object = Row>(sql: string, params?: QueryParams, options?: QueryOptions): AsyncIterable<R>;
  /** the plan: each remote request and each local step, and why anything did not push down */
  explain(sql: string, params?: QueryParams, options?: QueryOptions): Promise<string>;
  /** the org's catalog as loaded */
  catalog(): Promise<Catalog>;
  /** the entity model API for one table (`conn.entity('leads').get(id)`): see connection/entity-api.ts */
  entity(name: string): EntityApi;
  /**
   * The rows of a table with change tracking, then only what changed since a token: without `since`
   * every row as an upsert, with the token of an earlier read's `end` record the rows created or
   * updated since (their current values) and the keys deleted since. Always ends with an `end`
   * record carrying the token for the next call (connection/changes.ts):
   *
   *   for await (const change of conn.changes('account', { since: token, columns: ['accountid', 'name'] })) …
   *
   * Ask for the same columns with a token as in the read that gave it (the token continues that read).
   * A table without change tracking fails with DYNASQL_ERR_CHANGE_TRACKING_OFF; a token the service no
   * longer honours (expired, or unknown to it) with DYNASQL_ERR_CHANGE_TOKEN_EXPIRED: read again without it.
   */
  changes(table: string, options?: ChangesOptions): AsyncIterable<ChangeRecord>;
  /**
   * A choice column's numbers and labels in the user's language (`conn.choiceOptions('account',
   * 'industrycode')` → `[{ value: 1, label: 'Accounting' }, …]`): a Dataverse choice or yes/no column's
   * from the metadata API (one request the first time, then kept), a Finance & Operations enum's from the
   * catalog; null when the column is no choice or the service gives none (connection/choice-options.ts).
   */
  choiceOptions(table: string, column: string, options?: { signal?: AbortSignal }): Promise<readonly ChoiceLabel[] | null>;
  /**
   * Runs an action or function with its parameters as a JSON object and answers its JSON (annotations
   * dropped; null when it returns nothing): `conn.action('WhoAmI')`, `conn.action('QualifyLead',
   * {Target: 'leads(<id>)', CreateAccount: true, CreateContact: false, CreateOpportunity: false, Status: 3})`.
   */
  action(name: string, payload?: Record<string, unknown>, options?: QueryOptions): Promise<unknown>;
  /**
   * A transaction of its own, beside the connection's (several can be open on one connection, as the
   * pgwire adapter's sessions do): see Transaction. `BEGIN TRAN` … `COMMIT` through `query` opens and
   * ends the connection's own one.
   */
  begin(options?: { readOnly?: boolean }): Transaction;
  /** the transaction `BEGIN TRAN` opened through `query`, while it is open (the REPL shows it in its prompt) */
  readonly transaction: Transaction | undefined;
  close(): Promise<void>;
  /** `await using conn = await connect(…)` closes the connection at the end of the block */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * All or nothing, as a database transaction: its writes are checked and lowered when they run (rows
 * they touch are read then, so each statement's rowCount is exact), held, and sent at `commit()` in
 * one `$batch` change set, which the service applies whole or not at all. `rollback()` sends nothing.
 *
 * Differences from a database's transaction, by design: reads inside it do not see its own held
 * writes; a row another client changes or deletes between a statement and COMMIT makes the COMMIT
 * fail whole; at most one change set's worth of operations (1,000 on Dataverse); actions (EXEC of a
 * POST operation, Associate, Disassociate) are refused inside it, since they would run at once.
 */
export interface Transaction extends AsyncDisposable {
  /** a statement in the transaction: SELECT, writes, functions, `SAVEPOINT`/`ROLLBACK TO`/`RELEASE`, `COMMIT`, `ROLLBACK` */
  query<R extends object = Row>(sql: string, params?: QueryParams, options?: QueryOptions): Promise<QueryResult<R>>;
  /** sends the held writes as one change set; rowCount is every row written; on failure nothing was written */
  commit(options?: { signal?: AbortSignal }): Promise<QueryResult>;
  /** drops the held writes (nothing was sent) */
  rollback(): void;
  /** row operations held for COMMIT */
  readonly pendingOperations: number;
  /** false once committed or rolled back */
  readonly isOpen: boolean;
  /** `await using tx = conn.begin()`: a transaction still open at the end of the block is rolled back (nothing is sent) */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of `conn.changes()`. */
export interface ChangesOptions {
  /** a token from an earlier read's `end` record; absent = the initial full read */
  since?: string;
  /** the table's columns (SQL names as in SELECT); absent = all readable columns (those of `SELECT *`) */
  columns?: string[];
  signal?: AbortSignal;
  /** called as pages arrive (rows, pages, requests, throttling waits), as QueryOptions.onProgress */
  onProgress?: (progress: Progress) => void;
  /** rows per page asked of the service (`Prefer: odata.maxpagesize`); default the connection's Page Size */
  pageSize?: number;
}

/**
 * One record of `conn.changes()`: a row created or updated (its current values, typed as `query()`
 * rows are), a row deleted (its key only), and last the token for the next call.
 */
export type ChangeRecord =
  | { kind: 'upsert'; key: string; row: Record<string, unknown> }
  | { kind: 'delete'; key: string }
  | { kind: 'end'; token: string };

/** what `connect()` returns (the same as Connection now that `action` is required; kept for existing imports) */
export type ConnectedConnection = Connection;

/**
 * The connection settings as an object: each key is a setting's name in camelCase (`Organization
 * URL` → `organizationUrl`, `Auth Scheme` → `authScheme`), so a misspelt key does not compile.
 * Values as in the connection string, typed; seconds stay seconds (`timeout: 30`). Every setting,
 * its aliases and its default: src/config/README.md. A test checks these keys against the settings table.
 */
export type ConnectionSettings = {
  organizationUrl: string;
  edition?: 'Dataverse' | 'Sales' | 'CustomerService' | 'FieldService' | 'Marketing' | 'ProjectOperations' | 'FinOpsOnline' | 'FinOpsOnPremise';
  apiVersion?: '9.0' | '9.1' | '9.2';
  authScheme?: 'ClientSecret' | 'ClientCertificate' | 'AuthCode' | 'DeviceCode' | 'RefreshToken' | 'AccessToken' | 'ADFS' | 'None';
  azureTenant?: string;
  azureEnvironment?: 'Global' | 'China' | 'USGovernment' | 'USGovernmentHigh' | 'USGovernmentDoD';
  authorityHost?: string;
  clientId?: string;
  clientSecret?: string;
  /** a PEM or PFX file, or the PEM text */
  certificate?: string;
  certificatePassword?: string;
  certificateThumbprint?: string;
  redirectUri?: string;
  callbackPort?: number;
  accessToken?: string;
  refreshToken?: string;
  adfsServer?: string;
  tokenCacheFile?: string;
  crossCompany?: boolean;
  includeFormattedValues?: boolean;
  includeNavigationProperties?: boolean;
  useDynamicStoredProcedures?: boolean;
  pageSize?: number;
  pushdown?: boolean;
  /** `auto` | `odata` | `fetchxml` (see src/config/README.md, Remote Language) */
  remoteLanguage?: 'auto' | 'odata' | 'fetchxml';
  /** integers come back as BigInt instead of number (or string past 2^53) */
  useBigInt?: boolean;
  /** the local engine's memory limit before it spills to disk (`512MB`, `2GB`) */
  localMemoryLimit?: string;
  /** where the local engine spills (created on demand, removed at close) */
  localTempDirectory?: string;
  verbosity?: 1 | 2 | 3 | 4 | 5;
  logFile?: string;
  maxConcurrency?: number;
  /** `'auto'` | `'off'` | 2..64: ranges a long read is read as at once (see src/config/README.md, Parallel Reads) */
  parallelReads?: 'auto' | 'off' | number;
  requestsPerSecond?: number;
  nodes?: number;
  /** a Redis URL (`redis://host:6379/0`) where processes of the same org and user share one service-protection budget */
  throttleStore?: string;
  /** seconds per request */
  timeout?: number;
  /** seconds per statement; 0 = none */
  statementTimeout?: number;
  maxRetries?: number;
  /** seconds of retrying per request */
  retryBudget?: number;
  proxy?: string;
  useEnvProxy?: boolean;
  caFile?: string;
  readOnly?: boolean;
  allowUnsafeWrites?: boolean;
  maxRowsAffected?: number;
  atomic?: boolean;
  bypassPlugins?: boolean;
  bypassBusinessLogic?: boolean;
  suppressDuplicateDetection?: boolean;
  /** your own sign-in: called for each token (object form only) */
  tokenProvider?: CustomTokenFunction;
  /** receives each log line (object form only) */
  logSink?: (line: string) => void;
};
