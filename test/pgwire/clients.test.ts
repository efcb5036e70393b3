/**
 * Real Postgres clients from Debian's packages (psql, pgJDBC, psqlODBC through unixODBC) and
 * node-postgres against the adapter, serving the real driver (`connect()`) on the real emulator,
 * all over loopback sockets. `.ci/run` installs the packages.
 * Child processes run asynchronously: the adapter serves them from this same process.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { startPgServer, type PgServer } from '../../src/pgwire/index.js';
import { startCatalogEngine } from './real-server.js';

const run = promisify(execFile);
const USER = 'bi';
const PASSWORD = 'pencil';
const JDBC_JAR = '/usr/share/java/postgresql.jar';
/** Debian installs the driver under the machine's multiarch directory (x86_64-linux-gnu, aarch64-linux-gnu ...). */
const PSQLODBC = readdirSync('/usr/lib')
  .map((arch) => join('/usr/lib', arch, 'odbc', 'psqlodbcw.so'))
  .find((path) => existsSync(path)) ?? 'psqlodbcw.so (odbc-postgresql is not installed)';

let emulator: RunningEmulator;
let conn: Connection;
let server: PgServer;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 40 });
  conn = await connect(`Url=${emulator.url};Use Dynamic Stored Procedures=true`);
  server = await startPgServer({
    connection: conn,
    port: 0,
    orgUrl: emulator.url,
    users: [{ name: USER, password: PASSWORD }],
    engineCacheDirectory: join(tmpdir(), 'dynasql-pgwire-test-engine'),
  });
  // the catalog engine starts with the first statement that needs it; paid here, not by the first test
  await startCatalogEngine(server.port, USER, PASSWORD);
  dir = mkdtempSync(join(tmpdir(), 'pgwire-clients-'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await conn?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The account the tests look at, read through the driver itself. */
async function someAccount(): Promise<{ name: string; revenue: string; accountid: string }> {
  const { rows } = await conn.query("SELECT name, revenue, accountid FROM account WHERE name = 'Adventure Works (sample)'");
  expect(rows).toHaveLength(1);
  return rows[0] as { name: string; revenue: string; accountid: string };
}

const sameDecimal = (a: unknown, b: unknown) => expect(Number(a)).toBeCloseTo(Number(b), 4);

describe('psql', () => {
  const psql = (...commands: string[]) =>
    run('psql', ['-X', '-A', '-F', '|', '-h', '127.0.0.1', '-p', String(server.port), '-U', USER, '-d', 'dynamics', ...commands.flatMap((c) => ['-c', c])], {
      env: { ...process.env, PGPASSWORD: PASSWORD, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '20' },
      timeout: 60_000,
    });

  it('runs a query, \\dt, \\d account and \\dn', async () => {
    const account = await someAccount();
    expect(server.schema).toBe('emulator');
    const { stdout } = await psql(
      "select name, revenue, accountid from emulator.account where name = 'Adventure Works (sample)'",
      '\\dt',
      '\\d account',
      '\\dn',
    );
    const lines = stdout.split('\n');
    expect(lines).toContain('name|revenue|accountid');
    const row = lines[lines.indexOf('name|revenue|accountid') + 1]!.split('|');
    expect(row[0]).toBe(account.name);
    sameDecimal(row[1], account.revenue);
    expect(row[1]).toMatch(/\.\d{4}$/); // numeric(19,4) prints its scale
    expect(row[2]).toBe(account.accountid);
    expect(lines).toContain('public|account|table|postgres');
    expect(lines).toContain('public|contact|table|postgres');
    expect(stdout).toContain('Table "public.account"');
    expect(lines).toContain('accountid|uuid||not null|');
    expect(lines).toContain('revenue|numeric(19,4)|||');
    expect(lines).toContain('createdon|timestamp with time zone|||');
    expect(stdout).toMatch(/"account_pkey" PRIMARY KEY, btree \(accountid\)/);
    expect(stdout).toMatch(/FOREIGN KEY \(parentaccountid\) REFERENCES account\(accountid\)/);
    expect(lines.some((l) => l.startsWith('emulator|'))).toBe(true);
  });

  it('reports a translator error with its SQLSTATE and message', async () => {
    const failure = await psql('\\set VERBOSITY verbose', 'select nme from account').catch((e: { stderr: string }) => e);
    expect((failure as { stderr: string }).stderr).toMatch(/ERROR:\s+42703: .*nme.*Did you mean 'name'/s);
  });
});

/** a node-postgres client connected to the adapter */
async function pgClient(): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, database: 'dynamics' });
  await client.connect();
  return client;
}

