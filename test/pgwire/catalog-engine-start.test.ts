/**
 * The catalog engine (PGlite) starts with the first statement that needs it, not with the server
 * (issue 15: it was the whole of the adapter's 644 MB peak while serving a slow reader):
 * - a client that only reads Dynamics tables (plain reads, plain-read.ts) never starts it, and gets the
 *   columns the engine would describe;
 * - every startup reports ENGINE_SERVER_VERSION, which must be what the bundled PGlite says;
 * - sessions that need it at once share one start; a start that fails gives that statement
 *   DYNASQL_ERR_CATALOG_ENGINE and the next statement tries again; close() during a start leaves
 *   nothing running (a child process that closes mid-start exits on its own);
 * - the data directory after the mirror DDL is saved in the cache folder, and a later start from the
 *   same DDL loads it instead of running the DDL again.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Catalog, type Connection } from '../../src/index.js';
import { CatalogEngine, ENGINE_SERVER_VERSION, type EngineSession } from '../../src/pgwire/catalog-engine.js';
import { catalogMirrorDdl, quoteIdent, readerRoleDdl } from '../../src/pgwire/catalog-mirror.js';
import { engineSnapshotPath, mirrorSnapshotPath } from '../../src/pgwire/engine-thread.js';
import { startPgServer, type PgServer } from '../../src/pgwire/index.js';
import { pgTypeOf } from '../../src/pgwire/pg-types.js';
import { describePlainRead, plainReadTables } from '../../src/pgwire/plain-read.js';

const ENGINE_CACHE = join(tmpdir(), 'dynasql-pgwire-test-engine');
const SESSION: EngineSession = { id: 1, startupSettings: new Map(), setStatements: [], tempTableDdl: [] };

let emulator: RunningEmulator;
let conn: Connection;
let catalog: Catalog;
let server: PgServer;
const logs: string[] = [];
const starts = () => logs.filter((line) => line.includes('catalog engine started')).length;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 40 });
  conn = await connect(`Url=${emulator.url};Page Size=10`);
  catalog = await conn.catalog();
  server = await startPgServer({ connection: conn, port: 0, orgUrl: emulator.url, trust: true, engineCacheDirectory: ENGINE_CACHE, log: (line) => logs.push(line) });
});

afterAll(async () => {
  await server?.close();
  await conn?.close();
  await emulator?.close();
});

/** a node-postgres client, with the ParameterStatus values its startup reported */
async function client(): Promise<{ c: pg.Client; reported: Map<string, string> }> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bi', database: 'dynamics' });
  const reported = new Map<string, string>();
  (c as unknown as { connection: NodeJS.EventEmitter }).connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => reported.set(m.parameterName, m.parameterValue));
  await c.connect();
  return { c, reported };
}

