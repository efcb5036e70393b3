/**
 * Temporary tables over the Postgres adapter (issue 17): CREATE TEMP TABLE (columns, AS query),
 * INSERT, SELECT, joins with Dynamics tables, UPDATE, DELETE, TRUNCATE, DROP, ON COMMIT, transactions,
 * read-only sessions, pg_catalog, shadowing, and one session's tables unseen by another, through
 * node-postgres against the real driver on the emulator. Nothing of them ever goes to the service.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startRealServer, type RealServer } from './real-server.js';

let real: RealServer;
let client: pg.Client;
interface Account { accountid: string; name: string; address1_city: string | null; revenue: number | null }
let accounts: Account[];

beforeAll(async () => {
  real = await startRealServer({ rows: 30 });
  client = await real.client();
  accounts = (await real.conn.query('SELECT accountid, name, address1_city, revenue FROM account')).rows as unknown as Account[];
}, 180_000);

afterAll(async () => {
  await client?.end();
  await real?.close();
});

/** the service requests a statement sent (method and decoded URL) */
async function requestsOf(run: () => Promise<unknown>): Promise<string[]> {
  const before = real.emulator.requests().length;
  await run();
  return real.emulator.requests().slice(before).map((r) => `${r.method} ${decodeURIComponent(r.url)}`);
}

