/**
 * The adapter serving the real driver (`connect()`) on the real emulator, for the feature tests of
 * the adapter (COPY, cursors, PREPARE, read-only sessions, startup options …): one per test file.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { startPgServer, type PgServer } from '../../src/pgwire/index.js';

export const USER = 'bi';
export const PASSWORD = 'pencil';

export interface RealServer {
  emulator: RunningEmulator;
  conn: Connection;
  server: PgServer;
  /** a logged-in node-postgres client (the caller ends it) */
  client(extra?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  close(): Promise<void>;
}

export async function startRealServer(options: { rows?: number; settings?: string } = {}): Promise<RealServer> {
  const emulator = await startEmulator({ port: 0, rows: options.rows ?? 40 });
  const conn = await connect(`Url=${emulator.url};Page Size=5${options.settings ? `;${options.settings}` : ''}`);
  const server = await startPgServer({
    connection: conn,
    port: 0,
    orgUrl: emulator.url,
    users: [{ name: USER, password: PASSWORD }],
    // shared by the pgwire test files and kept between runs, so only the first start pays for initdb
    engineCacheDirectory: join(tmpdir(), 'dynasql-pgwire-test-engine'),
  });
  await startCatalogEngine(server.port);
  return {
    emulator,
    conn,
    server,
    async client(extra = {}) {
      const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, database: 'dynamics', ...extra });
      await c.connect();
      return c;
    },
    async close() {
      await server.close();
      await conn.close();
      await emulator.close();
    },
  };
}

/**
 * Starts the server's catalog engine, which starts with the first statement that needs it: a few
 * seconds, up to a test's whole time on a loaded machine, so test files pay it in beforeAll.
 */
export async function startCatalogEngine(port: number, user = USER, password: string | undefined = PASSWORD): Promise<void> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'dynamics' });
  await c.connect();
  try {
    await c.query('select 1');
  } finally {
    await c.end();
  }
}

/** The error a promise ends with (fails when it succeeds). */
export async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error');
}
