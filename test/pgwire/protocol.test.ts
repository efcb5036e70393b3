/**
 * Protocol mechanics of the adapter over real sockets, with node-postgres and a byte-level client,
 * against a small in-test Connection (fake-connection.ts). What real clients see against the real
 * driver and emulator is in clients.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { decodeDataRow, decodeErrorFields, decodeRowDescription } from '../../src/pgwire/backend-messages.js';
import { CANCEL_REQUEST_CODE, encodeFrontendMessage, encodeStartupMessage } from '../../src/pgwire/frontend-messages.js';
import { engineSnapshotPath } from '../../src/pgwire/engine-thread.js';
import { startPgServer, type PgServer } from '../../src/pgwire/index.js';
import { OID } from '../../src/pgwire/pg-types.js';
import { fakeConnection, type FakeConnection } from './fake-connection.js';
import { RawClient, int32 } from './raw-client.js';
import { startCatalogEngine } from './real-server.js';

let server: PgServer;
let connection: FakeConnection;
let certDir: string;
let cert: string;
const logs: string[] = [];

const client = (extra: Partial<pg.ClientConfig> = {}) =>
  new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bi', password: 'pencil', database: 'dynamics', ...extra });

async function withClient<T>(fn: (c: pg.Client) => Promise<T>, extra: Partial<pg.ClientConfig> = {}): Promise<T> {
  const c = client(extra);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error');
}

const msg = encodeFrontendMessage;
/** shared by the pgwire test files and kept between runs, so only the first start pays for initdb */
const ENGINE_CACHE = join(tmpdir(), 'dynasql-pgwire-test-engine');

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'pgwire-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
  connection = fakeConnection();
  server = await startPgServer({
    connection,
    port: 0,
    schema: 'emulator',
    users: [{ name: 'bi', password: 'pencil' }],
    tls: { cert, key: readFileSync(join(certDir, 'key.pem'), 'utf8') },
    catalogTimeoutMs: 4_000,
    engineCacheDirectory: ENGINE_CACHE,
    log: (line) => logs.push(line),
  });
  // the catalog engine starts with the first statement that needs it; paid here, not by the first test
  await startCatalogEngine(server.port, 'bi', 'pencil');
}, 180_000);

afterAll(async () => {
  await server?.close();
  rmSync(certDir, { recursive: true, force: true });
});

describe('configuration', () => {
  it('keeps a pristine engine data directory for the next start', () => {
    expect(existsSync(engineSnapshotPath(ENGINE_CACHE))).toBe(true);
  });

  it('refuses a non-loopback bind without TLS, trust off loopback, and no users', async () => {
    await expect(startPgServer({ connection: fakeConnection(), host: '0.0.0.0', port: 0, users: [{ name: 'a', password: 'b' }] })).rejects.toMatchObject({
      code: 'DYNASQL_ERR_CONFIG',
      message: expect.stringContaining('without TLS'),
    });
    await expect(startPgServer({ connection: fakeConnection(), host: '0.0.0.0', port: 0, trust: true, tls: { cert: 'x', key: 'y' } })).rejects.toBeInstanceOf(DynasqlError);
    await expect(startPgServer({ connection: fakeConnection(), port: 0 })).rejects.toMatchObject({ message: expect.stringContaining('no users') });
  });
});

