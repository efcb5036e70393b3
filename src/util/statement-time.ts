/**
 * The reference of the hidden parameter that holds a statement's instant. PostgreSQL's `now()`,
 * `current_timestamp` and `current_date` read it (sql/normalize.ts turns them into it), and the
 * connection gives it one value per statement, taken when the statement starts: every use in the
 * statement sees the same instant, whether the service compares with it (`createdon >= now() -
 * interval '7 days'` sent as one `$filter`) or the local engine computes with it. No parameter a user
 * writes can have this name (`$n` are numbers; `@name` cannot hold a NUL).
 */
export const STATEMENT_TIME = '\u0000statement_time';
