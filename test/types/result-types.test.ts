/**
 * The types a result reports (QueryResult columns) are the T-SQL types of its expressions, end to end
 * against the emulator, with push-down on and off. Each expected type is a documented T-SQL rule:
 * aggregates (SUM/AVG of int are int, of money money, of decimal(p,s) decimal(38,s) and
 * decimal(38,max(s,6)); COUNT int, COUNT_BIG bigint), arithmetic (int / int is int, money op int is
 * money, decimal precision and scale by the formulas of "Precision, scale, and length", float wins),
 * literals (an integer past 2,147,483,647 is a decimal, `1.50` decimal(3,2), `'abc'` varchar(3), `N'abc'` nvarchar(3)),
 * strings (`+` adds lengths, nvarchar wins), CASE / COALESCE take the highest
 * precedence, ISNULL its first argument's type, and the date functions their documented types.
 *
 * The catalog's columns used: numberofemployees int, versionnumber bigint, revenue money,
 * exchangerate decimal(38,10), address1_latitude float, name nvarchar(max), createdon datetime2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 20 });
  pushed = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
});

type Expected = { type: string; length?: number; precision?: number; scale?: number };

const dec = (precision: number, scale: number): Expected => ({ type: 'decimal', precision, scale });
const MONEY: Expected = { type: 'money', precision: 19, scale: 4 };
const INT: Expected = { type: 'int' };
const BIGINT: Expected = { type: 'bigint' };
const FLOAT: Expected = { type: 'float' };

/** expression → its T-SQL result type */
const TSQL: [string, Expected][] = [
  // aggregates
  ['AVG(numberofemployees)', INT],
  ['SUM(numberofemployees)', INT],
  ['MIN(numberofemployees)', INT],
  ['SUM(versionnumber)', BIGINT],
  ['AVG(versionnumber)', BIGINT],
  ['SUM(revenue)', MONEY],
  ['AVG(revenue)', MONEY],
  ['MAX(revenue)', MONEY],
  ['SUM(exchangerate)', dec(38, 10)],
  ['AVG(exchangerate)', dec(38, 10)],
  ['AVG(CAST(revenue AS decimal(12,2)))', dec(38, 6)],
  ['SUM(CAST(revenue AS decimal(12,2)))', dec(38, 2)],
  // every decimal shape: SUM keeps the scale at precision 38, AVG takes max(s, 6), MIN / MAX keep the type (fuzz KNOWN #35)
  ['COALESCE(revenue, 4858000.0)', dec(19, 4)],
  ['AVG(COALESCE(revenue, 4858000.0))', dec(38, 6)],
  ['SUM(COALESCE(revenue, 4858000.0))', dec(38, 4)],
  ['MIN(COALESCE(revenue, 4858000.0))', dec(19, 4)],
  ['MAX(COALESCE(revenue, 4858000.0))', dec(19, 4)],
  ['ISNULL(revenue, 4858000.0)', MONEY],
  ['AVG(ISNULL(revenue, 4858000.0))', MONEY],
  ['MIN(exchangerate)', dec(38, 10)],
  ['MAX(CAST(revenue AS decimal(12,2)))', dec(12, 2)],
  ['AVG(CAST(revenue AS decimal(12,0)))', dec(38, 6)],
  ['SUM(CAST(revenue AS decimal(12,0)))', dec(38, 0)],
  ['AVG(CAST(revenue AS decimal(20,6)))', dec(38, 6)],
  ['AVG(CAST(revenue AS decimal(20,8)))', dec(38, 8)],
  ['AVG(numberofemployees * 1.5)', dec(38, 6)],
  ['SUM(numberofemployees * 1.5)', dec(38, 1)],
  ['SUM(address1_latitude)', FLOAT],
  ['COUNT(*)', INT],
  ['COUNT(name)', INT],
  ['COUNT_BIG(name)', BIGINT],
  // integer and money arithmetic
  ['numberofemployees / 4', INT],
  ['numberofemployees % 3', INT],
  ['CAST(1 AS bigint) + 1', BIGINT],
  ['CAST(1 AS tinyint) + CAST(2 AS tinyint)', { type: 'tinyint' }],
  ['revenue / 3', MONEY],
  ['revenue * numberofemployees', MONEY],
  ['revenue / revenue', MONEY],
  ['numberofemployees + address1_latitude', FLOAT],
  // decimals: precision and scale by the documented formulas
  ['revenue + 1.5', dec(20, 4)],
  ['numberofemployees * 1.5', dec(13, 1)],
  ['1 + 1.5', dec(3, 1)],
  ['1.0 / 3', dec(7, 6)],
  ['2147483649 / 2', dec(16, 6)],
  ['CAST(1 AS decimal(10,2)) + CAST(1 AS decimal(10,3))', dec(12, 3)],
  ['CAST(1 AS decimal(10,2)) * CAST(1 AS decimal(10,3))', dec(21, 5)],
  ['CAST(1 AS decimal(10,2)) / CAST(1 AS decimal(10,3))', dec(24, 13)],
  ['CAST(1 AS decimal(30,20)) * CAST(1 AS decimal(30,20))', dec(38, 17)],
  ['CAST(1 AS decimal(30,10)) * CAST(1 AS decimal(30,10))', dec(38, 6)],
  ['revenue * exchangerate', dec(38, 6)],
  // literals
  ['1', INT],
  ['2147483648', dec(10, 0)],
  ['1.50', dec(3, 2)],
  ['1e3', FLOAT],
  ["'abc'", { type: 'varchar', length: 3 }],
  ["N'abc'", { type: 'nvarchar', length: 3 }],
  // strings
  ["'a' + 'bc'", { type: 'varchar', length: 3 }],
  ["N'a' + 'bc'", { type: 'nvarchar', length: 3 }],
  ["CAST(name AS nvarchar(100)) + N'x'", { type: 'nvarchar', length: 101 }],
  ["CAST(name AS varchar(5000)) + CAST(name AS varchar(5000))", { type: 'varchar', length: 8000 }],
  ["name + 'x'", { type: 'nvarchar' }],
  ['CAST(name AS varchar(10))', { type: 'varchar', length: 10 }],
  ['LEN(CAST(name AS nvarchar(100)))', INT],
  ['LEN(name)', BIGINT],
  ["CHARINDEX('a', CAST(name AS nvarchar(100)))", INT],
  ["STRING_AGG(CAST(name AS varchar(50)), ',')", { type: 'varchar', length: 8000 }],
  // CASE, COALESCE, ISNULL, IIF, NULLIF
  ['CASE WHEN numberofemployees > 1 THEN 1 ELSE 2.5 END', dec(2, 1)],
  ['IIF(numberofemployees > 1, 1, 2.5)', dec(2, 1)],
  ['COALESCE(numberofemployees, revenue)', MONEY],
  ['ISNULL(numberofemployees, 2.5)', INT],
  ['ISNULL(NULL, revenue)', MONEY],
  ['NULLIF(numberofemployees, 0)', INT],
  ["ISNULL(CASE WHEN numberofemployees > 1 THEN '2024-08-06' END, '2024-07-15T12:00:00')", { type: 'varchar', length: 10 }],
  // dates
  ['GETDATE()', { type: 'datetime' }],
  ['GETUTCDATE()', { type: 'datetime' }],
  ['SYSUTCDATETIME()', { type: 'datetime2', precision: 7 }],
  ['EOMONTH(createdon)', { type: 'date' }],
  ['DATEDIFF(day, createdon, createdon)', INT],
  ['DATEDIFF_BIG(day, createdon, createdon)', BIGINT],
  ['DATEADD(day, 1, createdon)', { type: 'datetime2', precision: 7 }],
  ["DATEADD(day, 1, '2024-01-01')", { type: 'datetime' }],
  ['ROW_NUMBER() OVER (ORDER BY name)', BIGINT],
  // LAG / LEAD: the expression's type, the default converted to it (fuzz KNOWN #33)
  ['LEAD(revenue, 1, 4858000.0) OVER (ORDER BY createdon DESC, accountid)', MONEY],
  ['LAG(numberofemployees, 2, 2.5) OVER (ORDER BY accountid)', INT],
];

