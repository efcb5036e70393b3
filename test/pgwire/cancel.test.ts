/**
 * Stopping statements through the Postgres adapter, with real clients over real sockets (issue 15's
 * matrix):
 * - psql: Ctrl-C (a CancelRequest; also of a catalog statement, which ends the catalog engine's worker), statement_timeout from PGOPTIONS, a psql that stops reading (SIGSTOP)
 *   and is then killed mid-result, the connection past the limit;
 * - pgJDBC (one JVM, CancelProbe.java): setQueryTimeout, SET statement_timeout, a slow reader with a
 *   fetch size, abort() mid-statement, the connection past the limit;
 * - node-postgres: pg_cancel_backend() (also DBeaver's form over pg_stat_activity), pg_terminate_backend(),
 *   SET [LOCAL] statement_timeout (also taken back by ROLLBACK TO SAVEPOINT), its statement_timeout setting, a disconnect mid-statement, the 101st
 *   connection (FATAL 53300);
 * - a raw client: rows streamed to a slow reader no faster than it reads, a portal's row limit
 *   honoured without reading the rest.
 */
import { execFile, spawn } from 'node:child_process';
import { connect as connectSocket, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { splitBackendMessages } from '../../src/pgwire/backend-messages.js';
import { encodeFrontendMessage as msg, encodeStartupMessage } from '../../src/pgwire/frontend-messages.js';
import { startPgServer, type PgServer } from '../../src/pgwire/index.js';
import { startCatalogEngine } from './real-server.js';

const run = promisify(execFile);
const USER = 'bi';
const JDBC_JAR = '/usr/share/java/postgresql.jar';
/**
 * 2,000 accounts in name order, four at a time: hundreds of billions of rows to count, far longer than any test
 * waits. One read of 2,000 names (reading the 20,000 accounts four times took ~5 s of CPU per statement).
 */
const LONG_JOIN = 'with t as (select name from account limit 2000) select count(*) from t a join t b on a.name < b.name join t c on b.name < c.name join t d on c.name < d.name';
const ACCOUNTS = 20_000;
const PAGE_SIZE = 1000;

let emulator: RunningEmulator;
let conn: Connection;
let server: PgServer;
const logs: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: ACCOUNTS });
  // page after page: these tests count the pages a stopped statement asked for (Parallel Reads: test/connection/partitioned-reads.test.ts)
  conn = await connect(`Url=${emulator.url};Page Size=${PAGE_SIZE};Parallel Reads=Off`);
  server = await startPgServer({
    connection: conn,
    port: 0,
    orgUrl: emulator.url,
    trust: true,
    engineCacheDirectory: join(tmpdir(), 'dynasql-pgwire-test-engine'),
    log: (line) => logs.push(line),
  });
  // the catalog engine starts with the first statement that needs it; paid here, not by the first test
  await startCatalogEngine(server.port, USER, undefined);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await conn?.close();
  await emulator?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once the long join started at request count `from` computes in the engine: its first read
 * reached the service (before that, a cancel could arrive before the statement runs, and psql ignores
 * Ctrl-C while it connects), then the service was asked for nothing new for a while.
 */
async function joinComputing(from: number): Promise<void> {
  for (let i = 0; i < 1200 && !emulator.requests().slice(from).some((r) => r.url.includes('/accounts?')); i++) await sleep(50);
  await readsSettled();
}

/** resolves once the service has been asked for nothing new for a while */
async function readsSettled(quietMs = 400): Promise<void> {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    const now = emulator.requests().length;
    if (now === last) return;
    last = now;
    await sleep(quietMs);
  }
  throw new Error('the service kept being asked');
}