describe('authentication', () => {
  it('logs in with SCRAM-SHA-256, in plain text on loopback and over TLS', async () => {
    expect(await withClient(async (c) => (await c.query('select 1 as one')).rows)).toEqual([{ one: 1 }]);
    const tls = await withClient(async (c) => (await c.query('select 2 as two')).rows, { ssl: { ca: cert, servername: 'localhost' } });
    expect(tls).toEqual([{ two: 2 }]);
  });

  it('refuses a wrong password and an unknown user alike, and keeps serving', async () => {
    const wrong = await errorOf(client({ password: 'pencils' }).connect());
    const unknown = await errorOf(client({ user: 'mallory' }).connect());
    expect(wrong).toMatchObject({ code: '28P01', message: 'password authentication failed for user "bi"' });
    expect(unknown).toMatchObject({ code: '28P01', message: 'password authentication failed for user "mallory"' });
    expect(logs.join('\n')).not.toContain('pencils');
    expect(await withClient(async (c) => (await c.query('select 3 as three')).rows)).toEqual([{ three: 3 }]);
  });

  it('refuses malformed startup and protocol messages cleanly, and keeps serving', async () => {
    const garbage = await RawClient.open(server.port);
    garbage.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const refused = await garbage.until('E');
    expect(decodeErrorFields(refused.at(-1)!.body)).toMatchObject({ S: 'FATAL', C: '08P01' });

    const badVersion = await RawClient.open(server.port);
    badVersion.send(Buffer.concat([int32(8), int32(0x00020000)]));
    expect(decodeErrorFields((await badVersion.until('E')).at(-1)!.body)).toMatchObject({ C: '08P01', M: expect.stringContaining('unsupported frontend protocol') });

    const afterLogin = await RawClient.login(server.port, 'bi', 'pencil');
    afterLogin.send(Buffer.from('W\0\0\0\x04'));
    expect(decodeErrorFields((await afterLogin.until('E')).at(-1)!.body)).toMatchObject({ S: 'FATAL', C: '08P01' });
    const truncatedBind = await RawClient.login(server.port, 'bi', 'pencil');
    truncatedBind.send(Buffer.from('B\0\0\0\x08\0\0\0\0'));
    expect(decodeErrorFields((await truncatedBind.until('E')).at(-1)!.body)).toMatchObject({ C: '08P01' });
    for (const c of [garbage, badVersion, afterLogin, truncatedBind]) c.close();

    expect(await withClient(async (c) => (await c.query('select 4 as four')).rows)).toEqual([{ four: 4 }]);
  });
});