describe('the catalog engine starts when a statement needs it', () => {
  it('never starts for a client that only reads Dynamics tables, simple or extended protocol', async () => {
    const { c, reported } = await client();
    try {
      expect(reported.get('server_version')).toBe(ENGINE_SERVER_VERSION);
      const simple = await c.query('select accountid, name as account_name, revenue from emulator.account where revenue > 0 order by name limit 3');
      const extended = await c.query({ name: 'plain', text: 'SELECT a.* FROM account AS a ORDER BY a.name FETCH FIRST 2 ROWS ONLY' });
      const expected = await conn.query('SELECT accountid, name, revenue FROM account WHERE revenue > 0 ORDER BY name LIMIT 3', undefined, { dialect: 'postgresql' });
      expect(simple.rows.map((r) => r.accountid)).toEqual(expected.rows.map((r) => r['accountid']));
      expect(simple.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual([['accountid', 2950, -1], ['account_name', 25, -1], ['revenue', 1700, ((19 << 16) | 4) + 4]]);
      expect(extended.rows).toHaveLength(2);
      expect(starts()).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('starts once for two sessions that need it at once; SHOW server_version is what every startup reported', async () => {
    const [a, b] = await Promise.all([client(), client()]);
    try {
      const [va, vb] = await Promise.all([a.c.query('show server_version'), b.c.query('select current_setting($1) as v', ['server_version'])]);
      expect([va.rows[0].server_version, vb.rows[0].v]).toEqual([ENGINE_SERVER_VERSION, ENGINE_SERVER_VERSION]);
      expect(starts()).toBe(1);
      // started, it answers catalog questions over the tables the plain reads used
      const columns = await a.c.query("select count(*)::int as n from information_schema.columns where table_schema = 'emulator' and table_name = 'account'");
      expect(columns.rows[0].n).toBeGreaterThan(10);
    } finally {
      await Promise.all([a.c.end(), b.c.end()]);
    }
  }, 120_000);
});

describe('plain reads', () => {
  it('are described as the engine describes them, for every column type of the catalog', async () => {
    const schema = server.schema;
    // enough tables to hold every column type the catalog has (the whole mirror's DDL takes long)
    const types = new Set<string>();
    const tables = catalog.tables.filter((t) => {
      const own = t.columns.filter((c) => c.kind !== 'navigation').map((c) => pgTypeOf(c.sqlType).ddl);
      const adds = own.some((d) => !types.has(d));
      own.forEach((d) => types.add(d));
      return adds || t.name === 'account';
    });
    expect(types.size).toBeGreaterThan(8);
    const mirror = catalogMirrorDdl({ ...catalog, tables }, schema);
    const lines: string[] = [];
    const engine = new CatalogEngine({ mirrorDdl: mirror.tables, readerDdl: readerRoleDdl(schema), procedureDdl: [], timeoutMs: 30_000, snapshotPath: engineSnapshotPath(ENGINE_CACHE) }, (line) => lines.push(line));
    try {
      // a statement cancelled while the engine starts stops waiting; the start goes on for the next one
      await expect(engine.describe(SESSION, 'select 1', [], AbortSignal.timeout(100))).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
      const context = { tables: plainReadTables(catalog), schema, customSearchPath: false, tempNames: new Set<string>() };
      const statements = tables.map((t) => `select * from ${schema}.${quoteIdent(t.name)}`);
      statements.push('select accountid as id, a.name, revenue from account a where name like \'A%\' order by 1 limit 5 offset 1');
      for (const sql of statements) {
        const plain = describePlainRead(sql, context);
        const described = await engine.describe(SESSION, sql, []);
        if (!('parameterTypes' in described) || !described.fields) throw new Error(`the engine did not describe ${sql}`);
        const shape = (f: { name: string; typeOid: number; typeModifier: number; typeSize: number }) => [f.name, f.typeOid, f.typeModifier, f.typeSize];
        expect(plain?.map(shape), sql).toEqual(described.fields.map(shape));
      }
      expect(lines.filter((l) => l.includes('catalog engine started'))).toHaveLength(1);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('are only the one-table shape: anything that may read another relation or name its columns otherwise goes to the engine', () => {
    const context = { tables: plainReadTables(catalog), schema: 'emulator', customSearchPath: false, tempNames: new Set(['mytemp']) };
    for (const sql of [
      'select count(*) from account',
      'select name from account where revenue > $1',
      'select name from account, contact',
      'select name from account a join contact c on c.parentcustomerid = a.accountid',
      'select name from account where accountid in (select parentcustomerid from contact)',
      'select name from account union select fullname from contact',
      'select name from other.account',
      'select name from pg_class',
      'select nosuchcolumn from account',
      'select contact.fullname from account',
      'select distinct name from account',
      'select name n from account',
      'select name from account group by name',
      'select name from account for update',
      'select * from mytemp',
    ]) expect(describePlainRead(sql, context), sql).toBeUndefined();
    expect(describePlainRead('select name from account', { ...context, customSearchPath: true })).toBeUndefined();
    expect(describePlainRead('select name from public.account', { ...context, customSearchPath: true })?.map((f) => f.name)).toEqual(['name']);
  });
});

describe('a start that fails, and close() during a start', () => {
  it('a failed start gives the statement DYNASQL_ERR_CATALOG_ENGINE, and the next statement tries again', async () => {
    const lines: string[] = [];
    const engine = new CatalogEngine({ mirrorDdl: 'CREATE TABLE broken (', readerDdl: readerRoleDdl('emulator'), procedureDdl: [], timeoutMs: 30_000, snapshotPath: engineSnapshotPath(ENGINE_CACHE) }, (line) => lines.push(line));
    try {
      for (let attempt = 1; attempt <= 2; attempt++) {
        await expect(engine.simpleQuery(SESSION, 'select 1')).rejects.toMatchObject({ code: 'DYNASQL_ERR_CATALOG_ENGINE', message: expect.stringContaining('did not start') });
        expect(lines.filter((l) => l.includes('did not start'))).toHaveLength(attempt);
      }
      expect(engine.running).toBe(false);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('a process whose server closes while the engine starts exits on its own; the waiting statement gets DYNASQL_ERR_CLOSED', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'engine-close-child.ts'), ENGINE_CACHE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // generous: a child held by a worker left running is killed here, and the test fails
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    clearTimeout(killer);
    expect({ code, signal, err }).toEqual({ code: 0, signal: null, err: '' });
    expect(out.trim()).toBe('DYNASQL_ERR_CLOSED DYNASQL_ERR_CLOSED');
  }, 60_000);
});

describe('the built mirror, kept in the cache folder', () => {
  it('is saved once and loaded by the next start from the same DDL (which would fail if it ran again); the four most recently used are kept', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'dynasql-engine-cache-'));
    try {
      const snapshotPath = engineSnapshotPath(cache);
      // the pristine data directory the other tests saved spares this folder an initdb
      if (existsSync(engineSnapshotPath(ENGINE_CACHE))) copyFileSync(engineSnapshotPath(ENGINE_CACHE), snapshotPath);
      const setup = { mirrorDdl: 'CREATE SCHEMA emulator; CREATE TABLE emulator.kept (a int);', readerDdl: readerRoleDdl('emulator'), procedureDdl: [], timeoutMs: 30_000, snapshotPath };
      const saved = mirrorSnapshotPath(snapshotPath, [setup.mirrorDdl, readerRoleDdl('emulator')]);
      // four older mirrors of this engine version: the oldest goes when the new one is saved
      const older = [1, 2, 3, 4].map((n) => join(cache, basename(saved).replace(/-mirror-[0-9a-f]+/, `-mirror-${'0'.repeat(15)}${n}`)));
      older.forEach((file, i) => {
        writeFileSync(file, '');
        utimesSync(file, 1_000_000 + i, 1_000_000 + i);
      });
      const lines: string[] = [];
      for (let start = 1; start <= 2; start++) {
        const engine = new CatalogEngine(setup, (line) => lines.push(line));
        try {
          await engine.simpleQuery(SESSION, 'select 1');
          expect(existsSync(saved)).toBe(true);
        } finally {
          await engine.close();
        }
      }
      expect(lines.filter((l) => l.includes('catalog engine started'))).toEqual([
        expect.not.stringContaining('from the cache'),
        expect.stringContaining('the mirror loaded from the cache'),
      ]);
      expect(readdirSync(cache).filter((f) => f.includes('-mirror-')).sort()).toEqual([...older.slice(1), saved].map((f) => basename(f)).sort());
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 120_000);
});
