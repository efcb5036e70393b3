/**
 * Stable error codes. Code branches on these, never on messages. Each code carries the SQLSTATE the
 * pgwire adapter reports, so a Postgres client sees a familiar class (42P01 for an unknown table, ...).
 * Add codes here, never rename one: users match on them.
 */
export const ERROR_CODES = {
  // configuration
  DYNASQL_ERR_CONFIG: '08001',
  DYNASQL_ERR_CONFIG_UNKNOWN_SETTING: '08001',
  DYNASQL_ERR_CONFIG_INSECURE_URL: '08001',
  /** a statement, stream or transaction used after `close()` */
  DYNASQL_ERR_CLOSED: '08003',
  // SQL text
  DYNASQL_ERR_SYNTAX: '42601',
  DYNASQL_ERR_UNSUPPORTED_SQL: '0A000',
  DYNASQL_ERR_UNKNOWN_TABLE: '42P01',
  DYNASQL_ERR_UNKNOWN_COLUMN: '42703',
  DYNASQL_ERR_AMBIGUOUS_COLUMN: '42702',
  /** a column outside both the aggregates and GROUP BY, an aggregate inside an aggregate, ORDER BY outside a DISTINCT select list (SQL Server's Msg 8120, 130, 145) */
  DYNASQL_ERR_GROUPING: '42803',
  /** a write's target table named more than once where the dialect cannot tell which reference is meant */
  DYNASQL_ERR_AMBIGUOUS_TABLE: '42712',
  DYNASQL_ERR_UNKNOWN_PROCEDURE: '42883',
  DYNASQL_ERR_TYPE: '42804',
  DYNASQL_ERR_PARAMETER: '22023',
  DYNASQL_ERR_READ_ONLY_COLUMN: '42809',
  DYNASQL_ERR_VALUE_TOO_LONG: '22001',
  /** evaluating the statement: a division by zero, a value that does not convert, an overflow, a bad function argument */
  DYNASQL_ERR_DIVIDE_BY_ZERO: '22012',
  DYNASQL_ERR_CONVERSION: '22018',
  DYNASQL_ERR_OVERFLOW: '22003',
  DYNASQL_ERR_INVALID_ARGUMENT: '22023',
  DYNASQL_ERR_NOT_NULL: '23502',
  /** a recursive CTE went deeper than OPTION (MAXRECURSION n) allows (T-SQL's default 100; SQL Server's Msg 530) */
  DYNASQL_ERR_MAX_RECURSION: '54001',
  // safety
  DYNASQL_ERR_UNSAFE_WRITE: '42501',
  DYNASQL_ERR_READ_ONLY_CONNECTION: '25006',
  DYNASQL_ERR_MAX_ROWS_AFFECTED: '54000',
  /** the Postgres adapter's catalog engine (PGlite, started by the first catalog statement) did not start; the next such statement tries again */
  DYNASQL_ERR_CATALOG_ENGINE: '58000',
  // metadata
  DYNASQL_ERR_METADATA: 'XX001',
  // service and transport
  DYNASQL_ERR_SERVICE: 'XX000',
  DYNASQL_ERR_NOT_FOUND: '02000',
  DYNASQL_ERR_CONCURRENCY: '40001',
  DYNASQL_ERR_DUPLICATE: '23505',
  DYNASQL_ERR_THROTTLED: '53400',
  DYNASQL_ERR_AUTH: '28000',
  DYNASQL_ERR_FORBIDDEN: '42501',
  DYNASQL_ERR_NETWORK: '08006',
  DYNASQL_ERR_TIMEOUT: '57014',
  DYNASQL_ERR_CANCELLED: '57014',
  /** a local step needed more memory than Local Memory Limit and could not spill enough to Local Temp Directory */
  DYNASQL_ERR_LOCAL_MEMORY: '53200',
  DYNASQL_ERR_PARTIAL_WRITE: '40002',
  /** an atomic write larger than one $batch change set (1,000 operations on Dataverse) */
  DYNASQL_ERR_ATOMIC_LIMIT: '54000',
  DYNASQL_ERR_AGGREGATE_LIMIT: '54000',
  /** `conn.changes()` / `changes()` of a table whose change tracking is off (the service's 0x80072491), or on an edition without it */
  DYNASQL_ERR_CHANGE_TRACKING_OFF: '55000',
  /** a change token the service no longer honours (expired, or unknown to it: the service's 0x80044352): read again without one */
  DYNASQL_ERR_CHANGE_TOKEN_EXPIRED: '22023',
  /** a statement a transaction cannot hold (an action, CONTINUE_ON_ERROR), or transaction control out of place */
  DYNASQL_ERR_TRANSACTION: '25001',
  DYNASQL_ERR_INTERNAL: 'XX000',
  /** `dynasql sync`: the target (DuckDB file, Parquet folder, PostgreSQL database) could not be opened or written */
  DYNASQL_ERR_SYNC_TARGET: '58030',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