async function waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = logs.find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line matched ${String(pattern)}:\n${logs.join('\n')}`);
    await sleep(50);
  }
}

const PSQL_ARGS = () => ['-X', '-h', '127.0.0.1', '-p', String(server.port), '-U', USER, '-d', 'dynamics'];
const PSQL_ENV = { ...process.env, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '20' };
const contactRequests = () => emulator.requests().filter((r) => r.url.includes('/contacts')).length;

async function pgClient(config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, database: 'dynamics', ...config });
  await client.connect();
  return client;
}

describe('stopping a statement', () => {
  it("psql's Ctrl-C sends a CancelRequest that stops the running join", async () => {
    const from = emulator.requests().length;
    const psql = spawn('psql', [...PSQL_ARGS(), '-c', LONG_JOIN], { env: PSQL_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    psql.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => psql.on('exit', (code) => r(code)));
    await joinComputing(from);
    psql.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toContain('ERROR:  canceling statement due to user request');
  }, 90_000);

  it("psql: statement_timeout from PGOPTIONS; a psql that stops reading stops the paging; killed mid-result, its statement stops", async () => {
    const timedOut = await run('psql', [...PSQL_ARGS(), '-c', LONG_JOIN], { env: { ...PSQL_ENV, PGOPTIONS: '-c statement_timeout=300' } })
      .then(() => ({ stderr: 'finished' }), (error: { stderr: string }) => error);
    expect(timedOut.stderr).toContain('ERROR:  canceling statement due to statement timeout');

    const before = contactRequests();
    const psql = spawn('psql', [...PSQL_ARGS(), '-c', 'select * from contact'], { env: PSQL_ENV, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => psql.on('exit', (_code, signal) => r(signal)));
    for (let i = 0; i < 400 && contactRequests() === before; i++) await sleep(25);
    psql.kill('SIGSTOP');
    await readsSettled(2000);
    // 40 pages of about 2 MB each: once the socket's buffers are full the adapter stops asking for more
    expect(contactRequests() - before).toBeLessThan(30);
    psql.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await waitForLog(/statement stopped \(the client disconnected\)/);
    logs.length = 0;
    const stoppedAt = emulator.requests().length;
    await sleep(500);
    expect(emulator.requests().length).toBe(stoppedAt);
  }, 90_000);

  it('pg_cancel_backend(pid) stops another session\'s statement and answers t; the session goes on', async () => {
    const [victim, admin] = [await pgClient(), await pgClient()];
    try {
      const pid = (await victim.query('select pg_backend_pid()')).rows[0].pg_backend_pid as number;
      expect(pid).toBeGreaterThan(0);
      const from = emulator.requests().length;
      const running = victim.query(LONG_JOIN);
      running.catch(() => undefined);
      await joinComputing(from);
      expect((await admin.query('select pg_cancel_backend($1)', [pid])).rows).toEqual([{ pg_cancel_backend: true }]);
      await expect(running).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect((await victim.query('select count(*) from account')).rows).toEqual([{ count: String(ACCOUNTS) }]);
      expect((await admin.query('select pg_cancel_backend(987654)')).rows).toEqual([{ pg_cancel_backend: false }]);
    } finally {
      await victim.end();
      await admin.end();
    }
  }, 90_000);

  it("pg_stat_activity lists the sessions; DBeaver's `select pg_cancel_backend(pid) from pg_stat_activity where …` stops the one it finds", async () => {
    const [victim, admin] = [await pgClient({ application_name: 'victim' }), await pgClient()];
    try {
      const running = victim.query(LONG_JOIN);
      running.catch(() => undefined);
      const activity = 'select pid, usename, application_name, state, query, query_start, backend_type from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()';
      let rows: Record<string, unknown>[] = [];
      for (let i = 0; i < 100 && rows.length === 0; i++) {
        rows = (await admin.query(`${activity} and state = 'active' and application_name = 'victim'`)).rows;
        if (rows.length === 0) await sleep(50);
      }
      expect(rows).toEqual([{ pid: expect.any(Number), usename: USER, application_name: 'victim', state: 'active', query: LONG_JOIN, query_start: expect.any(Date), backend_type: 'client backend' }]);
      const own = (await admin.query('select pid = pg_backend_pid() as me, state, query from pg_catalog.pg_stat_activity a where a.pid = pg_backend_pid()')).rows;
      expect(own).toEqual([{ me: true, state: 'active', query: 'select pid = pg_backend_pid() as me, state, query from pg_catalog.pg_stat_activity a where a.pid = pg_backend_pid()' }]);
      const cancelled = await admin.query("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE state = 'active' AND application_name = 'victim' AND pid <> pg_backend_pid()");
      expect(cancelled.rows).toEqual([{ pg_cancel_backend: true }]);
      await expect(running).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect((await admin.query(`${activity} and application_name = 'victim'`)).rows).toEqual([{ ...rows[0], state: 'idle', query_start: expect.any(Date) }]);
      expect((await victim.query('select count(*) from account')).rows).toEqual([{ count: String(ACCOUNTS) }]);
    } finally {
      await victim.end();
      await admin.end();
    }
  }, 90_000);

  it("pg_terminate_backend(pid) ends another session with FATAL 57P01; another user's session is hidden and may not be stopped", async () => {
    const [victim, admin, stranger] = [await pgClient({ application_name: 'victim' }), await pgClient(), await pgClient({ user: 'someone_else' })];
    const ended = new Promise<{ code?: string; message: string }>((resolve) => victim.on('error', resolve));
    try {
      const strangerPid = (await stranger.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      expect((await admin.query('select usename, state, query from pg_stat_activity where pid = $1', [strangerPid])).rows)
        .toEqual([{ usename: 'someone_else', state: null, query: '<insufficient privilege>' }]);
      await expect(admin.query('select pg_cancel_backend($1)', [strangerPid])).rejects.toMatchObject({ code: '42501', message: 'permission denied to cancel query' });
      await expect(admin.query('select pg_terminate_backend($1)', [strangerPid])).rejects.toMatchObject({ code: '42501', message: 'permission denied to terminate process' });
      expect((await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'victim'")).rows).toEqual([{ pg_terminate_backend: true }]);
      expect(await ended).toMatchObject({ code: '57P01', message: 'terminating connection due to administrator command' });
      expect((await admin.query("select count(*)::int as n from pg_stat_activity where application_name = 'victim'")).rows).toEqual([{ n: 0 }]);
      expect((await stranger.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await Promise.all([victim, admin, stranger].map((c) => c.end().catch(() => undefined)));
    }
  });

  it('SET statement_timeout applies to Dynamics statements', async () => {
    const client = await pgClient();
    try {
      await client.query('SET statement_timeout = 1000');
      expect((await client.query('show statement_timeout')).rows).toEqual([{ statement_timeout: '1s' }]);
      await expect(client.query(LONG_JOIN)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      await client.query("SET statement_timeout TO '0'");
      expect((await client.query('select count(*) from account')).rows).toEqual([{ count: String(ACCOUNTS) }]);
    } finally {
      await client.end();
    }
  });

  it('SET LOCAL statement_timeout lasts until the block ends; SET takes units, RESET and SHOW follow, a rolled-back SET is undone', async () => {
    const client = await pgClient();
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.message ?? ''));
    const show = async () => (await client.query('show statement_timeout')).rows[0].statement_timeout as string;
    try {
      await client.query("SET statement_timeout TO '2min'");
      expect(await show()).toBe('2min');
      await client.query('BEGIN');
      await client.query("SET LOCAL statement_timeout = '300ms'");
      expect(await show()).toBe('300ms');
      await expect(client.query(LONG_JOIN)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      await client.query('ROLLBACK');
      expect(await show()).toBe('2min');
      await client.query('BEGIN');
      await client.query("SET LOCAL statement_timeout = '1s'");
      await client.query('COMMIT');
      expect(await show()).toBe('2min');
      await client.query('BEGIN');
      await client.query("SET statement_timeout = '5s'");
      await client.query('ROLLBACK');
      expect(await show()).toBe('2min');
      await client.query('RESET statement_timeout');
      expect(await show()).toBe('0');
      await client.query("SET LOCAL statement_timeout = '300ms'");
      expect(notices).toEqual(['SET LOCAL can only be used in transaction blocks']);
      expect(await show()).toBe('0');
      await client.query('SET statement_timeout = 300');
      await expect(client.query(LONG_JOIN)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    } finally {
      await client.end();
    }
  });

  it('a SET after a SAVEPOINT is undone by ROLLBACK TO SAVEPOINT, kept by RELEASE; the restored statement_timeout stops a Dynamics statement', async () => {
    const client = await pgClient();
    const show = async (name = 'statement_timeout') => Object.values((await client.query(`show ${name}`)).rows[0] as Record<string, string>)[0];
    try {
      await client.query('BEGIN');
      await client.query("SET statement_timeout = '300ms'");
      await client.query('SAVEPOINT s1');
      await client.query('SET statement_timeout = 0');
      await client.query("SET TIME ZONE 'Asia/Tokyo'");
      await client.query('SAVEPOINT s2');
      await client.query("SET LOCAL statement_timeout = '7s'");
      expect(await show()).toBe('7s');
      await client.query('ROLLBACK TO SAVEPOINT s2');
      expect(await show()).toBe('0');
      expect(await show('timezone')).toBe('Asia/Tokyo');
      // an error puts the block in the failed state; ROLLBACK TO leaves it, taking back the SETs since s1
      await expect(client.query('select nosuchcolumn from account')).rejects.toMatchObject({ code: expect.any(String) });
      await client.query('ROLLBACK TO s1');
      expect(await show()).toBe('300ms');
      expect(await show('timezone')).not.toBe('Asia/Tokyo');
      await expect(client.query(LONG_JOIN)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      await client.query('ROLLBACK TO SAVEPOINT s1');
      await client.query('SAVEPOINT "Kept"');
      await client.query("SET statement_timeout = '4s'");
      await client.query('RELEASE SAVEPOINT "Kept"');
      expect(await show()).toBe('4s');
      await client.query('ROLLBACK TO SAVEPOINT s1');
      expect(await show()).toBe('300ms');
      await client.query('COMMIT');
      expect(await show()).toBe('300ms');
    } finally {
      await client.end();
    }
  });

  it("node-postgres's statement_timeout setting (sent at startup) stops a Dynamics statement", async () => {
    const client = await pgClient({ statement_timeout: 300 });
    try {
      expect((await client.query('show statement_timeout')).rows).toEqual([{ statement_timeout: '300ms' }]);
      await expect(client.query(LONG_JOIN)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      // the connection answers after the timeout; the next read gets time of its own (300 ms is short on a loaded machine)
      await client.query('SET statement_timeout = 0');
      expect((await client.query('select count(*) from account')).rows).toEqual([{ count: String(ACCOUNTS) }]);
    } finally {
      await client.end();
    }
  });

  it("pgJDBC: setQueryTimeout(2), SET statement_timeout, a slow reader with a fetch size, abort() mid-statement, the connection past the limit", async () => {
    const contactsBefore = contactRequests();
    const { stdout } = await run('java', ['-cp', JDBC_JAR, join(import.meta.dirname, 'fixtures', 'CancelProbe.java'),
      `jdbc:postgresql://127.0.0.1:${server.port}/dynamics?sslmode=disable`, USER, LONG_JOIN, 'select * from contact'], { timeout: 150_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'STOPPED 57014',
      `NEXT ${ACCOUNTS}`,
      'TIMEOUT 57014',
      'SLOW 500',
      'ABORTED',
      expect.stringMatching(/^REFUSED 53300 .*sorry, too many clients already/),
    ]);
    // 500 rows fetched 100 at a time: the first page and at most one read ahead, of 40
    expect(contactRequests() - contactsBefore).toBeLessThanOrEqual(2);
    await waitForLog(/statement stopped \(the client disconnected\)/);
    logs.length = 0;
  }, 180_000);

  it('a client that disconnects mid-statement stops its statement', async () => {
    const client = await pgClient();
    client.on('error', () => undefined);
    const pid = (await client.query('select pg_backend_pid()')).rows[0].pg_backend_pid as number;
    const from = emulator.requests().length;
    const running = client.query(LONG_JOIN);
    running.catch(() => undefined);
    await joinComputing(from);
    (client as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
    // logged once the statement has settled: the engine was interrupted, not left to run for hours
    await waitForLog(/statement stopped \(the client disconnected\)/);
    logs.length = 0;
    expect(pid).toBeGreaterThan(0);
  }, 90_000);
});

