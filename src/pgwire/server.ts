/**
 * `startPgServer`: serves a dynasql `Connection` to Postgres clients (psql, pgJDBC, psqlODBC,
 * node-postgres, Npgsql, BI tools). All clients share the one connection, so they share its
 * throttled executor; catalog questions go to the embedded engine holding a mirror of the catalog.
 *
 * Example:
 *   const server = await startPgServer({ connection: await connect(url), orgUrl: url,
 *                                        users: [{ name: 'bi', password: 's3cret' }] });
 *   // psql "postgres://bi:s3cret@127.0.0.1:5432/dynamics"
 *   await server.close();
 */
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { DynasqlError } from '../errors/index.js';
import type { Connection } from '../index.js';
import { CatalogEngine } from './catalog-engine.js';
import { engineSnapshotPath } from './engine-thread.js';
import { catalogMirrorDdl, READER_ROLE, readerRoleDdl, schemaNameForOrg } from './catalog-mirror.js';
import { plainReadTables } from './plain-read.js';
import { sessionActivityDdl } from './session-activity.js';
import { scramVerifier } from './scram.js';
import { Session, type ServerContext } from './session.js';
import { StatementCache } from './statement-cache.js';

export interface PgServerUser {
  name: string;
  password: string;
}

export interface PgServerOptions {
  /** the dynasql connection every client's statements run on (the caller keeps ownership and closes it) */
  connection: Connection;
  /** interface to listen on; default `127.0.0.1`. Anything but loopback requires `tls`. */
  host?: string;
  /** default 5432; 0 picks a free port */
  port?: number;
  /** users who may log in with SCRAM-SHA-256 */
  users?: readonly PgServerUser[];
  /** accept any user without a password; allowed only when `host` is loopback */
  trust?: boolean;
  /** PEM certificate and key: enables TLS (SSLRequest answered 'S') */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** schema the tables appear in besides `public`; default derived from `orgUrl` */
  schema?: string;
  /** the org's URL, to name the schema (`https://contoso.crm.dynamics.com` → `contoso`) */
  orgUrl?: string;
  /** longest one catalog statement (pg_catalog, SHOW ...) may run; default 30 s. The engine restarts after one overruns. */
  catalogTimeoutMs?: number;
  /**
   * folder for a pristine copy of the engine's data directory, which makes later starts several
   * times faster; default the user's cache folder (`$XDG_CACHE_HOME/dynasql`, else `~/.cache/dynasql`);
   * false: none
   */
  engineCacheDirectory?: string | false;
  /** most concurrent clients; default 100 */
  maxConnections?: number;
  /** connection and authentication events (never passwords) */
  log?: (line: string) => void;
}

export interface PgServer {
  host: string;
  port: number;
  /** the schema the org's tables appear in (besides `public`) */
  schema: string;
  /** stops listening, disconnects clients and stops the catalog engine (the connection stays open) */
  close(): Promise<void>;
}

/** The user's cache folder, as the catalog cache uses it. */
function defaultCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'dynasql');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'dynasql', 'cache');
  return join(homedir(), '.cache', 'dynasql');
}

const isLoopback = (host: string): boolean => host === 'localhost' || /^127\./.test(host) || host === '::1';

function validated(options: PgServerOptions): { host: string; port: number } {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5432;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DynasqlError('DYNASQL_ERR_CONFIG', `port must be 0..65535, got ${port}`);
  if (host !== 'localhost' && isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host)) throw new DynasqlError('DYNASQL_ERR_CONFIG', `invalid host ${JSON.stringify(host)}`);
  if (!isLoopback(host) && !options.tls) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `refusing to listen on ${host} without TLS: configure a certificate (tls) or listen on 127.0.0.1`);
  }
  if (options.trust && !isLoopback(host)) throw new DynasqlError('DYNASQL_ERR_CONFIG', 'trust authentication is allowed only on a loopback address');
  if (!options.trust && (options.users ?? []).length === 0) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', 'no users configured: pass users [{ name, password }] (or trust: true on loopback)');
  }
  for (const u of options.users ?? []) {
    if (!u.name || typeof u.password !== 'string' || u.password.length === 0) throw new DynasqlError('DYNASQL_ERR_CONFIG', 'each user needs a name and a non-empty password');
  }
  return { host, port };
}

