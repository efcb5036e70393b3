/**
 * Python clients from Debian's packages against the adapter serving the real driver on the real
 * emulator (issue 17): psycopg 3 (a named server-side cursor, copy(), binary cursors), SQLAlchemy ORM queries
 * (Debian bookworm ships 1.4 only: it runs in 2.0 style, future=True, over psycopg2; and SQLAlchemy 2.0's
 * psycopg 3 dialect replayed statement for statement through psycopg 3) and psqlODBC
 * through pyodbc with UseDeclareFetch=1. One Python process per client, all its cases in it.
 * `npm run test:setup` installs the packages; in CI (CI=1) a missing one fails the test.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startRealServer, USER, type RealServer } from './real-server.js';

const run = promisify(execFile);
/** Debian's interpreter, which the python3-* packages install into */
const PYTHON = '/usr/bin/python3';
const FIXTURES = join(import.meta.dirname, 'fixtures');
const PSQLODBC = readdirSync('/usr/lib')
  .map((arch) => join('/usr/lib', arch, 'odbc', 'psqlodbcw.so'))
  .find((path) => existsSync(path)) ?? 'psqlodbcw.so (odbc-postgresql is not installed)';

let real: RealServer;
/** account names in the probes' order, read through the driver */
let names: string[];

beforeAll(async () => {
  real = await startRealServer({ rows: 40 });
  names = (await real.conn.query('SELECT name FROM account ORDER BY name, accountid')).rows.map((r) => r.name as string);
}, 180_000);

afterAll(async () => {
  await real?.close();
});

