/**
 * Issue 22 item 1 end to end, against the emulator: a string written as a literal is stored exactly,
 * a WHERE on it matches exactly, and the backslash injection matches nothing, through the driver in
 * both dialects and through the Postgres adapter with node-postgres.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { startPgServer, type PgServer } from '../../src/pgwire/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 12 });
  conn = await connect(`Url=${emulator.url}`);
}, 60_000);

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

const tsql = (s: string) => `N'${s.replaceAll("'", "''")}'`;
const postgres = (s: string) => `'${s.replaceAll("'", "''")}'`;
const escaped = (s: string) => `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** the service keeps what JSON can carry: no lone surrogates; the name column holds 160 characters */
const storable = fc.oneof(
  fc.array(fc.constantFrom("'", "''", '\\', "\\'", '\n', '\r\n', '\t', '%', '_', '[', ']', '"', '--', '/*', ';', '$$', '?', '@x', 'é', '東', '😀', '\u0001', ' OR 1=1 '), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
).map((s) => `lit ${s}`);

async function count(): Promise<number> {
  return Number((await conn.query('SELECT COUNT(*) AS n FROM account')).rows[0]!.n);
}

describe('string literals against the emulator', () => {
  it('an INSERT of any literal stores exactly that string, and WHERE = on the literal finds exactly that row', async () => {
    await fc.assert(fc.asyncProperty(storable, fc.constantFrom('tsql', 'postgresql', 'escape'), async (s, form) => {
      const dialect = form === 'tsql' ? 'tsql' : 'postgresql';
      const literal = form === 'tsql' ? tsql(s) : form === 'escape' ? escaped(s) : postgres(s);
      await conn.query(`INSERT INTO account (name, description) VALUES (${literal}, 'literal round trip')`, [], { dialect });
      const stored = await conn.query(`SELECT accountid, name FROM account WHERE name = ${literal}`, [], { dialect });
      expect(stored.rows.map((r) => r.name)).toContain(s);
      // the service compares case-insensitively; nothing but that string (in some case) may match
      for (const row of stored.rows) expect(String(row.name).toLowerCase()).toBe(s.toLowerCase());
      const id = stored.rows.find((r) => r.name === s)!.accountid;
      const byId = await conn.query('SELECT name FROM account WHERE accountid = @id', { id });
      expect(byId.rows).toEqual([{ name: s }]);
      const deleted = await conn.query(`DELETE FROM account WHERE accountid = @id AND name = ${literal}`, { id }, { dialect });
      expect(deleted.rowCount).toBe(1);
    }), { numRuns: 30 });
  }, 120_000);

  it("INSERT … VALUES ('C:\\new\\table') stores the backslashes, and WHERE name = N'C:\\new\\table' finds it", async () => {
    await conn.query("INSERT INTO account (name) VALUES ('C:\\new\\table')");
    const { rows } = await conn.query("SELECT name FROM account WHERE name = N'C:\\new\\table'");
    expect(rows).toEqual([{ name: 'C:\\new\\table' }]);
    await conn.query("DELETE FROM account WHERE name = 'C:\\new\\table'");
  });

  it("DELETE FROM account WHERE name = N'\\'' OR 1=1 --' deletes nothing; the same WHERE selects nothing", async () => {
    const before = await count();
    expect(before).toBeGreaterThan(5);
    expect((await conn.query("SELECT name FROM account WHERE name = N'\\'' OR 1=1 --'")).rows).toEqual([]);
    expect((await conn.query("DELETE FROM account WHERE name = N'\\'' OR 1=1 --'")).rowCount).toBe(0);
    expect(await count()).toBe(before);
    // with an account of exactly that name, exactly it is selected and deleted
    await conn.query('INSERT INTO account (name) VALUES (@n)', { n: "\\' OR 1=1 --" });
    expect((await conn.query("SELECT name FROM account WHERE name = N'\\'' OR 1=1 --'")).rows).toEqual([{ name: "\\' OR 1=1 --" }]);
    expect((await conn.query("DELETE FROM account WHERE name = N'\\'' OR 1=1 --'")).rowCount).toBe(1);
    expect(await count()).toBe(before);
  });

  it("the PostgreSQL dialect reads '\\'' OR 1=1 --' as one string too", async () => {
    const before = await count();
    expect((await conn.query("select name from account where name = '\\'' OR 1=1 --'", [], { dialect: 'postgresql' })).rows).toEqual([]);
    expect((await conn.query("delete from account where name = '\\'' OR 1=1 --'", [], { dialect: 'postgresql' })).rowCount).toBe(0);
    expect(await count()).toBe(before);
  });
});

describe('string literals through the Postgres adapter (node-postgres)', () => {
  let server: PgServer;
  let client: pg.Client;

  beforeAll(async () => {
    server = await startPgServer({
      connection: conn, port: 0, orgUrl: emulator.url, users: [{ name: 'bi', password: 'pencil' }],
      engineCacheDirectory: join(tmpdir(), 'dynasql-pgwire-test-engine'),
    });
    client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bi', password: 'pencil', database: 'dynamics' });
    await client.connect();
    // the catalog engine starts with the first statement that needs it; paid here, not by the first test
    await client.query('select 1');
  }, 180_000);

  afterAll(async () => {
    await client?.end();
    await server?.close();
  });

  it("'\\'' OR 1=1 --' matches nothing, and deletes nothing", async () => {
    const before = await count();
    expect((await client.query("select name from account where name = '\\'' OR 1=1 --'")).rows).toEqual([]);
    expect((await client.query("delete from account where name = '\\'' OR 1=1 --'")).rowCount).toBe(0);
    expect(await count()).toBe(before);
  });

  it("stores 'C:\\new\\table' and E'tab\\there' exactly, and finds each by its literal", async () => {
    await client.query("insert into account (name) values ('C:\\new\\table'), (E'tab\\there')");
    expect((await client.query("select name from account where name = 'C:\\new\\table'")).rows).toEqual([{ name: 'C:\\new\\table' }]);
    expect((await client.query("select name from account where name = E'tab\\there'")).rows).toEqual([{ name: 'tab\there' }]);
    expect((await client.query("delete from account where name in ('C:\\new\\table', E'tab\\there')")).rowCount).toBe(2);
  });
});