/** PostgreSQL's own rules where they differ: AVG of an integer and integer division's operands */
const POSTGRESQL: [string, Expected][] = [
  ['COUNT(*)', BIGINT],
  ['SUM(numberofemployees)', BIGINT],
  ['numberofemployees / 4', INT],
];

async function typeOf(conn: Connection, expression: string, dialect: 'tsql' | 'postgresql'): Promise<unknown> {
  const sql = dialect === 'tsql' ? `SELECT TOP 1 ${expression} AS x FROM account` : `SELECT ${expression} AS x FROM account LIMIT 1`;
  const result = await conn.query(sql, undefined, { dialect });
  const { name: _name, ...type } = result.columns[0]!;
  return type;
}

describe('result column types are the T-SQL types of the expressions', () => {
  it.each(TSQL)('%s', async (expression, expected) => {
    expect(await typeOf(pushed, expression, 'tsql')).toEqual(expected);
    expect(await typeOf(local, expression, 'tsql')).toEqual(expected);
  });

  it.each(POSTGRESQL)('PostgreSQL dialect: %s', async (expression, expected) => {
    expect(await typeOf(pushed, expression, 'postgresql')).toEqual(expected);
  });

  it("PostgreSQL dialect: AVG of an integer is numeric (a decimal), not T-SQL's int", async () => {
    expect(await typeOf(pushed, 'AVG(numberofemployees)', 'postgresql')).toMatchObject({ type: 'decimal' });
  });
});

describe('a decimal product past DuckDB\'s 38-digit scale', () => {
  it('CAST(123456789.5 AS decimal(30,20)) * CAST(2.25 AS decimal(30,20)) is decimal(38,17) 277777776.375, not an error', async () => {
    const r = await local.query('SELECT TOP 1 CAST(123456789.5 AS decimal(30,20)) * CAST(2.25 AS decimal(30,20)) AS x FROM account');
    expect(r.columns[0]).toEqual({ name: 'x', type: 'decimal', precision: 38, scale: 17 });
    expect(r.rows[0]!.x).toBe('277777776.375');
  });
});