describe('node-postgres', () => {
  it('runs a parameterised query with typed results, through unnamed and named statements', async () => {
    const account = await someAccount();
    const client = await pgClient();
    try {
      const sql = 'select name, revenue, createdon, accountid, statecode from account where revenue > $1 and name = $2 order by name';
      const unnamed = await client.query(sql, [1000, account.name]);
      const named = await client.query({ name: 'by-name', text: sql, values: [1000, account.name] });
      const expected = (await conn.query(sql, [1000, account.name], { dialect: 'postgresql' })).rows;
      for (const result of [unnamed, named]) {
        expect(result.rows).toHaveLength(expected.length);
        const [row] = result.rows;
        expect(row.name).toBe(account.name);
        sameDecimal(row.revenue, account.revenue);
        expect(row.createdon).toEqual(expected[0]!.createdon);
        expect(row.accountid).toBe(account.accountid);
        expect(typeof row.statecode).toBe('number');
        expect(result.fields.map((f) => f.dataTypeID)).toEqual([25, 1700, 1184, 2950, 23]);
      }
      const counted = await client.query('select count(*) from emulator.contact where statecode = $1', [0]);
      expect(counted.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['count', 20]]); // named and typed as Postgres would
      expect(counted.rows[0].count).toBe(String((await conn.query('SELECT COUNT(*) AS n FROM contact WHERE statecode = 0')).rows[0]!.n));
      const plan = await client.query('explain select name from account where name = $1', [account.name]);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('/accounts?');
      const catalogRows = await client.query('select column_name, data_type from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = any($3)', [
        'emulator', 'account', ['accountid', 'revenue'],
      ]);
      expect(catalogRows.rows.sort((a, b) => a.column_name.localeCompare(b.column_name))).toEqual([
        { column_name: 'accountid', data_type: 'uuid' },
        { column_name: 'revenue', data_type: 'numeric' },
      ]);
    } finally {
      await client.end();
    }
  });

  it('runs writes through the translator with the command tags clients expect', async () => {
    const account = await someAccount();
    const client = await pgClient();
    try {
      const updated = await client.query('update account set telephone1 = $1 where accountid = $2', ['555-0100', account.accountid]);
      expect([updated.command, updated.rowCount]).toEqual(['UPDATE', 1]);
      const inserted = await client.query('insert into emulator.account (name, revenue) values ($1, $2)', ['Via pgwire', 12.5]);
      expect([inserted.command, inserted.rowCount]).toEqual(['INSERT', 1]);
      expect((await client.query('select name, revenue from account where name = $1', ['Via pgwire'])).rows).toEqual([{ name: 'Via pgwire', revenue: '12.5000' }]);
      const deleted = await client.query('delete from account where name = $1', ['Via pgwire']);
      expect([deleted.command, deleted.rowCount]).toEqual(['DELETE', 1]);
    } finally {
      await client.end();
    }
    const { rows } = await conn.query('SELECT telephone1 FROM account WHERE accountid = @id', { id: account.accountid });
    expect(rows).toEqual([{ telephone1: '555-0100' }]);
    expect((await conn.query("SELECT COUNT(*) AS n FROM account WHERE name = 'Via pgwire'")).rows[0]!.n).toBe(0);
  });

  it('runs a table-valued function (a service function in FROM) through the translator', async () => {
    const client = await pgClient();
    try {
      const { rows } = await client.query('select "Version" from RetrieveVersion() where "Version" like $1', ['9.%']);
      expect(rows).toEqual([{ Version: (await conn.query('SELECT Version FROM RetrieveVersion()')).rows[0]!.Version }]);
      // a function Postgres knows still runs in the catalog engine
      expect((await client.query('select upper($1) as u', ['x'])).rows).toEqual([{ u: 'X' }]);
      // and the driver's own: change tracking's records, a FetchXML query
      const end = await client.query("select change_kind, change_token from changes('account', $1) where change_kind = 'end'", [null]);
      expect(end.rows).toEqual([{ change_kind: 'end', change_token: expect.stringMatching(/^\d+!/) }]);
      const fetched = await client.query(`select count(*)::int as n from fetchxml('<fetch><entity name="account"><attribute name="name"/></entity></fetch>')`);
      expect(fetched.rows).toEqual([{ n: Number((await conn.query('SELECT COUNT(*) AS n FROM account')).rows[0]!.n) }]);
    } finally {
      await client.end();
    }
  });

  it('holds a transaction block\'s writes: ROLLBACK writes nothing, a savepoint drops part, COMMIT writes the rest at once', async () => {
    const client = await pgClient();
    const count = async (pattern: string) => Number((await conn.query('SELECT COUNT(*) AS n FROM account WHERE name LIKE @p', { p: pattern })).rows[0]!.n);
    try {
      await client.query('begin');
      expect((await client.query('insert into account (name) values ($1), ($2)', ['pg-tx-rolled-1', 'pg-tx-rolled-2'])).rowCount).toBe(2);
      expect(await count('pg-tx-rolled-%')).toBe(0);
      await client.query('rollback');
      expect(await count('pg-tx-rolled-%')).toBe(0);

      await client.query('begin');
      await client.query('insert into account (name) values ($1)', ['pg-tx-kept']);
      await client.query('savepoint before_second');
      await client.query('insert into account (name) values ($1)', ['pg-tx-dropped']);
      await client.query('rollback to savepoint before_second');
      // an error aborts the block until ROLLBACK TO, as in Postgres; the held writes survive it
      await expect(client.query('insert into account (nosuchcolumn) values (1)')).rejects.toMatchObject({ code: '42703' });
      await expect(client.query('select 1')).rejects.toMatchObject({ code: '25P02' });
      await client.query('rollback to savepoint before_second');
      await client.query('insert into account (name) values ($1)', ['pg-tx-kept-2']);
      expect(await count('pg-tx-%')).toBe(0);
      const committed = await client.query('commit');
      expect(committed.command).toBe('COMMIT');
      expect(await count('pg-tx-kept%')).toBe(2);
      expect(await count('pg-tx-dropped')).toBe(0);

      // a client that goes away mid-block: its writes are rolled back
      await client.query('begin');
      await client.query('insert into account (name) values ($1)', ['pg-tx-abandoned']);
    } finally {
      await client.end();
    }
    expect(await count('pg-tx-abandoned')).toBe(0);
  });
});