/** a client at the byte level, logged in (trust), whose reading the test controls */
async function rawSession(): Promise<{ socket: Socket; read: () => Promise<Buffer> }> {
  const socket = connectSocket(server.port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(encodeStartupMessage({ user: USER, database: 'dynamics' }));
  let buffered: Buffer = Buffer.alloc(0);
  const read = async () => {
    const chunk = await new Promise<Buffer>((r) => socket.once('data', r));
    buffered = Buffer.concat([buffered, chunk]);
    return buffered;
  };
  while (!splitBackendMessages(await read()).some((m) => m.type === 'Z'));
  buffered = Buffer.alloc(0);
  socket.pause();
  return { socket, read };
}

describe('streaming results', () => {
  it('writes rows no faster than a slow reader reads them; a reader that leaves mid-result stops the statement', async () => {
    const { socket } = await rawSession();
    const before = emulator.requests().length;
    // 40,000 contacts of about 2 kB each on the wire: 80 MB, over twice what the kernel's socket
    // buffers can take (Linux lets a receive buffer grow to 32 MB, a send buffer to 4 MB)
    const pages = (2 * ACCOUNTS) / PAGE_SIZE;
    socket.write(msg({ type: 'Query', sql: 'select * from contact' }));
    // the client reads nothing for a while: once the socket's buffers are full, the adapter stops
    // asking the service for pages (it would otherwise read all 40 and hold them)
    await sleep(1000);
    await readsSettled(2000);
    expect(emulator.requests().length - before).toBeLessThan(pages * 0.75);
    // then it reads 3,000 rows, frame by frame, and leaves
    let rows = 0;
    let pending: Buffer = Buffer.alloc(0);
    socket.resume();
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        let at = 0;
        while (pending.length - at >= 5) {
          const length = pending.readInt32BE(at + 1);
          if (pending.length - at < 1 + length) break;
          if (pending[at] === 0x44 /* D */ && ++rows === 3000) resolve();
          at += 1 + length;
        }
        pending = pending.subarray(at);
      });
    });
    socket.destroy();
    await waitForLog(/statement stopped \(the client disconnected\)/);
    const stoppedAt = emulator.requests().length;
    await sleep(1000);
    expect(emulator.requests().length).toBe(stoppedAt);
    expect(stoppedAt - before).toBeLessThan(pages);
  }, 90_000);

  it("honours Execute's row limit without reading the rest", async () => {
    const { socket, read } = await rawSession();
    socket.resume();
    const before = emulator.requests().length;
    socket.write(Buffer.concat([
      msg({ type: 'Parse', name: '', sql: 'select name from account', parameterTypes: [] }),
      msg({ type: 'Bind', portal: 'p', statement: '', parameterFormats: [], parameters: [], resultFormats: [] }),
      msg({ type: 'Execute', portal: 'p', maxRows: 5 }),
      msg({ type: 'Execute', portal: 'p', maxRows: 5 }),
      msg({ type: 'Close', target: 'P', name: 'p' }),
      msg({ type: 'Sync' }),
    ]));
    let messages = splitBackendMessages(await read());
    while (!messages.some((m) => m.type === 'Z')) messages = splitBackendMessages(await read());
    socket.destroy();
    const types = messages.map((m) => m.type).join('');
    expect(types).toBe('12DDDDDsDDDDDs3Z');
    // the first page and at most the one read ahead; never the other 18
    expect(emulator.requests().length - before).toBeLessThanOrEqual(2);
  });

  it('streams inside a transaction block too: a portal lives across Syncs until the block ends', async () => {
    const { socket, read } = await rawSession();
    socket.resume();
    const before = emulator.requests().length;
    socket.write(Buffer.concat([
      msg({ type: 'Query', sql: 'begin' }),
      msg({ type: 'Parse', name: '', sql: 'select name from account', parameterTypes: [] }),
      msg({ type: 'Bind', portal: 'p', statement: '', parameterFormats: [], parameters: [], resultFormats: [] }),
      msg({ type: 'Execute', portal: 'p', maxRows: 3 }),
      msg({ type: 'Sync' }),
      msg({ type: 'Execute', portal: 'p', maxRows: 3 }),
      msg({ type: 'Sync' }),
      msg({ type: 'Query', sql: 'commit' }),
    ]));
    let messages = splitBackendMessages(await read());
    while (messages.filter((m) => m.type === 'Z').length < 4) messages = splitBackendMessages(await read());
    socket.destroy();
    expect(messages.map((m) => m.type).join('')).toBe('CZ12DDDsZDDDsZCZ');
    expect(emulator.requests().length - before).toBeLessThanOrEqual(2);
  });
});

