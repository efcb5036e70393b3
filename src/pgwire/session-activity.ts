/**
 * The adapter's client sessions as Postgres clients look for them: `pg_stat_activity` lists them (the
 * catalog engine's own single backend is no client's), and `pg_backend_pid()`, `pg_cancel_backend(pid)`
 * and `pg_terminate_backend(pid)` act on them, in whatever statement a tool writes, for example
 * DBeaver's and pgAdmin's
 *   SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()
 *
 * How: the catalog engine holds a schema `dynasql_session` with a view and functions of those names
 * (`sessionActivityDdl`); a statement's references to them are pointed there (`pointAtSessions`); in the
 * statement's own implicit transaction the session first stores the sessions' rows, its pid and its user
 * in transaction-local settings (`contextStatement`); the functions read them, refuse another user's
 * session as Postgres does, and append each granted request to a setting the session reads right after
 * the statement (`SIGNALS_STATEMENT`, `signalsOf`) and carries out. Nothing of it outlives the transaction.
 */
import { quoteIdent, quoteLiteral } from './catalog-mirror.js';
import { tokenize } from './sql-text.js';

export const SESSION_SCHEMA = 'dynasql_session';

/** One row of `pg_stat_activity`, as the session that asks may see it (null: not shown). */
export interface ActivityRow {
  pid: number;
  usename: string;
  application_name: string | null;
  client_addr: string | null;
  client_port: number | null;
  backend_start: string | null;
  xact_start: string | null;
  query_start: string | null;
  state_change: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  state: string | null;
  query: string;
  backend_type: 'client backend';
}

/** What a granted `pg_cancel_backend` / `pg_terminate_backend` asks of the session with `pid`. */
export interface SignalRequest {
  action: 'cancel' | 'terminate';
  pid: number;
}

const FUNCTIONS = new Set(['pg_backend_pid', 'pg_cancel_backend', 'pg_terminate_backend']);
const VIEW = 'pg_stat_activity';

/**
 * The schema, view and functions, made before the engine drops to `readerRole`. The view has
 * pg_stat_activity's columns (Postgres 18) and types; the database is the engine's current one, so
 * pgAdmin's `WHERE datname = current_database()` finds the sessions.
 */
export function sessionActivityDdl(readerRole: string): string {
  const s = quoteIdent(SESSION_SCHEMA);
  const rows = `json_populate_recordset(NULL::pg_catalog.pg_stat_activity, coalesce(nullif(current_setting('dynasql.sessions', true), ''), '[]')::json)`;
  const signal = (name: string, action: SignalRequest['action'], signature: string, denied: string) => `
CREATE FUNCTION ${s}.${name}(${signature}) RETURNS boolean LANGUAGE plpgsql VOLATILE STRICT AS $fn$
DECLARE
  owner text;
BEGIN
  SELECT a.usename INTO owner FROM ${s}.pg_stat_activity a WHERE a.pid = $1;
  IF NOT FOUND THEN
    RAISE WARNING USING MESSAGE = format('PID %s is not a PostgreSQL backend process', $1), ERRCODE = '01000';
    RETURN false;
  END IF;
  IF owner IS DISTINCT FROM current_setting('dynasql.user', true) THEN
    RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(denied)}, ERRCODE = '42501',
      DETAIL = 'Only the user who started a session may stop its statements or end it.';
  END IF;
  PERFORM set_config('dynasql.signals', concat_ws(',', nullif(current_setting('dynasql.signals', true), ''), '${action}:' || $1), true);
  RETURN true;
END
$fn$;`;
  return [
    `CREATE SCHEMA ${s};`,
    `CREATE VIEW ${s}.pg_stat_activity AS SELECT d.oid AS datid, d.datname, a.pid, a.leader_pid, a.usesysid, a.usename,
       a.application_name, a.client_addr, a.client_hostname, a.client_port, a.backend_start, a.xact_start, a.query_start,
       a.state_change, a.wait_event_type, a.wait_event, a.state, a.backend_xid, a.backend_xmin, a.query_id, a.query, a.backend_type
     FROM ${rows} a LEFT JOIN pg_catalog.pg_database d ON d.datname = current_database();`,
    `CREATE FUNCTION ${s}.pg_backend_pid() RETURNS integer LANGUAGE sql STABLE AS $fn$ SELECT coalesce(nullif(current_setting('dynasql.pid', true), ''), '0')::integer $fn$;`,
    signal('pg_cancel_backend', 'cancel', 'integer', 'permission denied to cancel query'),
    signal('pg_terminate_backend', 'terminate', 'integer, bigint DEFAULT 0', 'permission denied to terminate process'),
    `GRANT USAGE ON SCHEMA ${s} TO ${readerRole};`,
    `GRANT SELECT ON ${s}.pg_stat_activity TO ${readerRole};`,
  ].join('\n');
}