/** the driver's own table-valued functions, which no catalog lists: `changes('account', $1)`, `fetchxml('<fetch …>')` */
const DRIVER_TABLE_FUNCTIONS = ['changes', 'fetchxml'];

export async function startPgServer(options: PgServerOptions): Promise<PgServer> {
  const { host, port } = validated(options);
  const secureContext = options.tls ? createSecureContext({ cert: options.tls.cert, key: options.tls.key }) : undefined;
  const schema = options.schema ?? (options.orgUrl ? schemaNameForOrg(options.orgUrl) : 'dynamics');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema) || schema === 'public' || schema.startsWith('pg_')) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `schema must be a lower-case identifier other than public, got ${JSON.stringify(schema)}`);
  }
  const users = new Map((options.users ?? []).map((u) => [u.name, scramVerifier(u.password)]));
  const log = options.log ?? (() => undefined);

  const catalog = await options.connection.catalog();
  const mirror = catalogMirrorDdl(catalog, schema);
  // started by the first statement that needs it (catalog-engine.ts)
  const engine = new CatalogEngine({
    mirrorDdl: mirror.tables,
    // the reader role may also read the sessions' pg_stat_activity and call pg_cancel_backend & co.
    readerDdl: `${readerRoleDdl(schema)}\n${sessionActivityDdl(READER_ROLE)}`,
    procedureDdl: mirror.procedures,
    timeoutMs: options.catalogTimeoutMs ?? 30_000,
    ...(options.engineCacheDirectory === false ? {} : { snapshotPath: engineSnapshotPath(options.engineCacheDirectory ?? defaultCacheDirectory()) }),
  }, log);
  const tableNames = new Set(catalog.tables.flatMap((t) => [t.name.toLowerCase(), t.entitySetName.toLowerCase()]));
  const functionNames = new Set([
    ...catalog.procedures.filter((p) => p.kind === 'function' && !p.isQueryFunction).flatMap((p) => [p.name, p.importName ?? p.name].map((n) => n.toLowerCase())),
    ...DRIVER_TABLE_FUNCTIONS,
  ]);

  const sessions = new Map<number, Session>();
  const sockets = new Set<Socket>();
  const ctx: ServerContext = {
    connection: options.connection,
    engine,
    names: { schema, tableNames, functionNames },
    plainReads: plainReadTables(catalog),
    statements: new StatementCache(),
    users,
    trust: options.trust === true,
    tls: secureContext,
    cancel: (processId, secretKey) => sessions.get(processId)?.cancel(secretKey),
    activity: (viewer) => [...sessions.values()].map((s) => s.activityRow(viewer)),
    signal: ({ action, pid }, user) => {
      const session = sessions.get(pid);
      // the engine granted it on the same rows; a session gone since, or another user's, is left alone
      if (session?.userName !== user) return;
      if (action === 'cancel') session.cancelRunning();
      else session.terminate();
    },
    register: (s) => void sessions.set(s.processId, s),
    unregister: (s) => void sessions.delete(s.processId),
    log,
  };

  const maxConnections = options.maxConnections ?? 100;
  const server: Server = createServer((socket) => {
    // past the limit the client still gets an answer (FATAL 53300 at startup), and a CancelRequest still works
    const overLimit = sockets.size >= maxConnections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    new Session(socket, ctx, overLimit);
  });
  // beyond twice the limit sockets are dropped unanswered: a flood must not cost a session each
  server.maxConnections = 2 * maxConnections;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => (server.off('error', reject), resolve()));
    });
  } catch (error) {
    await engine.close();
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `cannot listen on ${host}:${port}: ${(error as Error).message}`, { cause: error });
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  log(`pgwire: listening on ${host}:${actualPort} (schema ${schema}${secureContext ? ', TLS' : ''})`);

  let closed: Promise<void> | undefined;
  return {
    host,
    port: actualPort,
    schema,
    close: () =>
      (closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await stopped;
        await engine.close();
      })()),
  };
}