describe('the connection limit', () => {
  it('answers the 101st connection with FATAL 53300 too_many_connections', async () => {
    const clients: pg.Client[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const client = await pgClient().catch((error: Error) => {
          throw new Error(`client ${i + 1} of 100: ${error.message}; server log:\n${logs.slice(-5).join('\n')}`);
        });
        clients.push(client);
      }
      const extra = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, database: 'dynamics' });
      extra.on('error', () => undefined);
      await expect(extra.connect()).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
      const refused = await run('psql', [...PSQL_ARGS(), '-c', 'select 1'], { env: PSQL_ENV }).then(() => ({ stderr: 'connected' }), (error: { stderr: string }) => error);
      expect(refused.stderr).toContain('FATAL:  sorry, too many clients already');
      await clients.pop()!.end();
      // once one leaves, the next is served
      let again: pg.Client | undefined;
      for (let i = 0; i < 50 && !again; i++) {
        const next = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, database: 'dynamics' });
        next.on('error', () => undefined);
        again = await next.connect().then(() => next, () => undefined);
        if (!again) await sleep(100);
      }
      expect(again).toBeDefined();
      clients.push(again!);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  }, 60_000);
});

/**
 * Last in the file: the stop ends the catalog engine's worker, and the next catalog statement waits
 * while a fresh engine is built (~20 s on the loaded machine); protocol.test.ts covers that rebuild.
 */
describe('stopping a catalog statement', () => {
  it("a catalog statement (the catalog engine's) stops on psql's Ctrl-C", async () => {
    // pg_class four times over: hours of work for the engine, which computes without yielding
    const LONG_CATALOG = 'select count(*) from pg_class a, pg_class b, pg_class c, pg_class d';
    const psql = spawn('psql', [...PSQL_ARGS(), '-c', LONG_CATALOG], { env: PSQL_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    psql.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((r) => psql.on('exit', (code) => r(exitCode = code)));
    // psql ignores Ctrl-C while it connects, and a cancel that arrives before the statement runs stops
    // nothing: Ctrl-C again each second until psql ends (the engine never finishes this statement by itself)
    for (let i = 0; i < 30 && exitCode === undefined; i++) {
      await sleep(1000);
      if (exitCode === undefined) psql.kill('SIGINT');
    }
    expect(await exited).toBe(1);
    expect(stderr).toContain('ERROR:  canceling statement due to user request');
    await waitForLog(/catalog statement stopped \(canceling statement due to user request\)/);

    logs.length = 0;
  }, 60_000);
});
