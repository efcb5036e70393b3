/**
 * Bytes as parameters (a Uint8Array or Buffer is a varbinary value) end to end against the emulator,
 * push-down on and off: they come back as they went in, compare as SQL Server compares them (byte by
 * byte, trailing 0x00 bytes not counting: 0x78 = 0x7800), stay local in comparisons (the service has
 * no byte literal), and every implicit conversion of bytes to text or a number is refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 40 });
  pushed = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
});

const bytes = { x: Buffer.from([0x78, 0x00]), short: new Uint8Array([0x78]), y: new Uint8Array([0x79]), empty: new Uint8Array(0), zero: new Uint8Array([0]) };
const hex = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v);

/** the rows (bytes as hex) of a statement, equal with push-down on and off */
async function rows(sql: string, params: Record<string, unknown> | unknown[] = bytes, options?: { dialect: 'postgresql' }) {
  const results = [await pushed.query(sql, params, options), await local.query(sql, params, options)];
  const [a, b] = results.map((r) => r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, hex(v)]))));
  expect(b).toEqual(a);
  expect(results[1]!.columns.map((c) => c.type)).toEqual(results[0]!.columns.map((c) => c.type));
  return { rows: a!, types: results[0]!.columns.map((c) => c.type) };
}

async function refusal(sql: string): Promise<string> {
  const messages: string[] = [];
  for (const conn of [pushed, local]) {
    const error = await conn.query(sql, bytes).then(() => undefined, (e: { code?: string; message: string }) => e);
    expect(error?.code).toBe('DYNASQL_ERR_UNSUPPORTED_SQL');
    messages.push(error!.message);
  }
  return messages[0]!;
}

describe('bytes parameters', () => {
  it('come back as the bytes they were, typed varbinary, in both dialects', async () => {
    const r = await rows('SELECT @x AS b, @empty AS e');
    expect(r.rows).toEqual([{ b: '7800', e: '' }]);
    expect(r.types).toEqual(['varbinary', 'varbinary']);
    const pg = await rows('SELECT $1 AS b', [Buffer.from([7, 8])], { dialect: 'postgresql' });
    expect(pg.rows).toEqual([{ b: '0708' }]);
    const result = await local.query('SELECT TOP 2 name, @x AS b FROM account ORDER BY name', bytes);
    expect(result.rows.map((row) => row.b instanceof Uint8Array && hex(row.b))).toEqual(['7800', '7800']);
  });

  it('compare byte by byte, trailing 0x00 bytes not counting', async () => {
    const r = await rows(`SELECT CASE WHEN @x = @short THEN 1 ELSE 0 END AS eq, CASE WHEN @x < @y THEN 1 ELSE 0 END AS lt,
      CASE WHEN @x > @short THEN 1 ELSE 0 END AS gt, CASE WHEN @empty = @zero THEN 1 ELSE 0 END AS empty_eq,
      CASE WHEN @x IN (@y, @short) THEN 1 ELSE 0 END AS inlist, CASE WHEN @short BETWEEN @x AND @y THEN 1 ELSE 0 END AS btw`);
    expect(r.rows).toEqual([{ eq: 1, lt: 1, gt: 0, empty_eq: 1, inlist: 1, btw: 1 }]);
    const pg = await rows('SELECT CASE WHEN $1 = $2 THEN 1 ELSE 0 END AS eq', [bytes.x, bytes.short], { dialect: 'postgresql' });
    expect(pg.rows).toEqual([{ eq: 1 }]);
  });

  it('group, DISTINCT and UNION as equal values when they differ only by trailing 0x00 bytes, and sort so', async () => {
    expect((await rows('SELECT COUNT(*) AS n FROM (SELECT @x AS b UNION SELECT @short) u')).rows).toEqual([{ n: 1 }]);
    expect((await rows('SELECT COUNT(*) AS n FROM (SELECT DISTINCT b FROM (SELECT @x AS b UNION ALL SELECT @short UNION ALL SELECT @y) t) d')).rows).toEqual([{ n: 2 }]);
    expect((await rows('SELECT COUNT(*) AS g FROM (SELECT b FROM (SELECT @x AS b UNION ALL SELECT @short UNION ALL SELECT @y) t GROUP BY b) d')).rows).toEqual([{ g: 2 }]);
    const sorted = await rows('SELECT b, k FROM (SELECT @y AS b, 1 AS k UNION ALL SELECT @x, 2 UNION ALL SELECT @short, 3) t ORDER BY b, k');
    expect(sorted.rows).toEqual([{ b: '7800', k: 2 }, { b: '78', k: 3 }, { b: '79', k: 1 }]);
  });

  it('pass through COALESCE, CASE, MIN/MAX, LAG; + appends bytes', async () => {
    const r = await rows('SELECT COALESCE(NULL, @y) AS c, IIF(1 = 1, @x, @y) AS i, @x + @y AS joined, (SELECT MAX(b) FROM (SELECT @x AS b UNION ALL SELECT @y) t) AS m');
    expect(r.rows).toEqual([{ c: '79', i: '7800', joined: '780079', m: '79' }]);
    expect(r.types).toEqual(['varbinary', 'varbinary', 'varbinary', 'varbinary']);
  });

  it('stay local when compared with a binary column (no byte literal goes to the service)', async () => {
    expect((await rows('SELECT COUNT(*) AS n FROM account WHERE entityimage IS NULL OR entityimage <> @x')).rows).toEqual([{ n: 40 }]);
    const plan = (await pushed.query('EXPLAIN SELECT name FROM account WHERE entityimage = @x', bytes)).rows.map((row) => String(row.plan)).join('\n');
    expect(plan).not.toMatch(/entityimage eq/);
    expect(plan).toMatch(/Local/);
  });

  it('are refused, by name, where T-SQL would convert them to text or a number', async () => {
    expect(await refusal('SELECT name FROM account WHERE name = @x')).toMatch(/nvarchar.*meeting varbinary/);
    expect(await refusal('SELECT @x + 1 AS c')).toMatch(/varbinary\(2\) meeting int/);
    expect(await refusal('SELECT CAST(@x AS nvarchar(10)) AS c')).toMatch(/CAST of varbinary\(2\) to nvarchar\(10\)/);
    expect(await refusal('SELECT UPPER(@x) AS c')).toMatch(/UPPER of varbinary/);
    expect(await refusal('SELECT @x AS b UNION SELECT name FROM account')).toMatch(/meeting/);
  });
});
