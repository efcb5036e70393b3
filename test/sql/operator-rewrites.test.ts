/** `$1::INTEGER`, `substring(x FROM a FOR b)`, `IS [NOT] DISTINCT FROM`, PostgreSQL's `||` of bytes (issues 14 and 17), parsed and run. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { parseSql, type Select } from '../../src/sql/index.js';
import { parseWrite } from '../../src/sql/write-parse.js';

const select = (sql: string, dialect: 'tsql' | 'postgresql' = 'postgresql') => parseSql(sql, dialect).statement.query as Select;

describe('parsing', () => {
  it('$1::INTEGER is a cast of the parameter, LIMIT $2::INTEGER a limit', () => {
    const q = select('SELECT name FROM account WHERE revenue > $1::INTEGER ORDER BY name LIMIT $2::INTEGER');
    expect(q.where).toMatchObject({ right: { kind: 'cast', expr: { kind: 'param', ref: 0 }, type: { name: 'INTEGER' } } });
    expect(q.limit).toEqual({ kind: 'param', ref: 1 });
  });

  it('substring(x FROM a FOR b) is substring(x, a, b)', () => {
    expect(select('SELECT substring(name FROM 2 FOR 3) FROM account').columns[0]!.expr).toMatchObject({ kind: 'function', name: 'SUBSTRING', args: [{ name: 'name' }, { value: '2' }, { value: '3' }] });
    expect(select('SELECT substring(name FOR 3) FROM account').columns[0]!.expr).toMatchObject({ args: [{ name: 'name' }, { value: '1' }, { value: '3' }] });
  });

  it('IS DISTINCT FROM takes casts on its operands; a user cannot write the rewrite\'s own name', () => {
    const where = select('SELECT 1 FROM account WHERE revenue::int IS DISTINCT FROM $1::int AND name = $2').where;
    expect(where).toMatchObject({ op: 'AND', left: { kind: 'binary', op: '=', left: { kind: 'case' } } });
    expect(() => select('SELECT __DYNASQL_IS_DISTINCT_FROM(a, b) FROM t')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
  });

  it('writes get the same rewrites: INSERT … SELECT … OFFSET 3 LIMIT 2, DELETE … IS NOT DISTINCT FROM $1::uuid', () => {
    const insert = parseWrite('INSERT INTO account (name) SELECT name FROM account ORDER BY name OFFSET 3 LIMIT 2', 'postgresql').statement;
    expect(insert).toMatchObject({ kind: 'insert', query: { limit: { value: '2' }, offset: { value: '3' } } });
    const del = parseWrite('DELETE FROM account WHERE parentaccountid IS NOT DISTINCT FROM $1::uuid', 'postgresql').statement;
    expect(del).toMatchObject({ kind: 'delete', where: { kind: 'binary', op: '=', left: { kind: 'case' } } });
  });

  it('IS DISTINCT FROM next to a comparison, LIKE or BETWEEN is refused rather than regrouped', () => {
    for (const where of ['x = a IS DISTINCT FROM b', 'a IS DISTINCT FROM b = c', 'x BETWEEN 1 AND a IS DISTINCT FROM b', "a IS NOT DISTINCT FROM b LIKE 'x'"]) {
      expect(() => select(`SELECT 1 FROM account WHERE ${where}`), where).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' }));
    }
  });

  it('IS DISTINCT FROM inside the operand of another (KNOWN.md #40): the inner one becomes the outer one\'s operand', () => {
    const where = select('SELECT t0.name FROM account t0 WHERE (CASE WHEN (t0.name IS DISTINCT FROM NULL) THEN t0.revenue END IS DISTINCT FROM NULL)', 'tsql').where;
    // outer: CASE over the inner CASE's value; the inner comparison sits in that CASE's WHEN
    expect(where).toMatchObject({ op: '=', left: { kind: 'case', whens: [{ when: { op: 'AND', left: { kind: 'isNull', expr: { kind: 'case', whens: [{ when: { op: '=', left: { kind: 'case' } } }] } } } }, {}] } });
    const right = select('SELECT 1 FROM account WHERE name IS NOT DISTINCT FROM (CASE WHEN revenue IS DISTINCT FROM $1 THEN name END)').where;
    expect(right).toMatchObject({ op: '=', left: { kind: 'case' } });
  });

  it('IS DISTINCT FROM takes the arithmetic around it into its operands, and stops at AND / OR', () => {
    for (const dialect of ['tsql', 'postgresql'] as const) {
      const where = select('SELECT 1 FROM account WHERE revenue + 1 IS NOT DISTINCT FROM numberofemployees * 2 OR industrycode = 1', dialect).where;
      expect(where).toMatchObject({
        op: 'OR',
        left: { op: '=', left: { kind: 'case', whens: [{ when: { left: { expr: { op: '+' } }, right: { expr: { op: '*' } } } }, {}] }, right: { value: '1' } },
        right: { op: '=', left: { name: 'industrycode' } },
      });
      const cased = select('SELECT 1 FROM account WHERE -revenue IS DISTINCT FROM CASE WHEN name = @a THEN 1 END - 3 AND name = @b', dialect).where;
      expect(cased).toMatchObject({ op: 'AND', left: { op: '=', left: { kind: 'case' }, right: { value: '0' } }, right: { op: '=' } });
    }
  });
});

describe('against the emulator', () => {
  let emulator: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, rows: 30 });
    conn = await connect(`Url=${emulator.url}`);
  }, 60_000);
  afterAll(async () => {
    await conn?.close();
    await emulator?.close();
  });

  it('PostgreSQL: casts on parameters, LIMIT $2::INTEGER, substring FROM … FOR', async () => {
    const all = (await conn.query('SELECT name FROM account ORDER BY name, accountid')).rows.map((r) => String(r.name));
    const { rows } = await conn.query('SELECT substring(name FROM 1 FOR 3) AS s FROM account WHERE numberofemployees >= $1::INTEGER ORDER BY name, accountid LIMIT $2::INTEGER', [0, 4], { dialect: 'postgresql' });
    expect(rows.length).toBeLessThanOrEqual(4);
    for (const row of rows) expect(String(row.s)).toHaveLength(3);
    expect(all.length).toBeGreaterThan(4);
  });

  it('KNOWN.md #39: PostgreSQL $1 || $2 of two byte arrays is bytes (bytea || bytea is bytea), through a CTE, a derived table and a comparison', async () => {
    const [a, b] = [new Uint8Array([0xff]), new Uint8Array([0x00, 0x00])];
    const appended = Buffer.from([0xff, 0x00, 0x00]);
    const selected = await conn.query('SELECT ($1 || $2) AS b1 FROM account t0', [a, b], { dialect: 'postgresql' });
    expect(selected.columns[0]).toMatchObject({ type: 'varbinary', length: 3 });
    expect(selected.rows.length).toBeGreaterThan(0);
    for (const row of selected.rows) expect(Buffer.from(row.b1 as Uint8Array).equals(appended)).toBe(true);
    const nullNames = Number((await conn.query('SELECT COUNT(*) AS n FROM account t0 WHERE t0.name IS NULL')).rows[0]!.n);
    const cte = await conn.query('WITH w AS (SELECT t0.name AS c0, ($1 || $2) AS b2 FROM account t0) SELECT d.b2 AS o1 FROM w d WHERE d.c0 IS NULL', [a, b], { dialect: 'postgresql' });
    expect(cte.columns[0]).toMatchObject({ type: 'varbinary' });
    expect(cte.rows.length).toBe(nullNames);
    const contacts = Number((await conn.query('SELECT COUNT(*) AS n FROM contact')).rows[0]!.n);
    const compared = await conn.query('SELECT d.b3 FROM (SELECT ($1 || $2) AS b3 FROM contact t0) d WHERE d.b3 > $3', [a, b, new Uint8Array([0xfe])], { dialect: 'postgresql' });
    expect(compared.rows.length).toBe(contacts);
    expect(Buffer.from(compared.rows[0]!.b3 as Uint8Array).equals(appended)).toBe(true);
    const none = await conn.query('SELECT d.b3 FROM (SELECT ($1 || $2) AS b3 FROM contact t0) d WHERE d.b3 > $3', [a, b, new Uint8Array([0xff, 0x01])], { dialect: 'postgresql' });
    expect(none.rows).toHaveLength(0);
  });

  it('KNOWN.md #40: IS DISTINCT FROM nested in a CASE (T-SQL) and in an EXISTS inside a CASE (PostgreSQL) gives the rows of the same question written with IS NULL / OR', async () => {
    const names = async (sql: string, params: unknown[] = [], dialect: 'tsql' | 'postgresql' = 'tsql') =>
      (await conn.query(sql, params, { dialect })).rows.map((r) => String(r.name)).sort();
    const nested = await names('SELECT t0.name FROM account t0 WHERE (CASE WHEN (t0.name IS DISTINCT FROM NULL) THEN t0.revenue END IS DISTINCT FROM NULL)');
    const plain = await names('SELECT t0.name FROM account t0 WHERE t0.name IS NOT NULL AND t0.revenue IS NOT NULL');
    expect(nested).toEqual(plain);
    expect(plain.length).toBeGreaterThan(0);
    const all = await names('SELECT t0.name FROM account t0');
    expect(plain.length).toBeLessThan(all.length);

    const pgNested = await names('SELECT t0.fullname AS name FROM contact t0 WHERE (CASE WHEN EXISTS (SELECT 1 FROM contact s1 WHERE s1.lastname = t0.lastname AND (s1.donotphone IS DISTINCT FROM $1)) THEN t0.donotemail ELSE 1 END IS DISTINCT FROM 1)', [true], 'postgresql');
    const pgPlain = await names('SELECT t0.fullname AS name FROM contact t0 WHERE EXISTS (SELECT 1 FROM contact s1 WHERE s1.lastname = t0.lastname AND (s1.donotphone <> $1 OR s1.donotphone IS NULL)) AND (t0.donotemail IS NULL OR t0.donotemail <> 1)', [true], 'postgresql');
    expect(pgNested).toEqual(pgPlain);
    expect(pgPlain.length).toBeGreaterThan(0);
  });

  for (const dialect of ['tsql', 'postgresql'] as const) {
    it(`${dialect}: IS NOT DISTINCT FROM treats two NULLs as equal; IS DISTINCT FROM is its exact negation`, async () => {
      const total = Number((await conn.query('SELECT COUNT(*) AS n FROM account')).rows[0]!.n);
      const nulls = Number((await conn.query('SELECT COUNT(*) AS n FROM account WHERE parentaccountid IS NULL')).rows[0]!.n);
      expect(nulls).toBeGreaterThan(0);
      const same = await conn.query('SELECT COUNT(*) AS n FROM account WHERE parentaccountid IS NOT DISTINCT FROM NULL', [], { dialect });
      expect(Number(same.rows[0]!.n)).toBe(nulls);
      const different = await conn.query('SELECT COUNT(*) AS n FROM account WHERE parentaccountid IS DISTINCT FROM NULL', [], { dialect });
      expect(Number(different.rows[0]!.n)).toBe(total - nulls);
      const negated = await conn.query('SELECT COUNT(*) AS n FROM account WHERE NOT (name IS DISTINCT FROM name)', [], { dialect });
      expect(Number(negated.rows[0]!.n)).toBe(total);
    });
  }
});