describe('pgJDBC', () => {
  it('reads DatabaseMetaData, runs a prepared statement past the server-side prepare threshold, rolls back and commits with autocommit off, reads binary results of every type', async () => {
    const account = await someAccount();
    const { stdout } = await run('java', ['-cp', JDBC_JAR, join(import.meta.dirname, 'fixtures', 'JdbcProbe.java'),
      `jdbc:postgresql://127.0.0.1:${server.port}/dynamics?sslmode=disable`, USER, PASSWORD, 'emulator', account.name], { timeout: 120_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('PRODUCT PostgreSQL 18');
    expect(lines).toContain('TABLE emulator.account | null');
    expect(lines).toContain('TABLE emulator.contact | null');
    expect(lines).toContain('COLUMN accountid uuid 1111 2147483647 0 NO');
    expect(lines).toContain('COLUMN revenue numeric 2 19 4 YES');
    expect(lines).toContain('COLUMN createdon timestamptz 93 35 6 YES');
    expect(lines).toContain('COLUMN statecode int4 4 10 0 YES');
    expect(lines.filter((l) => l.startsWith('PK '))).toEqual(['PK accountid']);
    expect(lines).toContain('FK parentaccountid -> account.accountid');
    expect(lines).toContain('FK primarycontactid -> contact.contactid');
    const rows = lines.filter((l) => l.startsWith('ROW'));
    expect(rows).toHaveLength(7);
    for (const [i, row] of rows.entries()) {
      expect(row).toContain(`ROW${i + 1} name:text=String(${account.name})`);
      expect(row).toMatch(/revenue:numeric=BigDecimal\(\d+\.\d{4}\)/);
      expect(row).toMatch(/numberofemployees:int4=Integer\(\d+\)/);
      expect(row).toMatch(/createdon:timestamptz=Timestamp\(/);
      expect(row).toContain(`accountid:uuid=UUID(${account.accountid})`);
      expect(row.slice(row.indexOf(' '))).toBe(rows[0]!.slice(rows[0]!.indexOf(' ')));
    }
    expect(lines.filter((l) => l.startsWith('TX '))).toEqual([
      'TX rollback inserted 1', 'TX rollback then 0', 'TX commit inserted 1', 'TX commit then 1',
    ]);
    expect(lines).toContain('SCHEMA public');
    // binary results (prepareThreshold=-1) read by pgJDBC's binary decoders
    const binary = lines.filter((l) => l.startsWith('BINARY'));
    expect(binary[0]).toBe('BINARY numeric=BigDecimal(-1234.500) timestamptz=Timestamp(2024-05-01T10:00:00.123Z) uuid=UUID(a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11) '
      + 'bool=Boolean(true) int8=Long(9007199254740993) float8=Double(1.5E300) bytea=byte[](00ff10) date=Date(1999-12-31)');
    expect(binary[1]).toMatch(new RegExp(`^BINARY numeric=BigDecimal\\(\\d+\\.\\d{4}\\) timestamptz=Timestamp\\(\\S+Z\\) uuid=UUID\\(${account.accountid}\\) bool=Boolean\\((true|false)\\) int8=Long\\(\\d+\\) float8=Double\\(\\S+\\) date=Date\\(\\d{4}-\\d\\d-\\d\\d\\)$`));
  }, 150_000);
});

describe('psqlODBC through unixODBC', () => {
  it('runs a query and lists columns (SQLColumns) with isql', async () => {
    const account = await someAccount();
    writeFileSync(join(dir, 'odbcinst.ini'), `[PostgreSQL Unicode]\nDriver=${PSQLODBC}\n`);
    writeFileSync(join(dir, 'odbc.ini'), [
      '[dynasql]', 'Driver=PostgreSQL Unicode', 'Servername=127.0.0.1', `Port=${server.port}`, 'Database=dynamics', 'SSLmode=disable', '',
    ].join('\n'));
    const isql = run('isql', ['-b', '-d|', '-c', 'dynasql', USER, PASSWORD], {
      env: { ...process.env, ODBCSYSINI: dir, ODBCINI: join(dir, 'odbc.ini') },
      timeout: 60_000,
    });
    isql.child.stdin!.end("select name, revenue, accountid from emulator.account where name = 'Adventure Works (sample)'\nhelp account\n");
    const { stdout } = await isql;
    const lines = stdout.split('\n').map((l) => l.trim());
    const header = lines.indexOf('name|revenue|accountid');
    expect(header).toBeGreaterThanOrEqual(0);
    const [name, revenue, accountid] = lines[header + 1]!.split('|');
    expect(name).toBe(account.name);
    sameDecimal(revenue, account.revenue);
    expect(accountid!.toLowerCase()).toBe(account.accountid); // psqlODBC prints SQL_GUID in upper case
    expect(lines.some((l) => /^dynamics\|public\|account\|accountid\|-11\|uuid\|/.test(l))).toBe(true);
    expect(lines.some((l) => /^dynamics\|public\|account\|revenue\|2\|numeric\|19\|\d+\|4\|/.test(l))).toBe(true);
  }, 90_000);
});
