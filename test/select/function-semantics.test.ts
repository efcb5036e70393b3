/**
 * Every row of the function table (src/plan/functions.ts) has a semantics test here: a statement run
 * end to end through the local engine, its value and result type checked against what T-SQL (or
 * PostgreSQL, for that dialect's functions) documents. A row without a case fails the first test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { CURRENT_USER_ID, functionTable, SERVICE_PREDICATES } from '../../src/plan/index.js';

interface Case { sql: string; value?: unknown; type?: string; dialect?: 'postgresql'; params?: Record<string, unknown> | unknown[]; error?: RegExp }

/** `v` is the value looked at; statements without FROM run locally */
const CASES: Record<string, Case[]> = {
  LEN: [{ sql: "SELECT LEN(' x ') AS v", value: 2, type: 'int' }, { sql: 'SELECT LEN(NULL) AS v', value: null }, { sql: 'SELECT LEN(12.50) AS v', value: 5 }],
  LENGTH: [{ sql: "SELECT LENGTH(' x ') AS v", value: 3, dialect: 'postgresql' }],
  UPPER: [{ sql: "SELECT UPPER('ab') AS v", value: 'AB', type: 'varchar' }],
  LOWER: [{ sql: "SELECT LOWER('AB') AS v", value: 'ab' }],
  LTRIM: [{ sql: "SELECT LTRIM('  a ') AS v", value: 'a ' }],
  RTRIM: [{ sql: "SELECT RTRIM('  a ') AS v", value: '  a' }],
  TRIM: [{ sql: "SELECT TRIM('  a ') AS v", value: 'a' }],
  REVERSE: [{ sql: "SELECT REVERSE('abc') AS v", value: 'cba' }],
  SUBSTRING: [
    { sql: "SELECT SUBSTRING('abcdef', 2, 3) AS v", value: 'bcd' },
    { sql: "SELECT SUBSTRING('abcdef', -1, 3) AS v", value: 'a' },
    { sql: "SELECT SUBSTRING('abcdef', 0, 3) AS v", value: 'ab' },
    { sql: "SELECT SUBSTRING('abcdef', 10, 3) AS v", value: '' },
  ],
  LEFT: [{ sql: "SELECT LEFT('abc', 2) AS v", value: 'ab' }],
  RIGHT: [{ sql: "SELECT RIGHT('abc', 2) AS v", value: 'bc' }],
  REPLACE: [{ sql: "SELECT REPLACE('Sidney', 'D', '*') AS v", value: 'Si*ney' }, { sql: "SELECT REPLACE('a.b', '.', '') AS v", value: 'ab' }],
  CHARINDEX: [
    { sql: "SELECT CHARINDEX('N', 'Contoso Nord') AS v", value: 3, type: 'int' },
    { sql: "SELECT CHARINDEX('o', 'Contoso', 3) AS v", value: 5 },
    { sql: "SELECT CHARINDEX('o', 'Contoso', -4) AS v", value: 2 },
    { sql: "SELECT CHARINDEX('z', 'Contoso') AS v", value: 0 },
  ],
  STRPOS: [{ sql: "SELECT STRPOS('Contoso Nord', 'N') AS v", value: 3, dialect: 'postgresql' }],
  CONCAT: [{ sql: "SELECT CONCAT('a', NULL, 1) AS v", value: 'a1' }],
  CONCAT_WS: [{ sql: "SELECT CONCAT_WS('-', 'a', 'b') AS v", value: 'a-b' }],
  REPLICATE: [{ sql: "SELECT REPLICATE('ab', 2) AS v", value: 'abab' }, { sql: "SELECT REPLICATE('ab', -1) AS v", value: null }],
  SPACE: [{ sql: "SELECT '[' + SPACE(2) + ']' AS v", value: '[  ]' }],
  STUFF: [{ sql: "SELECT STUFF('abcdef', 2, 3, 'XY') AS v", value: 'aXYef' }],
  STARTSWITH: [{ sql: "SELECT CASE WHEN STARTSWITH('Contoso', 'con') THEN 1 ELSE 0 END AS v", value: 1 }],
  ENDSWITH: [{ sql: "SELECT CASE WHEN ENDSWITH('Contoso', 'OSO') THEN 1 ELSE 0 END AS v", value: 1 }],
  ISNULL: [{ sql: 'SELECT ISNULL(NULL, 5) AS v', value: 5, type: 'int' }, { sql: "SELECT ISNULL(CAST(NULL AS varchar(2)), 'abcd') AS v", value: 'ab' }],
  COALESCE: [{ sql: 'SELECT COALESCE(NULL, 1, 2.5) AS v', value: '1', type: 'decimal' }],
  NULLIF: [{ sql: 'SELECT NULLIF(1, 1) AS v', value: null }, { sql: 'SELECT NULLIF(1, 2) AS v', value: 1 }],
  IIF: [{ sql: 'SELECT IIF(NULL = 1, 1, 2) AS v', value: 2 }],
  ABS: [{ sql: 'SELECT ABS(-3) AS v', value: 3, type: 'int' }],
  CEILING: [{ sql: 'SELECT CEILING(1.25) AS v', value: '2', type: 'decimal' }],
  FLOOR: [{ sql: 'SELECT FLOOR(-1.25) AS v', value: '-2' }],
  ROUND: [{ sql: 'SELECT ROUND(1.25, 1) AS v', value: '1.3', type: 'decimal' }, { sql: 'SELECT ROUND(15, -1) AS v', value: 20 }],
  POWER: [{ sql: 'SELECT POWER(2, 0.5) AS v', value: 1, type: 'int' }, { sql: 'SELECT POWER(2, 10) AS v', value: 1024 }],
  SQRT: [{ sql: 'SELECT SQRT(16) AS v', value: 4, type: 'float' }],
  SIGN: [{ sql: 'SELECT SIGN(-5) AS v', value: -1 }],
  EXP: [{ sql: 'SELECT EXP(0) AS v', value: 1 }],
  LOG: [{ sql: 'SELECT LOG(8, 2) AS v', value: 3 }],
  LOG10: [{ sql: 'SELECT LOG10(1000) AS v', value: 3 }],
  PI: [{ sql: 'SELECT ROUND(PI(), 4) AS v', value: 3.1416 }],
  RAND: [{ sql: 'SELECT CASE WHEN RAND() < 1 THEN 1 ELSE 0 END AS v', value: 1 }],
  GETDATE: [{ sql: 'SELECT CASE WHEN GETDATE() > CAST(\'2020-01-01\' AS datetime) THEN 1 ELSE 0 END AS v', value: 1 }],
  GETUTCDATE: [{ sql: 'SELECT DATEDIFF(minute, GETUTCDATE(), SYSUTCDATETIME()) AS v', value: 0 }],
  SYSDATETIME: [{ sql: 'SELECT YEAR(SYSDATETIME()) - YEAR(GETDATE()) AS v', value: 0 }],
  SYSUTCDATETIME: [{ sql: 'SELECT CASE WHEN SYSUTCDATETIME() IS NULL THEN 0 ELSE 1 END AS v', value: 1 }],
  SYSDATETIMEOFFSET: [{ sql: 'SELECT CASE WHEN SYSDATETIMEOFFSET() IS NULL THEN 0 ELSE 1 END AS v', value: 1 }],
  DATEADD: [
    { sql: "SELECT DATEADD(month, 1, '2006-08-31') AS v", value: new Date('2006-09-30T00:00:00Z'), type: 'datetime' },
    { sql: "SELECT DATEADD(day, 1.9, CAST('2024-01-01' AS date)) AS v", value: '2024-01-02', type: 'date' },
  ],
  DATEDIFF: [
    { sql: "SELECT DATEDIFF(year, '2005-12-31 23:59:59', '2006-01-01 00:00:00') AS v", value: 1 },
    // 2024-01-06 is a Saturday, 2024-01-07 a Sunday: one week boundary
    { sql: "SELECT DATEDIFF(week, '2024-01-06', '2024-01-07') AS v", value: 1 },
  ],
  DATEDIFF_BIG: [{ sql: "SELECT DATEDIFF_BIG(day, '2024-01-01', '2024-03-01') AS v", value: 60, type: 'bigint' }],
  DATEPART: [
    // 2007-04-21 is a Saturday: weekday 7, week 16 (DATEFIRST 7)
    { sql: "SELECT DATEPART(weekday, '2007-04-21') AS v", value: 7 },
    { sql: "SELECT DATEPART(week, '2007-04-21') AS v", value: 16 },
    { sql: "SELECT DATEPART(millisecond, '2024-01-01 10:00:01.250') AS v", value: 250 },
  ],
  DATENAME: [{ sql: "SELECT DATENAME(month, '2024-02-03') AS v", value: 'February' }],
  DATETRUNC: [{ sql: "SELECT DATETRUNC(month, CAST('2024-02-03' AS date)) AS v", value: '2024-02-01', type: 'date' }],
  DATE_PART: [
    { sql: "SELECT date_part('month', DATE '2024-02-03') AS v", value: 2, type: 'float', dialect: 'postgresql' },
    // PostgreSQL's seconds keep their fraction (DuckDB's own date_part drops it)
    { sql: "SELECT date_part('second', TIMESTAMP '2024-02-03 10:00:01.25') AS v", value: 1.25, dialect: 'postgresql' },
    { sql: "SELECT date_part('epoch', TIMESTAMP '2024-02-03 00:00:00.5') AS v", value: 1706918400.5, dialect: 'postgresql' },
    { sql: "SELECT date_part('fortnight', DATE '2024-02-03') AS v", error: /DATE_PART field 'fortnight'/, dialect: 'postgresql' },
  ],
  EXTRACT: [
    { sql: 'SELECT extract(epoch FROM TIMESTAMP \'2024-02-03 00:00:00.5\') AS v', value: '1706918400.5', type: 'decimal', dialect: 'postgresql' },
    { sql: 'SELECT extract(year FROM DATE \'2024-02-03\') AS v', value: '2024', dialect: 'postgresql' },
    // 2024-02-04 is a Sunday: dow 0, isodow 7; ISO week 5
    { sql: 'SELECT extract(dow FROM DATE \'2024-02-04\') * 10 + extract(week FROM DATE \'2024-02-04\') AS v', value: '5', dialect: 'postgresql' },
    { sql: 'SELECT extract(isodow FROM DATE \'2024-02-04\') AS v', value: '7', dialect: 'postgresql' },
    { sql: 'SELECT extract(second FROM TIMESTAMP \'2024-02-03 10:00:01.25\') AS v', value: '1.25', dialect: 'postgresql' },
    { sql: 'SELECT extract(milliseconds FROM TIMESTAMP \'2024-02-03 10:00:01.25\') AS v', value: '1250', dialect: 'postgresql' },
    { sql: 'SELECT extract(quarter FROM DATE \'2024-08-03\') AS v', value: '3', dialect: 'postgresql' },
  ],
  TO_CHAR: [
    { sql: "SELECT to_char(TIMESTAMP '2024-02-03 14:05:09', 'YYYY-MM-DD HH24:MI:SS') AS v", value: '2024-02-03 14:05:09', type: 'nvarchar', dialect: 'postgresql' },
    // Month and Day are padded to 9 characters unless FM is written; Q is the quarter; quoted text is copied
    { sql: "SELECT to_char(DATE '2024-02-03', 'Month|FMMonth|Mon|Dy|\"Q\"Q|YYYY-\"W\"IW') AS v", value: 'February |February|Feb|Sat|Q1|2024-W05', dialect: 'postgresql' },
    { sql: "SELECT to_char(TIMESTAMP '2024-02-03 14:05:09', 'HH12 am, 100%') AS v", value: '02 pm, 100%', dialect: 'postgresql' },
    { sql: "SELECT to_char(12, '999') AS v", error: /to_char of int/, dialect: 'postgresql' },
  ],
  GREATEST: [
    { sql: 'SELECT GREATEST(1, NULL, 2.5) AS v', value: '2.5', type: 'decimal' },
    { sql: "SELECT GREATEST(DATE '2024-01-01', DATE '2023-01-01') AS v", value: '2024-01-01', dialect: 'postgresql' },
    { sql: "SELECT GREATEST('a', 'B') AS v", error: /GREATEST of strings/ },
  ],
  LEAST: [{ sql: 'SELECT LEAST(3, NULL, 2) AS v', value: 2, type: 'int' }, { sql: 'SELECT LEAST(NULL, NULL) AS v', value: null }],
  REGEXP_LIKE: [
    { sql: "SELECT CASE WHEN 'Contoso' ~ '^Con' THEN 1 ELSE 0 END AS v", value: 1, dialect: 'postgresql' },
    // ~ is case-sensitive, ~* is not
    { sql: "SELECT CASE WHEN 'Contoso' ~ '^con' THEN 1 ELSE 0 END AS v", value: 0, dialect: 'postgresql' },
    { sql: "SELECT CASE WHEN 'Contoso' ~* '^con' THEN 1 ELSE 0 END AS v", value: 1, dialect: 'postgresql' },
    { sql: "SELECT CASE WHEN 'Contoso' !~ 'x' AND NOT ('Contoso' !~* 'TOSO') THEN 1 ELSE 0 END AS v", value: 1, dialect: 'postgresql' },
    { sql: "SELECT CASE WHEN regexp_like('Contoso', 'SO$', 'i') THEN 1 ELSE 0 END AS v", value: 1, dialect: 'postgresql' },
    { sql: "SELECT CASE WHEN (NULL ~ 'x') IS NULL THEN 1 ELSE 0 END AS v", value: 1, dialect: 'postgresql' },
  ],
  DATE_TRUNC: [
    { sql: "SELECT date_trunc('month', DATE '2024-02-03') AS v", value: new Date('2024-02-01T00:00:00Z'), dialect: 'postgresql' },
    // PostgreSQL's centuries and millennia start in a year ending in 1; weeks on Monday
    { sql: "SELECT date_trunc('century', DATE '2000-02-03') AS v", value: new Date('1901-01-01T00:00:00Z'), dialect: 'postgresql' },
    { sql: "SELECT date_trunc('millennium', DATE '2024-02-03') AS v", value: new Date('2001-01-01T00:00:00Z'), dialect: 'postgresql' },
    { sql: "SELECT date_trunc('WEEK', DATE '2024-02-04') AS v", value: new Date('2024-01-29T00:00:00Z'), dialect: 'postgresql' },
    { sql: "SELECT date_trunc('fortnight', DATE '2024-02-04') AS v", error: /date_trunc unit 'fortnight'/, dialect: 'postgresql' },
  ],
  YEAR: [{ sql: "SELECT YEAR('2024-02-03') AS v", value: 2024, type: 'int' }],
  MONTH: [{ sql: "SELECT MONTH('2024-02-03') AS v", value: 2 }],
  DAY: [{ sql: "SELECT DAY('2024-02-03') AS v", value: 3 }],
  EOMONTH: [{ sql: "SELECT EOMONTH('2024-02-03') AS v", value: '2024-02-29', type: 'date' }],
  // the emulator's organization: fiscal years from 1 January, quarterly periods (fiscal.test.ts tries others)
  FISCAL_YEAR: [{ sql: "SELECT FISCAL_YEAR('2024-05-15') AS v", value: 2024, type: 'int' }, { sql: 'SELECT FISCAL_YEAR(NULL) AS v', value: null }],
  FISCAL_PERIOD: [{ sql: "SELECT FISCAL_PERIOD(CAST('2024-05-15' AS date)) AS v", value: 2, type: 'int' }, { sql: "SELECT fiscal_period('2024-12-31T23:59:59') AS v", value: 4, dialect: 'postgresql' }],
  NEWID: [{ sql: 'SELECT LEN(CAST(NEWID() AS varchar(36))) AS v', value: 36 }],
  COUNT: [{ sql: 'SELECT COUNT(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: null }, value: 1, type: 'int' }],
  COUNT_BIG: [{ sql: 'SELECT COUNT_BIG(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: 2 }, value: 2, type: 'bigint' }],
  SUM: [{ sql: 'SELECT SUM(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: 2 }, value: 3, type: 'int' }],
  AVG: [{ sql: 'SELECT AVG(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: 2 }, value: 1, type: 'int' }],
  MIN: [{ sql: 'SELECT MIN(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 'b', b: 'A' }, value: 'A' }],
  MAX: [{ sql: 'SELECT MAX(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 'b', b: 'C' }, value: 'C' }],
  STRING_AGG: [{ sql: "SELECT LEN(STRING_AGG(x, '--')) AS v FROM (SELECT @a AS x UNION ALL SELECT @b UNION ALL SELECT @c) t", params: { a: 'ab', b: 'c', c: null }, value: 5 }],
  STDEV: [{ sql: 'SELECT STDEV(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: 3 }, value: Math.SQRT2, type: 'float' }],
  STDEVP: [{ sql: 'SELECT STDEVP(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: 3 }, value: 1 }],
  VAR: [{ sql: 'SELECT VAR(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: 3 }, value: 2 }],
  VARP: [{ sql: 'SELECT VARP(x) AS v FROM (SELECT @a AS x UNION ALL SELECT @b) t', params: { a: 1, b: 3 }, value: 1 }],
  ROW_NUMBER: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT ROW_NUMBER() OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 2 }],
  RANK: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT RANK() OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 1 }, value: 1 }],
  DENSE_RANK: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT DENSE_RANK() OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 2 }],
  NTILE: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT NTILE(2) OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 2 }],
  LAG: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT LAG(x, 1, 0) OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 1 }],
  LEAD: [{ sql: 'SELECT MIN(r) AS v FROM (SELECT LEAD(x) OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 3 }],
  FIRST_VALUE: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT FIRST_VALUE(x) OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 1 }],
  LAST_VALUE: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT LAST_VALUE(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 3 }],
  PERCENT_RANK: [{ sql: 'SELECT MAX(r) AS v FROM (SELECT PERCENT_RANK() OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 1 }],
  CUME_DIST: [{ sql: 'SELECT MIN(r) AS v FROM (SELECT CUME_DIST() OVER (ORDER BY x) AS r FROM (SELECT @a AS x UNION ALL SELECT @b) t) u', params: { a: 1, b: 3 }, value: 0.5 }],
  // the service's predicates run as FetchXML conditions (test/fetchxml/service-predicates.test.ts has their rows) and have no local form
  ...Object.fromEntries(Object.entries(SERVICE_PREDICATES).map(([name, p]) => {
    const call = p.value === 'id' ? `${name}(accountid, '00000000-0000-4000-8000-0000000000a1')` : p.value === 'count' ? `${name}(createdon, 2)` : p.value === 'periodAndYear' ? `${name}(createdon, 2, 2024)` : `${name}(createdon)`;
    return [name, [{ sql: `SELECT COUNT(*) AS v FROM account WHERE name = 'none such' AND ${call}`, value: 0, type: 'int' }, { sql: `SELECT 1 AS v WHERE ${call.replace(/\b(accountid|createdon)\b/, 'NULL')}`, error: /answered by the service alone/ }]];
  })),
  [CURRENT_USER_ID]: [
    { sql: 'SELECT COUNT(*) AS v FROM account WHERE ownerid = CURRENT_USER_ID() AND name IS NULL', value: 0, type: 'int' },
    { sql: 'SELECT CURRENT_USER_ID() AS v', error: /answered by the service alone/ },
  ],
};

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 5 });
  conn = await connect(`Url=${emulator.url}`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

describe('the function table', () => {
  it('has a semantics case for every function', () => {
    expect(functionTable().map((f) => f.name).filter((name) => !CASES[name])).toEqual([]);
  });

  it('every row names its dialect spellings and a result type', () => {
    for (const row of functionTable()) {
      expect(row.names.tsql.length + row.names.postgresql.length, row.name).toBeGreaterThan(0);
      expect(row.arity[0], row.name).toBeLessThanOrEqual(row.arity[1]);
    }
  });
});

describe('function semantics, end to end through the local engine', () => {
  for (const [name, cases] of Object.entries(CASES)) {
    for (const c of cases) {
      it(`${name}: ${c.sql}`, async () => {
        const run = conn.query(c.sql, c.params, c.dialect ? { dialect: c.dialect } : undefined);
        if (c.error) {
          await expect(run).rejects.toThrow(c.error);
          return;
        }
        const result = await run;
        const value = result.rows[0]!.v;
        if (typeof c.value === 'number' && typeof value === 'number' && !Number.isInteger(c.value)) expect(value).toBeCloseTo(c.value, 9);
        else expect(value).toEqual(c.value);
        if (c.type) expect(result.columns[0]!.type).toBe(c.type);
      });
    }
  }
});
