/**
 * Decides where one statement runs:
 * - over Dynamics tables only (every relation in its generic plan is a mirror table) → the translator;
 * - `CALL name(...)` → the translator; `EXPLAIN` of a Dynamics statement → `Connection.explain`;
 * - `COPY`, cursors over Dynamics tables, SQL-level PREPARE / EXECUTE: the session, which routes their
 *   queries as any other;
 * - transaction control, `DISCARD`, `RESET ALL`, `DEALLOCATE` → the session itself;
 * - anything else (pg_catalog, information_schema, SET, SHOW, version() ...) → the catalog engine.
 * Example: `select name from emulator.account where revenue > $1` → dynamics;
 * `select relname from pg_class` → engine; `select 1` → engine (no relations).
 */
import type { CatalogEngine, EngineError, EngineSession } from './catalog-engine.js';
import { leadingWords, tokenize } from './sql-text.js';
import { isCreateTempTable, selectIntoTemp, writeTarget } from './temp-table-statements.js';

export type Route =
  | { kind: 'empty' }
  | { kind: 'engine'; /** a SET / RESET to replay when this session's settings are restored */ isSetting: boolean }
  | { kind: 'dynamics' }
  | { kind: 'call' }
  | { kind: 'explain'; statement: string }
  | { kind: 'transaction'; action: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo' }
  | { kind: 'reset' }
  /** `SET TRANSACTION …`: the block's access mode, kept by the session */
  | { kind: 'setTransaction' }
  /** `COPY … TO STDOUT` (copy-statement.ts); its query is routed by the session */
  | { kind: 'copy' }
  /** DECLARE over Dynamics tables, FETCH, MOVE, CLOSE: the session's cursors (sql-cursors.ts) */
  | { kind: 'cursor' }
  /** SQL-level PREPARE / EXECUTE: the session keeps them with the protocol's prepared statements */
  | { kind: 'sqlPrepare' }
  | { kind: 'sqlExecute' }
  | { kind: 'deallocate'; name: string | null }
  /** CREATE TEMP TABLE, and INSERT / UPDATE / DELETE / TRUNCATE / DROP of a temporary table: the session's temp tables (temp-tables.ts) */
  | { kind: 'tempTable' }
  | { kind: 'refused'; code: string; message: string };

/** What the router knows about the mirror. */
export interface MirrorNames {
  /** the org schema (tables are there and in `public`) */
  schema: string;
  /** lower-cased table and entity-set names */
  tableNames: ReadonlySet<string>;
  /** lower-cased names of the service's functions, callable in FROM as table-valued functions (`RetrieveVersion()`) */
  functionNames: ReadonlySet<string>;
}

const QUERY_WORDS = new Set(['select', 'with', 'insert', 'update', 'delete', 'merge', 'values', 'table']);

const isEngineError = (v: unknown): v is EngineError => typeof v === 'object' && v !== null && 'fields' in v && !Array.isArray(v);

function transactionRoute(words: string[]): Route | undefined {
  const [first, second] = words;
  switch (first) {
    case 'begin':
    case 'start':
      return { kind: 'transaction', action: 'begin' };
    case 'commit':
    case 'end':
      return { kind: 'transaction', action: 'commit' };
    case 'abort':
      return { kind: 'transaction', action: 'rollback' };
    case 'rollback':
      if (words.includes('to')) return { kind: 'transaction', action: 'rollbackTo' };
      return second === 'prepared' ? undefined : { kind: 'transaction', action: 'rollback' };
    case 'savepoint':
      return { kind: 'transaction', action: 'savepoint' };
    case 'release':
      return { kind: 'transaction', action: 'release' };
    default:
      return undefined;
  }
}

/** Statements that would let a client leave the engine's read-only role, or run code in it. */
function refusal(words: string[], sql: string): Route | undefined {
  const [first, second, third] = words;
  const touchesRole =
    ((first === 'set' || first === 'reset') && (second === 'role' || second === 'session' && third === 'authorization')) ||
    (first === 'set' && (second === 'session' || second === 'local') && (third === 'role' || third === 'session'));
  const mentionsAuthorization = first !== 'show' && tokenize(sql).some((t) => t.kind !== 'number' && /session_authorization/i.test(t.value));
  if (touchesRole || mentionsAuthorization) {
    return { kind: 'refused', code: '42501', message: 'changing the session role is not allowed on a dynasql server' };
  }
  if (first === 'do') return { kind: 'refused', code: '0A000', message: 'DO blocks are not supported on a dynasql server' };
  return undefined;
}

/**
 * True when the statement names a Dynamics table, or calls one of the service's functions
 * (`select * from RetrieveVersion()`, which the mirror does not declare), so the translator runs it or
 * its error explains a failure best.
 */
function mentionsDynamics(sql: string, names: MirrorNames, tempNames: ReadonlySet<string>): boolean {
  const tokens = tokenize(sql);
  return tokens.some((t, i) => {
    if (t.kind !== 'word' && t.kind !== 'quotedIdentifier') return false;
    const name = t.value.toLowerCase();
    return names.tableNames.has(name) || tempNames.has(name) || (names.functionNames.has(name) && tokens[i + 1]?.text === '(');
  });
}

/**
 * `tempNames`: the session's temporary tables (lower-cased), which the translator reads with the
 * Dynamics tables; a statement that changes one is the session's (`tempTable`).
 */
export async function routeStatement(
  sql: string,
  engine: CatalogEngine,
  session: EngineSession,
  names: MirrorNames,
  tempNames: ReadonlySet<string> = new Set(),
  /** stops the engine's plan (and a wait for the engine's start) */
  signal?: AbortSignal,
): Promise<Route> {
  const tokens = tokenize(sql);
  if (tokens.length === 0) return { kind: 'empty' };
  const words = leadingWords(sql, 4);
  const refused = refusal(words, sql);
  if (refused) return refused;
  const first = words[0] ?? (tokens[0]!.text === '(' ? 'select' : '');
  const transaction = transactionRoute(words);
  if (transaction) return transaction;
  if (isCreateTempTable(words) || ((first === 'select' || first === 'with') && selectIntoTemp(sql) !== undefined)) return { kind: 'tempTable' };
  // other temporary objects would live in the catalog engine, which all sessions share
  if (first === 'create' && words.slice(1, 3).some((w) => w === 'temp' || w === 'temporary')) {
    return { kind: 'refused', code: '0A000', message: 'on a dynasql server only temporary tables can be created (CREATE TEMP TABLE)' };
  }
  const target = tempNames.size > 0 ? writeTarget(sql) : undefined;
  const isTemp = (t: { schema?: string; name: string }) => (t.schema === undefined || t.schema === 'pg_temp') && tempNames.has(t.name.toLowerCase());
  if (target && target.tables.every(isTemp)) return { kind: 'tempTable' };
  if (target && (target.verb === 'drop' || target.verb === 'truncate') && target.tables.some(isTemp)) {
    return { kind: 'refused', code: '0A000', message: `${target.verb.toUpperCase()} of temporary and other tables in one statement is not supported: name the temporary tables alone` };
  }
  switch (first) {
    case 'call':
      return { kind: 'call' };
    case 'discard':
      return { kind: 'reset' };
    case 'reset':
      return words[1] === 'all' ? { kind: 'reset' } : { kind: 'engine', isSetting: true };
    case 'set':
      if (words[1] === 'transaction') return { kind: 'setTransaction' };
      return { kind: 'engine', isSetting: words[1] !== 'local' };
    case 'deallocate': {
      const name = tokens.filter((t) => t.kind === 'word' || t.kind === 'quotedIdentifier').slice(1).find((t) => t.value !== 'prepare');
      return { kind: 'deallocate', name: !name || name.value === 'all' ? null : name.value };
    }
    case 'copy':
      return { kind: 'copy' };
    case 'declare': {
      // a cursor over catalogs lives in the engine; over Dynamics tables, in the session
      const query = tokens.find((t, i) => i > 0 && t.kind === 'word' && QUERY_WORDS.has(t.value));
      const inner = query ? await planRoute(sql.slice(query.start), engine, session, names, tempNames, signal) : undefined;
      return inner && inner.kind !== 'engine' ? { kind: 'cursor' } : { kind: 'engine', isSetting: false };
    }
    case 'fetch':
    case 'move':
    case 'close':
      // the session's cursors first; a name it does not hold goes to the engine
      return { kind: 'cursor' };
    case 'prepare':
      return { kind: 'sqlPrepare' };
    case 'execute':
      return { kind: 'sqlExecute' };
    case 'explain': {
      const inner = tokens.find((t, i) => i > 0 && t.kind === 'word' && QUERY_WORDS.has(t.value));
      if (inner && (await planRoute(sql.slice(inner.start), engine, session, names, tempNames, signal)).kind === 'dynamics') {
        return { kind: 'explain', statement: sql.slice(inner.start) };
      }
      return { kind: 'engine', isSetting: false };
    }
    default:
      return QUERY_WORDS.has(first) ? planRoute(sql, engine, session, names, tempNames, signal) : { kind: 'engine', isSetting: false };
  }
}

/** Routes a query by the relations in its generic plan. */
async function planRoute(sql: string, engine: CatalogEngine, session: EngineSession, names: MirrorNames, tempNames: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<Route> {
  const relations = await engine.relationsOf(session, sql, signal);
  if (isEngineError(relations)) {
    // Not valid Postgres over the mirror (a T-SQL-ism, an entity-set name, a write the reader may not
    // plan, a table-valued function): if it names a Dynamics table or function the translator gets it,
    // else Postgres reports the error.
    return mentionsDynamics(sql, names, tempNames) ? { kind: 'dynamics' } : { kind: 'engine', isSetting: false };
  }
  // the session's temporary tables hold their rows in the session: the translator reads them
  const mirror = (r: string) => r.startsWith(`${names.schema}.`) || r.startsWith('public.') || /^pg_temp(_\d+)?\./.test(r);
  const dynamicsTables = relations.filter(mirror);
  if (dynamicsTables.length === 0) return { kind: 'engine', isSetting: false };
  if (dynamicsTables.length === relations.length) return { kind: 'dynamics' };
  // The mirror holds no rows: running this in the engine would answer with silently empty results.
  return {
    kind: 'refused',
    code: '0A000',
    message: `a statement cannot combine Dynamics tables (${dynamicsTables.join(', ')}) with Postgres catalog tables; run them as separate statements`,
  };
}