async function probe(script: string, target: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(PYTHON, [join(FIXTURES, script), target], { timeout: 120_000, env: { ...process.env, PGSSLMODE: 'disable' } });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const url = (scheme: string) => `${scheme}://${USER}:${PASSWORD}@127.0.0.1:${real.server.port}/dynamics`;

describe('Python clients', () => {
  it('psycopg 3: a named cursor fetched in parts, copy() in CSV and in rows, server-bound parameters, binary results of every type', async () => {
    const { rows } = await real.conn.query('SELECT name, numberofemployees FROM account WHERE numberofemployees > 1000 ORDER BY name, accountid');
    const before = real.emulator.requests().length;
    const out = await probe('psycopg_probe.py', `${url('postgresql')}?sslmode=disable`);
    expect(out.first).toEqual(rows.slice(0, 3).map((r) => [r.name, r.numberofemployees]));
    expect(out.description).toEqual(['name', 'numberofemployees']);
    expect(out.next).toEqual(rows.slice(3, 5).map((r) => [r.name, r.numberofemployees]));
    expect(out.rest).toBe(rows.length - 5);
    const copy = (out.copy as string).trimEnd().split('\n');
    expect(copy[0]).toBe('name,revenue');
    expect(copy.slice(1).map((l) => l.replace(/^"(.*)",/, '$1,').split(',')[0])).toEqual(names.slice(0, 5).map((n) => n.replace(/^"|"$/g, '')));
    expect(out.copyRows).toBe(40);
    expect(out.param).toEqual([['Adventure Works (sample)']]);
    expect(real.emulator.requests().length).toBeGreaterThan(before);
    // binary results (issue 17): psycopg's binary loaders read what its text loaders read, for every type
    const temp = [
      ['Decimal:-1234.500', 'datetime:2024-05-01 10:00:00.123000+00:00', 'UUID:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'bool:True', 'int:9007199254740993',
        'float:1.5e+300', "bytes:b'\\x00\\xff\\x10'", 'date:1999-12-31', 'timedelta:121 days, 10:00:00.123000', 'timedelta:-1 day, 2:00:00'],
      [null, null, null, null, null, null, null, null, null, 'timedelta:-1 day, 2:00:00'],
    ];
    expect(out.binaryFormats).toEqual(Array(10).fill(1));
    expect(out.binaryTemp).toEqual(temp);
    expect(out.textTemp).toEqual(temp);
    const [account] = (await real.conn.query("SELECT accountid, revenue, donotemail, numberofemployees FROM account WHERE name = 'Adventure Works (sample)'")).rows;
    expect(out.binaryCursorFormats).toEqual(Array(8).fill(1));
    expect(out.binaryCursor).toEqual(out.textCursor);
    const [cursorRow] = out.binaryCursor as string[][];
    expect(cursorRow!.map((v) => v.slice(0, v.indexOf(':')))).toEqual(['UUID', 'Decimal', 'datetime', 'bool', 'int', 'float', 'date', 'timedelta']);
    expect(cursorRow!.slice(0, 2)).toEqual([`UUID:${account!.accountid}`, `Decimal:${Number(account!.revenue).toFixed(4)}`]);
    expect(cursorRow![3]).toBe(`bool:${account!.donotemail ? 'True' : 'False'}`);
    expect(cursorRow![4]).toBe(`int:${account!.numberofemployees}`);
    expect(cursorRow![7]).toBe('timedelta:428 days, 4:05:06.500000');
  }, 150_000);

  it('SQLAlchemy ORM (1.4 in 2.0 style): where/order_by/limit/offset, offset alone, a join, aggregates, an entity', async () => {
    const page = (await real.conn.query('SELECT name, numberofemployees FROM account WHERE numberofemployees > 1000 ORDER BY name, accountid OFFSET 2 ROWS FETCH NEXT 5 ROWS ONLY')).rows;
    const joined = (await real.conn.query("SELECT a.name, c.fullname FROM account a JOIN contact c ON a.primarycontactid = c.contactid WHERE a.name = 'Adventure Works (sample)'")).rows;
    const aggregate = (await real.conn.query('SELECT count(accountid) AS n, max(numberofemployees) AS m FROM account')).rows[0]!;
    const out = await probe('sqlalchemy_probe.py', url('postgresql+psycopg2'));
    expect(out.page).toEqual(page.map((r) => [r.name, r.numberofemployees]));
    expect(out.offsetOnly).toBe(2);
    expect(out.join).toEqual(joined.map((r) => [r.name, r.fullname]));
    expect(out.aggregate).toEqual([[aggregate.n, aggregate.m]]);
    expect(out.entity).toBe('Adventure Works (sample)');
  }, 150_000);

  it('SQLAlchemy 2.0 over psycopg 3, replayed: its connect-time probes and ORM SQL with every parameter cast', async () => {
    const page = (await real.conn.query('SELECT name, numberofemployees FROM account WHERE numberofemployees > 1000 ORDER BY name, accountid OFFSET 2 ROWS FETCH NEXT 5 ROWS ONLY')).rows;
    const joined = (await real.conn.query("SELECT a.name, c.fullname FROM account a JOIN contact c ON a.primarycontactid = c.contactid WHERE c.fullname <> 'no such contact' ORDER BY a.name, a.accountid")).rows;
    const aggregate = (await real.conn.query('SELECT count(accountid) AS n, max(numberofemployees) AS m FROM account')).rows[0]!;
    const out = await probe('sqlalchemy2_sql_probe.py', `${url('postgresql')}?sslmode=disable`);
    expect(out.version).toMatch(/^PostgreSQL \d+\.\d+/);
    expect(out.schema).toBe('public');
    expect(out.standardStrings).toBe('on');
    expect(out.hstore).toBe(false);
    expect(page.length).toBe(5);
    expect(out.page).toEqual(page.map((r) => [r.name, r.numberofemployees]));
    expect(out.pagesAgree).toBe(true);
    expect(out.offsetOnly).toBe(2);
    expect(joined.length).toBeGreaterThan(1);
    expect(out.join).toEqual(joined.map((r) => [r.name, r.fullname]));
    expect(out.aggregate).toEqual([[aggregate.n, aggregate.m]]);
    expect(out.inList).toEqual(['Adventure Works (sample)']);
    expect(out.entity).toBe('Adventure Works (sample)');
  }, 150_000);

  it('psqlODBC with UseDeclareFetch=1 (pyodbc): results read through DECLARE/FETCH', async () => {
    const { rows } = await real.conn.query('SELECT name, numberofemployees FROM account ORDER BY name, accountid');
    const out = await probe('odbc_probe.py', `DRIVER={${PSQLODBC}};SERVER=127.0.0.1;PORT=${real.server.port};DATABASE=dynamics;UID=${USER};PWD=${PASSWORD};SSLmode=disable;UseDeclareFetch=1;Fetch=5`);
    expect(out.first).toEqual(rows.slice(0, 3).map((r) => [r.name, r.numberofemployees]));
    expect(out.total).toBe(40);
    expect(out.param).toEqual([['Adventure Works (sample)']]);
  }, 150_000);
});