describe('queries', () => {
  it('runs Dynamics statements through the connection with parameters and typed results', async () => {
    connection.calls.length = 0;
    const result = await withClient((c) => c.query('select * from emulator.account where name = $1', ['Account 2']));
    expect(connection.calls).toEqual([{ sql: 'select * from account where name = $1', params: ['Account 2'] }]);
    expect(result.rows).toEqual([{
      accountid: '00000000-0000-0000-0000-000000000002', name: 'Account 2', revenue: '2000.5000', numberofemployees: 20,
      createdon: new Date(Date.UTC(2024, 0, 2, 12, 30)), donotemail: false, primarycontactid: null,
    }]);
    expect(result.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual([
      ['accountid', OID.uuid, -1], ['name', OID.varchar, 164], ['revenue', OID.numeric, ((19 << 16) | 4) + 4], ['numberofemployees', OID.int4, -1],
      ['createdon', OID.timestamptz, -1], ['donotemail', OID.bool, -1], ['primarycontactid', OID.uuid, -1],
    ]);
  });

  it('answers catalog statements from the engine, never from the connection', async () => {
    connection.calls.length = 0;
    const rows = await withClient(async (c) => ({
      tables: (await c.query("select table_schema, table_name from information_schema.tables where table_name = 'account' order by 1")).rows,
      schema: (await c.query('select current_schema()')).rows,
      version: (await c.query('select version()')).rows[0].version as string,
      description: (await c.query("select obj_description('emulator.account'::regclass, 'pg_class') as d")).rows,
    }));
    expect(rows.tables).toEqual([{ table_schema: 'emulator', table_name: 'account' }, { table_schema: 'public', table_name: 'account' }]);
    expect(rows.schema).toEqual([{ current_schema: 'public' }]);
    expect(rows.version).toMatch(/^PostgreSQL 18/);
    expect(rows.description).toEqual([{ d: 'Business that represents a customer or potential customer.' }]);
    expect(connection.calls).toEqual([]);
  });

  it('runs the catalog engine with shared memory sized for one session, not a 100-connection server', async () => {
    // PGlite touches all of Postgres' shared memory at start: the defaults (128 MB of buffers) cost ~85 MB of RSS
    const settings = await withClient(async (c) => (await c.query("select name, setting, unit from pg_settings where name in ('shared_buffers', 'max_connections') order by name")).rows);
    expect(settings).toEqual([{ name: 'max_connections', setting: '8', unit: null }, { name: 'shared_buffers', setting: '1024', unit: '8kB' }]);
  });

  it('maps dynasql errors and engine errors to SQLSTATEs, and the session goes on', async () => {
    await withClient(async (c) => {
      expect(await errorOf(c.query('select x from contact'))).toMatchObject({ code: '42703', message: "Unknown column 'x'" });
      expect(await errorOf(c.query('select * from no_such_table'))).toMatchObject({ code: '42P01' });
      // an entity-set name is no mirror table, yet the statement is the translator's to answer
      expect((await c.query('select name from accounts where name = $1', ['Account 1'])).rows).toEqual([expect.objectContaining({ name: 'Account 1' })]);
      expect((await c.query('select 5 as five')).rows).toEqual([{ five: 5 }]);
    });
  });

  it('runs several statements of one Query message in order and stops at an error', async () => {
    await withClient(async (c) => {
      const results = (await c.query("select 1 as a; select name from account where name = 'Account 1'; select 2 as b")) as unknown as pg.QueryResult[];
      expect(results.map((r) => r.rows.length)).toEqual([1, 5, 1]);
      expect(await errorOf(c.query('select 1; select * from nowhere; select 2'))).toMatchObject({ code: '42P01' });
    });
  });

  it('keeps each client’s SET to itself although the engine is shared', async () => {
    const a = client();
    const b = client();
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query("set timezone = 'Europe/Paris'");
      expect((await b.query('show timezone')).rows).toEqual([{ TimeZone: 'UTC' }]);
      expect((await a.query('show timezone')).rows).toEqual([{ TimeZone: 'Europe/Paris' }]);
      expect((await b.query('show timezone')).rows).toEqual([{ TimeZone: 'UTC' }]);
      await a.query('discard all');
      expect((await a.query('show timezone')).rows).toEqual([{ TimeZone: 'UTC' }]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('refuses changes to the mirror and to the session role; the mirror stays intact', async () => {
    await withClient(async (c) => {
      expect(await errorOf(c.query('drop table public.contact'))).toMatchObject({ code: '42501' });
      expect(await errorOf(c.query('create table public.t (a int)'))).toMatchObject({ code: '42501' });
      // temporary tables are the session's (temp-tables.test.ts); other temporary objects would be the shared engine's
      expect(await errorOf(c.query('create temp view v as select 1'))).toMatchObject({ code: '0A000' });
      expect(await errorOf(c.query('set role postgres'))).toMatchObject({ code: '42501' });
      expect(await errorOf(c.query("select set_config('session_authorization', 'postgres', false)"))).toMatchObject({ code: '42501' });
      expect(await errorOf(c.query('do $$ begin end $$'))).toMatchObject({ code: '0A000' });
      expect((await c.query("select count(*)::int as n from pg_tables where tablename in ('account','contact')")).rows).toEqual([{ n: 4 }]);
    });
  });

  it('refuses statements that mix Dynamics tables with catalogs, cursors over such a mix, and COPY FROM', async () => {
    await withClient(async (c) => {
      expect(await errorOf(c.query('select a.name from account a join pg_class on true'))).toMatchObject({ code: '0A000', message: expect.stringContaining('public.account') });
      await c.query('begin');
      expect(await errorOf(c.query('declare cur cursor for select a.name from account a join pg_class on true'))).toMatchObject({ code: '0A000' });
      await c.query('rollback');
      expect(await errorOf(c.query('copy account from stdin'))).toMatchObject({ code: '0A000' });
      await c.query('prepare p2 as select relname from pg_class where relname = $1');
      expect((await c.query("execute p2('pg_type')")).rows).toEqual([{ relname: 'pg_type' }]);
      await c.query('deallocate p2');
    });
  });

  it('stops a runaway catalog statement, keeps other sessions alive, and answers again', async () => {
    // PGlite ignores statement_timeout; the engine runs in a worker that is stopped and rebuilt.
    await withClient(async (c) => {
      const other = client();
      await other.connect();
      expect(await errorOf(c.query('select pg_sleep(60)'))).toMatchObject({ code: '57014' });
      expect((await other.query("select name from account where name = 'Account 1'")).rows).toHaveLength(5);
      expect((await c.query('select count(*)::int as n from pg_namespace where nspname = $1', ['emulator'])).rows).toEqual([{ n: 1 }]);
      await other.end();
    });
  }, 120_000);

  it('sends CALL, writes and EXPLAIN of Dynamics statements to the connection', async () => {
    await withClient(async (c) => {
      connection.calls.length = 0;
      const call = await c.query('CALL emulator."WinOpportunity"(1)');
      expect(call.command).toBe('CALL');
      const update = await c.query("update account set name = 'x' where name = $1", ['y']);
      expect([update.command, update.rowCount]).toEqual(['UPDATE', 2]);
      expect(connection.calls.map((x) => x.sql)).toEqual(['CALL "WinOpportunity"(1)', "update account set name = 'x' where name = $1"]);
      const plan = await c.query('explain select name from account');
      expect(plan.rows[0]).toEqual({ 'QUERY PLAN': 'GET accounts?$select=name' });
    });
  });

  it('tracks transaction blocks: BEGIN, an error, 25P02, ROLLBACK', async () => {
    await withClient(async (c) => {
      await c.query('begin');
      expect(await errorOf(c.query('select * from nowhere'))).toMatchObject({ code: '42P01' });
      expect(await errorOf(c.query('select 1'))).toMatchObject({ code: '25P02' });
      await c.query('rollback');
      expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    });
  });
});

describe('extended query protocol', () => {
  it('serves a portal in row-limited batches with PortalSuspended', async () => {
    const c = await RawClient.login(server.port, 'bi', 'pencil');
    c.send(Buffer.concat([
      msg({ type: 'Parse', name: 'q', sql: 'select name from account', parameterTypes: [] }),
      msg({ type: 'Bind', portal: 'p', statement: 'q', parameterFormats: [], parameters: [], resultFormats: [] }),
      msg({ type: 'Describe', target: 'P', name: 'p' }),
      msg({ type: 'Execute', portal: 'p', maxRows: 2 }),
      msg({ type: 'Execute', portal: 'p', maxRows: 2 }),
      msg({ type: 'Execute', portal: 'p', maxRows: 2 }),
      msg({ type: 'Sync' }),
    ]));
    const got = await c.until('Z');
    expect(got.map((m) => m.type).join('')).toBe('12TDDsDDsDCZ');
    expect(got.filter((m) => m.type === 'C').map((m) => m.body.toString('utf8', 0, m.body.length - 1))).toEqual(['SELECT 1']);
    c.close();
  });

  it('describes statements with parameter types and returns binary results on request', async () => {
    const c = await RawClient.login(server.port, 'bi', 'pencil');
    c.send(Buffer.concat([
      msg({ type: 'Parse', name: 's', sql: 'select accountid, numberofemployees, revenue, createdon from emulator.account where name = $1', parameterTypes: [] }),
      msg({ type: 'Describe', target: 'S', name: 's' }),
      msg({ type: 'Bind', portal: '', statement: 's', parameterFormats: [0], parameters: [Buffer.from('Account 3')], resultFormats: [1] }),
      msg({ type: 'Execute', portal: '', maxRows: 0 }),
      msg({ type: 'Sync' }),
    ]));
    const got = await c.until('Z');
    expect(got.map((m) => m.type).join('')).toBe('1tT2DCZ');
    expect(got[1]!.body.readUInt32BE(2)).toBe(OID.text); // varchar = $1 infers text, as in Postgres
    expect(decodeRowDescription(got[2]!.body).map((f) => f.typeOid)).toEqual([OID.uuid, OID.int4, OID.numeric, OID.timestamptz]);
    const [uuid, employees, revenue, createdon] = decodeDataRow(got[4]!.body);
    expect(uuid!.toString('hex')).toBe('00000000000000000000000000000003');
    expect(employees!.readInt32BE(0)).toBe(30);
    expect(revenue!.toString('hex')).toBe('0002' + '0000' + '0000' + '0004' + '0bb8' + '1388');
    expect(createdon!.readBigInt64BE(0)).toBe(BigInt(Date.UTC(2024, 0, 3, 12, 30) - Date.UTC(2000, 0, 1)) * 1000n);
    c.close();
  });

  it('skips to Sync after an error and reports unknown statements and portals', async () => {
    const c = await RawClient.login(server.port, 'bi', 'pencil');
    c.send(Buffer.concat([
      msg({ type: 'Bind', portal: '', statement: 'nope', parameterFormats: [], parameters: [], resultFormats: [] }),
      msg({ type: 'Execute', portal: '', maxRows: 0 }),
      msg({ type: 'Sync' }),
      msg({ type: 'Execute', portal: 'gone', maxRows: 0 }),
      msg({ type: 'Sync' }),
    ]));
    const first = await c.until('Z');
    expect(first.map((m) => m.type).join('')).toBe('EZ');
    expect(decodeErrorFields(first[0]!.body).C).toBe('26000');
    const second = await c.until('Z');
    expect(decodeErrorFields(second[0]!.body).C).toBe('34000');
    c.close();
  });

  it('reuses named prepared statements (node-postgres)', async () => {
    await withClient(async (c) => {
      for (const name of ['Account 1', 'Account 4']) {
        const r = await c.query({ name: 'by-name', text: 'select name, numberofemployees from account where name = $1', values: [name] });
        expect(r.rows).toEqual([expect.objectContaining({ name })]);
      }
    });
  });
});

describe('pipelining', () => {
  it('answers many messages sent in one write, in order', async () => {
    const c = await RawClient.login(server.port, 'bi', 'pencil');
    const count = 200;
    c.send(Buffer.concat(Array.from({ length: count }, (_, i) => msg({ type: 'Query', sql: `select ${i} as n` }))));
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      const got = await c.until('Z');
      values.push(decodeDataRow(got.find((m) => m.type === 'D')!.body)[0]!.toString());
    }
    expect(values).toEqual(Array.from({ length: count }, (_, i) => String(i)));
    c.close();
  }, 60_000);
});

describe('cancel requests', () => {
  it('aborts the running statement of the session named by BackendKeyData', async () => {
    const c = await RawClient.login(server.port, 'bi', 'pencil');
    c.send(msg({ type: 'Query', sql: "select name from account where name = 'pg_sleep_forever'" }));
    await new Promise((r) => setTimeout(r, 300));
    const wrongKey = await RawClient.open(server.port);
    wrongKey.send(Buffer.concat([int32(16), int32(CANCEL_REQUEST_CODE), int32(c.processId), int32(c.secretKey ^ 1)]));
    await new Promise((r) => setTimeout(r, 200));
    expect(c.messages).toEqual([]);
    const cancel = await RawClient.open(server.port);
    cancel.send(Buffer.concat([int32(16), int32(CANCEL_REQUEST_CODE), int32(c.processId), int32(c.secretKey)]));
    const got = await c.until('Z');
    expect(decodeErrorFields(got.find((m) => m.type === 'E')!.body)).toMatchObject({ C: '57014' });
    c.send(msg({ type: 'Query', sql: 'select 1' }));
    expect((await c.until('Z')).map((m) => m.type).join('')).toBe('TDCZ');
    for (const x of [c, wrongKey, cancel]) x.close();
  });
});

describe('startup details', () => {
  it('answers SSLRequest with S when TLS is configured and GSSENCRequest with N', async () => {
    const c = await RawClient.open(server.port);
    const answer = new Promise<string>((resolve) => c.socket.once('data', (d) => resolve(d.toString('latin1'))));
    c.send(Buffer.concat([int32(8), int32(80877104)]));
    expect(await answer).toBe('N');
    c.close();
    const ssl = await RawClient.open(server.port);
    const sslAnswer = new Promise<string>((resolve) => ssl.socket.once('data', (d) => resolve(d.toString('latin1'))));
    ssl.send(Buffer.concat([int32(8), int32(80877103)]));
    expect(await sslAnswer).toBe('S');
    ssl.close();
  });

  it('refuses a startup without a user', async () => {
    const c = await RawClient.open(server.port);
    c.send(encodeStartupMessage({ database: 'x' }));
    expect(decodeErrorFields((await c.until('E')).at(-1)!.body)).toMatchObject({ S: 'FATAL', C: '28000' });
    c.close();
  });
});