/** A statement pointed at the session schema, and the way back to the client's text for error positions. */
export interface PointedStatement {
  sql: string;
  /** a 1-based position in `sql` → the same place in the client's text */
  clientPosition(position: number): number;
}

/**
 * Points the statement's references to `pg_stat_activity` and to the three functions (bare or
 * `pg_catalog.`-qualified; functions only where called) at the session schema; undefined when it has
 * none. `pg_stat_activity.pid` (the relation's name used as a qualifier) and `x.pg_backend_pid` are left.
 * Example: `select pid from pg_catalog.pg_stat_activity` → `select pid from dynasql_session.pg_stat_activity`.
 */
export function pointAtSessions(sql: string): PointedStatement | undefined {
  const tokens = tokenize(sql);
  const edits: { start: number; end: number; text: string }[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'word') return;
    const isFunction = FUNCTIONS.has(t.value) && tokens[i + 1]?.text === '(';
    const isView = t.value === VIEW && tokens[i + 1]?.text !== '.';
    if (!isFunction && !isView) return;
    const qualifier = tokens[i - 1]?.text === '.' ? tokens[i - 2] : undefined;
    if (qualifier && !(qualifier.kind === 'word' && qualifier.value === 'pg_catalog')) return;
    const start = qualifier ? qualifier.start : t.start;
    edits.push({ start, end: t.start, text: `${SESSION_SCHEMA}.` });
  });
  if (edits.length === 0) return undefined;
  let out = '';
  let from = 0;
  /** where each edit ends in the rewritten text, and how much longer it made the text */
  const shifts: { at: number; by: number }[] = [];
  for (const e of edits) {
    out += sql.slice(from, e.start) + e.text;
    shifts.push({ at: out.length, by: e.text.length - (e.end - e.start) });
    from = e.end;
  }
  out += sql.slice(from);
  return {
    sql: out,
    clientPosition: (position) => position - shifts.filter((s) => s.at < position).reduce((sum, s) => sum + s.by, 0),
  };
}

/** Run before the client's statement, in its transaction: the sessions' rows, the asking session's pid and user. */
export function contextStatement(rows: readonly ActivityRow[], pid: number, user: string): string {
  const set = (name: string, value: string) => `set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, true)`;
  return `SELECT ${[set('dynasql.sessions', JSON.stringify(rows)), set('dynasql.pid', String(pid)), set('dynasql.user', user), set('dynasql.signals', '')].join(', ')}`;
}

/** Run after the client's statement, in its transaction: the requests its functions granted. */
export const SIGNALS_STATEMENT = `SELECT current_setting('dynasql.signals', true)`;

/** `cancel:7,terminate:9` → the requests, in order */
export function signalsOf(value: string | null): SignalRequest[] {
  if (!value) return [];
  return value.split(',').flatMap((item) => {
    const m = /^(cancel|terminate):(\d+)$/.exec(item);
    return m ? [{ action: m[1] as SignalRequest['action'], pid: Number(m[2]) }] : [];
  });
}
