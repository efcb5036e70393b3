/**
 * Python clients from Debian's packages against the adapter serving the real driver on the real
 * emulator (issue 17): psycopg 3 (a named server-side cursor, copy()), SQLAlchemy ORM queries
 * (Debian bookworm ships 1.4 only: it runs in 2.0 style, future=True, over psycopg2) and psqlODBC
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
  it('psycopg 3: a named cursor fetched in parts, copy() in CSV and in rows, server-bound parameters', async () => {
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

  it('psqlODBC with UseDeclareFetch=1 (pyodbc): results read through DECLARE/FETCH', async () => {
    const { rows } = await real.conn.query('SELECT name, numberofemployees FROM account ORDER BY name, accountid');
    const out = await probe('odbc_probe.py', `DRIVER={${PSQLODBC}};SERVER=127.0.0.1;PORT=${real.server.port};DATABASE=dynamics;UID=${USER};PWD=${PASSWORD};SSLmode=disable;UseDeclareFetch=1;Fetch=5`);
    expect(out.first).toEqual(rows.slice(0, 3).map((r) => [r.name, r.numberofemployees]));
    expect(out.total).toBe(40);
    expect(out.param).toEqual([['Adventure Works (sample)']]);
  }, 150_000);
});
