/**
 * JavaScript clients against the adapter serving the real driver on the real emulator (issue 17):
 * node-postgres with cast parameters, postgres.js (extended protocol, its own type handling) and
 * Kysely's query builder over node-postgres. (`= ANY($1)` with an array parameter waits for the
 * PostgreSQL dialect's arrays: the translator answers "Unknown function ANY" today.)
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startRealServer, USER, type RealServer } from './real-server.js';

let real: RealServer;
const NAME = 'Adventure Works (sample)';

beforeAll(async () => {
  real = await startRealServer({ rows: 40 });
}, 180_000);

afterAll(async () => {
  await real?.close();
});

/** the driver's own answer for a PostgreSQL-dialect statement */
const expected = async (statement: string, params: unknown[] = []) => (await real.conn.query(statement, params, { dialect: 'postgresql' })).rows;

describe('JavaScript clients', () => {
  it('node-postgres: cast parameters ($1::int, $1::timestamptz)', async () => {
    const c = await real.client();
    try {
      const byCast = await c.query('select name from account where numberofemployees > $1::int order by name, accountid limit $2::int', ['1000', '3']);
      expect(byCast.rows).toEqual(await expected('select name from account where numberofemployees > 1000 order by name, accountid limit 3'));
      const since = await c.query('select count(*)::int as n from account where createdon >= $1::timestamptz', ['2000-01-01T00:00:00Z']);
      expect(since.rows).toEqual([{ n: 40 }]);
    } finally {
      await c.end();
    }
  });

  it('postgres.js: tagged queries with parameters, a LIMIT parameter, a transaction that writes', async () => {
    const db = postgres({ host: '127.0.0.1', port: real.server.port, user: USER, password: PASSWORD, database: 'dynamics', ssl: false, max: 1, idle_timeout: 1 });
    try {
      const rows = await db`select name, numberofemployees from account where name = ${NAME}`;
      expect([...rows]).toEqual(await expected('select name, numberofemployees from account where name = $1', [NAME]));
      const top = await db`select name from account order by name, accountid limit ${3}`;
      expect(top.map((r) => r.name)).toEqual((await expected('select name from account order by name, accountid limit 3')).map((r) => r.name));
      const changed = await db.begin(async (tx) => tx`update account set telephone1 = ${'555-0142'} where name = ${NAME}`);
      expect(changed.count).toBe(1);
      expect(await expected('select telephone1 from account where name = $1', [NAME])).toEqual([{ telephone1: '555-0142' }]);
    } finally {
      await db.end();
    }
  });

  it('Kysely over node-postgres: select/where/orderBy/limit/offset, a join, an aggregate', async () => {
    interface Database {
      account: { accountid: string; name: string; numberofemployees: number | null; primarycontactid: string | null };
      contact: { contactid: string; fullname: string | null };
    }
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ host: '127.0.0.1', port: real.server.port, user: USER, password: PASSWORD, database: 'dynamics', max: 1 }) }),
    });
    try {
      const page = await db.selectFrom('account').select(['name', 'numberofemployees']).where('numberofemployees', '>', 1000).orderBy('name').orderBy('accountid').limit(4).offset(2).execute();
      expect(page).toEqual(await expected('select name, numberofemployees from account where numberofemployees > 1000 order by name, accountid limit 4 offset 2'));
      const joined = await db.selectFrom('account as a').innerJoin('contact as c', 'c.contactid', 'a.primarycontactid').select(['a.name', 'c.fullname']).where('a.name', '=', NAME).execute();
      expect(joined).toEqual(await expected('select a.name, c.fullname from account a join contact c on c.contactid = a.primarycontactid where a.name = $1', [NAME]));
      const counted = await db.selectFrom('account').select((eb) => [eb.fn.countAll<string>().as('n'), sql<number>`max(numberofemployees)`.as('m')]).executeTakeFirstOrThrow();
      const [want] = await expected('select count(*) as n, max(numberofemployees) as m from account');
      expect({ n: Number(counted.n), m: counted.m }).toEqual({ n: Number(want!.n), m: want!.m });
    } finally {
      await db.destroy();
    }
  });
});
