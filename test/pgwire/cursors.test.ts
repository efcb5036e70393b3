/**
 * SQL-level cursors over Dynamics tables (DECLARE / FETCH / MOVE / CLOSE, WITH HOLD) paging the
 * service only as far as the client fetches, and SQL-level PREPARE / EXECUTE / DEALLOCATE over
 * Dynamics statements, against the real driver on the real emulator (issue 17).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startRealServer, type RealServer } from './real-server.js';

let real: RealServer;
/** every account name in the cursor's order, read through the driver */
let names: string[];

beforeAll(async () => {
  // Page Size=5: 40 accounts are 8 pages
  real = await startRealServer({ rows: 40 });
  names = (await real.conn.query('SELECT name FROM account ORDER BY name, accountid')).rows.map((r) => r.name as string);
}, 180_000);

afterAll(async () => {
  await real?.close();
});

const QUERY = 'select name from account order by name, accountid';
/** the emulator's GETs of the account set since `from` (pages of the cursor's query) */
const pagesSince = (from: number) => real.emulator.requests().slice(from).filter((r) => r.method === 'GET' && /\/accounts\b/.test(r.url)).length;
const column = (rows: { name: string }[]) => rows.map((r) => r.name);

describe('cursors over Dynamics tables', () => {
  it('FETCH and MOVE page the service only as far as asked; FETCH ALL reads the rest; CLOSE stops it', async () => {
    expect(names).toHaveLength(40);
    const c = await real.client();
    try {
      await c.query('begin');
      const before = real.emulator.requests().length;
      await c.query(`declare c no scroll cursor without hold for ${QUERY}`);
      expect(column((await c.query('fetch 3 from c')).rows)).toEqual(names.slice(0, 3));
      expect(pagesSince(before)).toBe(1);
      expect(column((await c.query('fetch forward 4 in c')).rows)).toEqual(names.slice(3, 7));
      expect(pagesSince(before)).toBe(2);
      const moved = await c.query('move forward 5 c');
      expect([moved.command, moved.rowCount, moved.rows]).toEqual(['MOVE', 5, []]);
      expect(column((await c.query('fetch next from c')).rows)).toEqual(names.slice(12, 13));
      expect(column((await c.query('fetch c')).rows)).toEqual(names.slice(13, 14));
      expect(pagesSince(before)).toBe(3);
      const rest = await c.query('fetch all from c');
      expect([rest.command, column(rest.rows)]).toEqual(['FETCH', names.slice(14)]);
      expect((await c.query('fetch 10 from c')).rows).toEqual([]);
      expect(pagesSince(before)).toBe(8);
      await c.query('close c');
      expect(await errorOf(c.query('fetch 1 from c'))).toMatchObject({ code: '34000' });
      await c.query('rollback');
    } finally {
      await c.end();
    }
  });

  it('a cursor closed early reads no further pages', async () => {
    const c = await real.client();
    try {
      await c.query('begin');
      const before = real.emulator.requests().length;
      await c.query(`declare early cursor for ${QUERY}`);
      expect(column((await c.query('fetch 2 from early')).rows)).toEqual(names.slice(0, 2));
      await c.query('close early');
      await c.query('commit');
      expect(pagesSince(before)).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('WITH HOLD cursors live outside blocks and past COMMIT; others end with their block; ROLLBACK drops the block’s', async () => {
    const c = await real.client();
    try {
      expect(await errorOf(c.query(`declare plain cursor for ${QUERY}`))).toMatchObject({ code: '25P01' });
      await c.query(`declare "Held" cursor with hold for ${QUERY}`);
      expect(column((await c.query('fetch 2 from "Held"')).rows)).toEqual(names.slice(0, 2));
      await c.query('begin');
      await c.query(`declare inblock cursor for ${QUERY}`);
      await c.query(`declare heldinblock cursor with hold for ${QUERY}`);
      await c.query('commit');
      expect(await errorOf(c.query('fetch 1 from inblock'))).toMatchObject({ code: '34000' });
      expect(column((await c.query('fetch 1 from heldinblock')).rows)).toEqual(names.slice(0, 1));
      await c.query('begin');
      await c.query(`declare dropped cursor with hold for ${QUERY}`);
      expect(column((await c.query('fetch 3 from "Held"')).rows)).toEqual(names.slice(2, 5));
      await c.query('rollback');
      expect(await errorOf(c.query('fetch 1 from dropped'))).toMatchObject({ code: '34000' });
      expect(column((await c.query('fetch 1 from "Held"')).rows)).toEqual(names.slice(5, 6));
      expect(await errorOf(c.query(`declare "Held" cursor with hold for ${QUERY}`))).toMatchObject({ code: '42P03' });
      await c.query('close all');
      expect(await errorOf(c.query('fetch 1 from "Held"'))).toMatchObject({ code: '34000' });
    } finally {
      await c.end();
    }
  });

  it('refuses backward and absolute moves and SCROLL; passes parameters to the cursor query', async () => {
    const c = await real.client();
    try {
      await c.query('begin');
      expect(await errorOf(c.query(`declare s scroll cursor for ${QUERY}`))).toMatchObject({ code: '0A000' });
      await c.query('rollback');
      await c.query('begin');
      await c.query(`declare f cursor for ${QUERY}`);
      for (const sql of ['fetch prior from f', 'fetch backward 2 from f', 'fetch absolute 3 from f', 'fetch -1 from f', 'move last in f']) {
        expect({ sql, code: (await errorOf(c.query(sql))).code }).toEqual({ sql, code: '55000' });
        await c.query('rollback');
        await c.query('begin');
        await c.query(`declare f cursor for ${QUERY}`);
      }
      await c.query('rollback');
      // a BINARY cursor sends its rows in binary format (node-postgres reads text-like binary values as
      // UTF-8 even so, in the simple protocol; other binary values it would misread, so only a name here)
      await c.query('begin');
      await c.query("declare b binary cursor for select name from account where name = 'Adventure Works (sample)'");
      const binary = await c.query('fetch all from b');
      expect(binary.fields.map((f) => f.format)).toEqual(['binary']);
      expect(binary.rows).toEqual([{ name: 'Adventure Works (sample)' }]);
      await c.query('commit');
      // the extended protocol: DECLARE with a parameter
      await c.query('begin');
      await c.query('declare p cursor for select name from account where name = $1', ['Adventure Works (sample)']);
      expect((await c.query('fetch all from p')).rows).toEqual([{ name: 'Adventure Works (sample)' }]);
      await c.query('commit');
    } finally {
      await c.end();
    }
  });
});

describe('PREPARE / EXECUTE / DEALLOCATE', () => {
  it('runs prepared reads and writes over Dynamics tables and catalogs, with typed and cast arguments', async () => {
    const c = await real.client();
    try {
      await c.query('prepare byname (text) as select name, numberofemployees from account where name = $1');
      const account = (await real.conn.query("SELECT name, numberofemployees FROM account WHERE name = 'Adventure Works (sample)'")).rows[0]!;
      expect((await c.query("execute byname('Adventure Works (sample)')")).rows).toEqual([account]);
      expect((await c.query('execute byname($1)', ['Adventure Works (sample)'])).rows).toEqual([account]);
      await c.query('prepare bigger (int, numeric(10,2)) as select count(*) as n from account where numberofemployees > $1 and revenue > $2');
      const expected = (await real.conn.query('SELECT count(*) AS n FROM account WHERE numberofemployees > 1000 AND revenue > 500000.5')).rows[0]!.n;
      expect((await c.query("execute bigger(500 * 2, '500000.50'::numeric)")).rows).toEqual([{ n: String(expected) }]);
      await c.query('prepare phone as update account set telephone1 = $1 where name = $2');
      const updated = await c.query("execute phone('555-0199', 'Adventure Works (sample)')");
      expect([updated.command, updated.rowCount]).toEqual(['UPDATE', 1]);
      expect((await real.conn.query("SELECT telephone1 FROM account WHERE name = 'Adventure Works (sample)'")).rows).toEqual([{ telephone1: '555-0199' }]);
      await c.query('prepare catalog as select relname from pg_class where relname = $1');
      expect((await c.query("execute catalog('pg_type')")).rows).toEqual([{ relname: 'pg_type' }]);
      expect(await errorOf(c.query("execute byname('a', 'b')"))).toMatchObject({ code: '42601' });
      expect(await errorOf(c.query('prepare byname as select 1'))).toMatchObject({ code: '42P05' });
      await c.query('deallocate byname');
      expect(await errorOf(c.query("execute byname('x')"))).toMatchObject({ code: '26000' });
      await c.query('deallocate all');
      expect(await errorOf(c.query("execute catalog('pg_type')"))).toMatchObject({ code: '26000' });
      // a read-only session refuses a prepared write too
      await c.query('prepare phone2 as update account set telephone1 = $1 where name = $2');
      await c.query('set default_transaction_read_only = on');
      expect(await errorOf(c.query("execute phone2('555-0100', 'Adventure Works (sample)')"))).toMatchObject({ code: '25006' });
    } finally {
      await c.end();
    }
  });
});