describe('temporary tables', () => {
  it('CREATE, INSERT … VALUES with parameters, SELECT, UPDATE, DELETE, TRUNCATE, DROP: nothing goes to the service', async () => {
    const sent = await requestsOf(async () => {
      expect((await client.query('CREATE TEMP TABLE picks (id int NOT NULL, label varchar(10), amount numeric(10,2), seen_at timestamptz, ok boolean)')).command).toBe('CREATE');
      const inserted = await client.query('INSERT INTO picks VALUES ($1, $2, $3, $4, true), (2, \'two\', 2.5, null, false)', [1, 'one', '10.25', '2024-05-01T10:00:00Z']);
      expect(inserted.rowCount).toBe(2);
      await client.query("INSERT INTO picks (label, id) VALUES ('three', 3)");
      const rows = await client.query('SELECT id, label, amount, seen_at, ok FROM picks ORDER BY id');
      expect(rows.rows).toEqual([
        { id: 1, label: 'one', amount: '10.25', seen_at: new Date('2024-05-01T10:00:00Z'), ok: true },
        { id: 2, label: 'two', amount: '2.50', seen_at: null, ok: false },
        { id: 3, label: 'three', amount: null, seen_at: null, ok: null },
      ]);
      expect(rows.fields.map((f) => f.dataTypeID)).toEqual([23, 1043, 1700, 1184, 16]);
      const updated = await client.query("UPDATE picks SET label = upper(label), amount = amount * 2 WHERE id <= $1", [2]);
      expect(updated.rowCount).toBe(2);
      expect((await client.query('SELECT label, amount FROM picks ORDER BY id')).rows).toEqual([
        { label: 'ONE', amount: '20.50' }, { label: 'TWO', amount: '5.00' }, { label: 'three', amount: null },
      ]);
      expect((await client.query('DELETE FROM picks p WHERE p.amount IS NULL')).rowCount).toBe(1);
      expect((await client.query('SELECT count(*)::int AS n FROM picks')).rows).toEqual([{ n: 2 }]);
      await client.query('TRUNCATE picks');
      expect((await client.query('SELECT count(*)::int AS n FROM picks')).rows).toEqual([{ n: 0 }]);
      expect((await client.query('DROP TABLE picks')).command).toBe('DROP');
    });
    expect(sent).toEqual([]);
    expect((await errorOf(client.query('SELECT * FROM picks'))).code).toBe('42P01');
  });

  it('errors as PostgreSQL words them: NOT NULL, an existing name, too long a value, an unknown column', async () => {
    await client.query('CREATE TEMP TABLE strict (id int NOT NULL, code varchar(3))');
    expect(await errorOf(client.query('INSERT INTO strict (code) VALUES ($1)', ['abc']))).toMatchObject({ code: '23502' });
    expect(await errorOf(client.query('CREATE TEMP TABLE strict (x int)'))).toMatchObject({ code: '42P07', message: 'relation "strict" already exists' });
    expect((await client.query('CREATE TEMP TABLE IF NOT EXISTS strict (x int)')).command).toBe('CREATE');
    expect(await errorOf(client.query("INSERT INTO strict VALUES (1, 'abcd')"))).toMatchObject({ code: '22001' });
    expect(await errorOf(client.query('UPDATE strict SET nope = 1'))).toMatchObject({ code: '42703' });
    expect(await errorOf(client.query('CREATE TEMP TABLE keyed (id int PRIMARY KEY)'))).toMatchObject({ code: '0A000' });
    expect(await errorOf(client.query('CREATE TEMP TABLE arrays (v int[])'))).toMatchObject({ code: '0A000' });
    expect((await errorOf(client.query('SELECT * FROM arrays'))).code).toBe('42P01');
    await client.query('DROP TABLE strict');
  });

  it('CREATE TEMP TABLE … AS a Dynamics query (pushed down), INSERT … SELECT, and a join back to account', async () => {
    const city = accounts.find((a) => a.address1_city)!.address1_city!;
    const inCity = accounts.filter((a) => a.address1_city === city);
    const sent = await requestsOf(() => client.query('CREATE TEMP TABLE city_accounts AS SELECT accountid, name, revenue FROM account WHERE address1_city = $1', [city]));
    expect(sent.every((r) => r.includes('$filter=address1_city eq'))).toBe(true);
    expect((await client.query('SELECT count(*)::int AS n FROM city_accounts')).rows[0].n).toBe(inCity.length);
    // the columns are typed as PostgreSQL's CREATE TABLE AS types them from account's
    const described = await client.query('SELECT accountid, name, revenue FROM city_accounts LIMIT 1');
    const source = await client.query('SELECT accountid, name, revenue FROM account LIMIT 1');
    expect(described.fields.map((f) => [f.dataTypeID, f.dataTypeModifier])).toEqual(source.fields.map((f) => [f.dataTypeID, f.dataTypeModifier]));
    expect(described.fields[0]!.dataTypeID).toBe(2950);
    const other = accounts.find((a) => a.address1_city !== city)!;
    const added = await client.query('INSERT INTO city_accounts (accountid, name) SELECT accountid, name FROM account WHERE accountid = $1', [other.accountid]);
    expect(added.rowCount).toBe(1);
    const joined = await client.query('SELECT a.name, a.address1_city FROM account a JOIN city_accounts c ON c.accountid = a.accountid ORDER BY a.name');
    expect(joined.rows).toEqual([...inCity, other].map((a) => ({ name: a.name, address1_city: a.address1_city })).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
    await client.query('DROP TABLE city_accounts');
    const empty = await client.query('CREATE TEMP TABLE no_rows AS SELECT name FROM account WITH NO DATA');
    expect([empty.command, empty.rowCount]).toEqual(['CREATE', null]);
    expect((await client.query('SELECT name FROM no_rows')).rows).toEqual([]);
    await client.query('DROP TABLE no_rows');
  });

  it('a join on a key with a temp table asks the service for the temp table\'s keys only (inner, IN (SELECT …), the optional side of an outer join)', async () => {
    const picked = accounts.slice(0, 3);
    await client.query('CREATE TEMP TABLE picked (id uuid, label text)');
    await client.query(`INSERT INTO picked VALUES ${picked.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}, (NULL, 'none')`, picked.flatMap((a) => [a.accountid, a.name]));
    const names = picked.map((a) => a.name).sort();
    const keyFilter = (property: string, values: string[]) => `$filter=Microsoft.Dynamics.CRM.In(PropertyName='${property}',PropertyValues=[${values.map((v) => JSON.stringify(v)).join(',')}])`;
    const ids = picked.map((a) => a.accountid);
    for (const sql of [
      'SELECT a.name FROM account a JOIN picked p ON p.id = a.accountid ORDER BY 1',
      'SELECT a.name FROM account a WHERE a.accountid IN (SELECT id FROM picked WHERE label <> $1) ORDER BY 1',
      'SELECT a.name FROM picked p LEFT JOIN account a ON a.accountid = p.id WHERE a.name IS NOT NULL ORDER BY 1',
    ]) {
      let rows: unknown[] = [];
      const sent = await requestsOf(async () => (rows = (await client.query(sql, sql.includes('$1') ? ['x'] : [])).rows));
      expect(rows, sql).toEqual(names.map((name) => ({ name })));
      expect(sent, sql).toHaveLength(1);
      expect(sent[0], sql).toContain(keyFilter('accountid', ids));
    }
    // by name: the strings go as they are; the preserved side of an outer join is read whole
    const byName = await requestsOf(() => client.query('SELECT a.accountid FROM picked p JOIN account a ON a.name = p.label'));
    expect(byName[0]).toContain(keyFilter('name', [...picked.map((a) => a.name), 'none']));
    const preserved = await requestsOf(() => client.query('SELECT a.name, p.label FROM account a LEFT JOIN picked p ON p.id = a.accountid'));
    expect(preserved[0]).not.toContain('$filter');
    await client.query('DROP TABLE picked');
  });

  it('every column type: PostgreSQL\'s type in the catalogs, its OID and modifier in results, its values back; SELECT … INTO TEMP', async () => {
    const types = ['smallint', 'integer', 'bigint', 'numeric', 'numeric(8,2)', 'real', 'double precision', 'boolean', 'text', 'character varying(5)',
      'character(3)', 'uuid', 'timestamp with time zone', 'timestamp without time zone', 'date', 'bytea'];
    await client.query(`CREATE TEMP TABLE typed (${types.map((t, i) => `c${i} ${t}`).join(', ')})`);
    await client.query("INSERT INTO typed VALUES (1, 2, 9007199254740993, 4.5, 6.25, 7.5, 8.25, true, 'text', 'vc', 'ch', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', "
      + "'2024-01-02 03:04:05+02', '2024-01-02 03:04:05', '2024-01-02', '\\x0102')");
    const catalog = await client.query("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'typed'::regclass AND attnum > 0 ORDER BY attnum");
    expect(catalog.rows.map((r) => r.t)).toEqual(types);
    const result = await client.query({ text: 'SELECT * FROM typed', types: { getTypeParser: () => (value: string) => value } });
    expect(result.fields.map((f) => [f.dataTypeID, f.dataTypeModifier])).toEqual([
      [21, -1], [23, -1], [20, -1], [1700, -1], [1700, (8 << 16) + 2 + 4], [700, -1], [701, -1], [16, -1], [25, -1], [1043, 9],
      [1042, 7], [2950, -1], [1184, -1], [1114, -1], [1082, -1], [17, -1],
    ]);
    expect(Object.values(result.rows[0])).toEqual(['1', '2', '9007199254740993', '4.5', '6.25', '7.5', '8.25', 't', 'text', 'vc', 'ch ',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-02 01:04:05+00', '2024-01-02 03:04:05', '2024-01-02', '\\x0102']);
    expect(await errorOf(client.query('INSERT INTO typed (c0) VALUES (99999)'))).toMatchObject({ code: '22003' });
    await client.query('DROP TABLE typed');

    const rich = accounts.filter((a) => a.revenue !== null && a.revenue > 100);
    const into = await client.query('SELECT name, revenue INTO TEMP TABLE rich FROM account WHERE revenue > $1', [100]);
    expect([into.command, into.rowCount]).toEqual(['SELECT', rich.length]);
    expect((await client.query('SELECT count(*)::int AS n FROM rich')).rows[0].n).toBe(rich.length);
    await client.query('DROP TABLE rich');
  });

  it('a temp table hides the Dynamics table of its name; pg_catalog and information_schema show it in pg_temp', async () => {
    await client.query("CREATE TEMP TABLE account (name text)");
    await client.query("INSERT INTO account VALUES ('only me')");
    expect((await client.query('SELECT name FROM account')).rows).toEqual([{ name: 'only me' }]);
    const listed = await client.query("SELECT table_schema LIKE 'pg_temp%' AS temp, table_type FROM information_schema.tables WHERE table_name = 'account' ORDER BY 1");
    expect(listed.rows).toEqual([{ temp: false, table_type: 'BASE TABLE' }, { temp: false, table_type: 'BASE TABLE' }, { temp: true, table_type: 'LOCAL TEMPORARY' }]);
    const other = await real.client();
    try {
      // another session sees the Dynamics table, and no temp table in the catalogs
      expect((await other.query('SELECT count(*)::int AS n FROM account')).rows[0].n).toBe(accounts.length);
      expect((await other.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'account' AND relpersistence = 't'")).rows[0].n).toBe(0);
    } finally {
      await other.end();
    }
    expect((await client.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'account' AND relpersistence = 't'")).rows[0].n).toBe(1);
    await client.query('DROP TABLE account');
    expect((await client.query('SELECT count(*)::int AS n FROM account')).rows[0].n).toBe(accounts.length);
  });

  it('ON COMMIT DROP / DELETE ROWS, ROLLBACK and ROLLBACK TO SAVEPOINT undo their changes, read-only sessions may write them', async () => {
    await client.query('CREATE TEMP TABLE kept (n int) ON COMMIT DELETE ROWS');
    await client.query('INSERT INTO kept VALUES (1)');
    expect((await client.query('SELECT count(*)::int AS n FROM kept')).rows[0].n).toBe(0);
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE gone (n int) ON COMMIT DROP');
    await client.query('INSERT INTO kept VALUES (1), (2)');
    await client.query('INSERT INTO gone SELECT n FROM kept');
    expect((await client.query('SELECT count(*)::int AS n FROM gone')).rows[0].n).toBe(2);
    await client.query('COMMIT');
    expect((await errorOf(client.query('SELECT * FROM gone'))).code).toBe('42P01');
    expect((await client.query('SELECT count(*)::int AS n FROM kept')).rows[0].n).toBe(0);

    await client.query('CREATE TEMP TABLE undone (n int)');
    await client.query('INSERT INTO undone VALUES (1)');
    await client.query('BEGIN');
    await client.query('INSERT INTO undone VALUES (2)');
    await client.query('SAVEPOINT s');
    await client.query('DELETE FROM undone');
    await client.query('ROLLBACK TO SAVEPOINT s');
    expect((await client.query('SELECT count(*)::int AS n FROM undone')).rows[0].n).toBe(2);
    await client.query('CREATE TEMP TABLE fresh (n int)');
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*)::int AS n FROM undone')).rows[0].n).toBe(1);
    expect((await errorOf(client.query('SELECT * FROM fresh'))).code).toBe('42P01');

    await client.query('BEGIN READ ONLY');
    await client.query('INSERT INTO undone VALUES (5)');
    expect(await errorOf(client.query('CREATE TEMP TABLE nope (n int)'))).toMatchObject({ code: '25006', message: 'cannot execute CREATE TABLE in a read-only transaction' });
    await client.query('ROLLBACK');
    await client.query('DROP TABLE kept, undone');
  });

  it('an ETL write-back: INSERT INTO a Dynamics table SELECT … FROM a temp table, DELETE … WHERE key IN (SELECT … FROM it), refused in a read-only block', async () => {
    await client.query('CREATE TEMP TABLE staging (name text, city text)');
    await client.query("INSERT INTO staging VALUES ('etl one', 'Oslo'), ('etl two', 'Bergen')");
    const sent = await requestsOf(async () => expect((await client.query('INSERT INTO account (name, address1_city) SELECT name, city FROM staging')).rowCount).toBe(2));
    expect(sent).toEqual(['POST /api/data/v9.2/$batch']);
    expect((await real.conn.query("SELECT name, address1_city FROM account WHERE name LIKE 'etl %' ORDER BY name")).rows).toEqual([
      { name: 'etl one', address1_city: 'Oslo' }, { name: 'etl two', address1_city: 'Bergen' },
    ]);
    // dbt's delete+insert: the rows to delete are found by the temp table's keys, not by reading account whole
    const deleted = await requestsOf(async () => expect((await client.query('DELETE FROM account WHERE name IN (SELECT name FROM staging)')).rowCount).toBe(2));
    expect(deleted[0]).toContain(`$filter=Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=["etl one","etl two"])`);
    expect((await real.conn.query("SELECT count(*) AS n FROM account WHERE name LIKE 'etl %'")).rows).toEqual([{ n: 0 }]);
    await client.query('BEGIN READ ONLY');
    expect(await errorOf(client.query('INSERT INTO account (name) SELECT name FROM staging'))).toMatchObject({ code: '25006' });
    await client.query('ROLLBACK');
    await client.query('DROP TABLE staging');
  });

  it('vanish when the session ends', async () => {
    const other = await real.client();
    await other.query('CREATE TEMP TABLE mine (n int)');
    await other.end();
    const next = await real.client();
    try {
      expect((await next.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'mine'")).rows[0].n).toBe(0);
    } finally {
      await next.end();
    }
  });
});
