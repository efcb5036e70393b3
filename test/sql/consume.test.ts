/**
 * Consume or refuse (issue 14): the normaliser reads every field node-sql-parser fills in, or refuses
 * the statement naming the construct. The parser's AST for each statement of a corpus (both
 * dialects) is wrapped in a proxy that records every field read; after normalising, a field holding
 * a value that nobody read fails the test. Refused constructs are checked by their error.
 */
import { describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { Normalizer, type ParserDialect } from '../../src/sql/normalize.js';
import { astify, parseSql } from '../../src/sql/parse.js';
import { rewriteQuestionMarks } from '../../src/sql/placeholders.js';
import { rewriteForParser } from '../../src/sql/parser-rewrites.js';
import { protectLiterals } from '../../src/sql/string-literals.js';

const BOTH = [
  'SELECT DISTINCT a.name AS n, COUNT(*) AS c FROM account a INNER JOIN contact k ON k.parentcustomerid = a.accountid WHERE a.revenue > 10 GROUP BY a.name HAVING COUNT(*) > 1 ORDER BY n DESC',
  "SELECT name FROM account WHERE name LIKE 'a%' OR name NOT LIKE 'b%'",
  'SELECT name FROM account WHERE revenue BETWEEN 1 AND 2 AND numberofemployees NOT BETWEEN 3 AND 4',
  'SELECT name FROM account WHERE industrycode IN (1, 2, 3) AND statecode NOT IN (SELECT statecode FROM contact)',
  'SELECT name FROM account WHERE EXISTS (SELECT 1 FROM contact WHERE contact.parentcustomerid = account.accountid) AND NOT (revenue IS NULL)',
  "SELECT CASE WHEN revenue > 10 THEN 'big' WHEN revenue IS NULL THEN NULL ELSE 'small' END AS size FROM account",
  'SELECT CASE industrycode WHEN 1 THEN 2 END FROM account',
  'SELECT CAST(revenue AS DECIMAL(10, 2)), CAST(name AS VARCHAR(20)) FROM account',
  'SELECT ROW_NUMBER() OVER (PARTITION BY industrycode ORDER BY name ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS r FROM account',
  'SELECT SUM(revenue) OVER (PARTITION BY industrycode) FROM account',
  'SELECT -revenue, revenue * 2 + 1, revenue / 3 - 1, numberofemployees % 7 FROM account',
  'SELECT UPPER(name), LOWER(name), COALESCE(name, \'x\'), ABS(revenue), ROUND(revenue, 2) FROM account',
  'SELECT COUNT(DISTINCT name), MIN(revenue), MAX(revenue), AVG(revenue) FROM account',
  'SELECT name FROM (SELECT name FROM account WHERE revenue > 1) d',
  'WITH big AS (SELECT name FROM account WHERE revenue > 1) SELECT name FROM big',
  'SELECT name FROM account UNION ALL SELECT fullname FROM contact ORDER BY 1',
  'SELECT name FROM account UNION SELECT fullname FROM contact',
  'SELECT a.name, k.fullname FROM account a LEFT JOIN contact k ON k.parentcustomerid = a.accountid RIGHT JOIN lead l ON l.leadid = k.contactid',
  'SELECT a.name FROM account a CROSS JOIN contact k',
  'SELECT name FROM account WHERE name = ? AND revenue > ?',
  'SELECT * FROM account',
  'SELECT a.* FROM account a',
  "SELECT name FROM account WHERE createdon > '2020-01-01' AND name <> 'x' AND revenue >= 1.5 AND revenue <= 2e3",
  'SELECT SUM(DISTINCT revenue), AVG(DISTINCT numberofemployees) FROM account',
  'WITH c (a, b) AS (SELECT name, revenue FROM account) SELECT a FROM c WHERE b IS NOT DISTINCT FROM a',
];
const TSQL = [
  'SELECT TOP 5 name FROM account ORDER BY name',
  'SELECT TOP (@n) name FROM account',
  'SELECT name FROM account ORDER BY name OFFSET 5 ROWS FETCH NEXT 3 ROWS ONLY',
  'SELECT name FROM account ORDER BY name OFFSET 5 ROWS',
  'SELECT [name], "revenue" FROM [dbo].[account] WHERE name = @name',
  'SELECT DATEADD(day, 1, createdon), DATEDIFF(month, createdon, modifiedon), CONVERT(NVARCHAR(36), accountid) FROM account',
  'SELECT name FROM account WITH (NOLOCK)',
  'SELECT name FROM account (NOLOCK)',
  "SELECT name 'Account Name' FROM account",
  "SELECT TRY_CAST(name AS INT), TRY_CONVERT(DECIMAL(10, 2), revenue), CONVERT(VARCHAR(10), numberofemployees, 1) FROM account WHERE name LIKE 'a!%' ESCAPE '!'",
  "SELECT STRING_AGG(name, ', ') WITHIN GROUP (ORDER BY name DESC, revenue) FROM account",
  'SELECT * FROM (SELECT statecode, industrycode, revenue FROM account) s PIVOT (SUM(revenue) FOR industrycode IN ([1], [2])) AS p',
  'SELECT a.name, k.fullname FROM account a CROSS APPLY (SELECT TOP 1 fullname FROM contact WHERE contact.parentcustomerid = a.accountid) k OUTER APPLY (SELECT k.fullname AS f) x',
];
const POSTGRES = [
  'SELECT name FROM account ORDER BY name LIMIT 5 OFFSET 2',
  'SELECT name FROM account ORDER BY name NULLS FIRST LIMIT $1',
  'SELECT name FROM account ORDER BY name OFFSET 98',
  'SELECT name FROM account ORDER BY name LIMIT ALL',
  'SELECT name FROM account WHERE name ILIKE $1',
  "SELECT string_agg(name, '; ') FROM account",
  "SELECT string_agg(name, '; ' ORDER BY name DESC NULLS LAST) FROM account",
  'SELECT a.name, k.fullname FROM account a LEFT JOIN LATERAL (SELECT fullname FROM contact WHERE contact.parentcustomerid = a.accountid LIMIT 1) k ON true',
  'SELECT a.name, x.n FROM account a, LATERAL (SELECT a.name AS n) x',
  'WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r',
  "SELECT name || ' x' FROM account",
  'SELECT "name" FROM public.account WHERE revenue::int > 1',
  'SELECT name FROM account WHERE active = true',
  "SELECT name FROM account WHERE name LIKE 'a!%' ESCAPE '!'",
  // (T-SQL reads EXCEPT / INTERSECT through set-operations.ts, part by part: test/sql/set-operations.test.ts)
  'SELECT name FROM account EXCEPT SELECT fullname FROM contact INTERSECT SELECT fullname FROM lead ORDER BY 1',
  'SELECT substring(name FROM 2 FOR 3), ROW_NUMBER() OVER (ORDER BY name) FROM account WHERE revenue > $1::INTEGER LIMIT $2::INTEGER',
  'SELECT a.* FROM account a ORDER BY 1 OFFSET 5 ROWS FETCH NEXT 3 ROWS ONLY',
];
const REFUSED: [string, ParserDialect, RegExp][] = [
  ['SELECT * FROM (SELECT accountid, revenue FROM account) s UNPIVOT (v FOR k IN (revenue)) u', 'tsql', /UNPIVOT/],
  ['SELECT name COLLATE Latin1_General_CS_AS FROM account', 'tsql', /COLLATE/],
  ["SELECT name FROM account FOR XML PATH('')", 'tsql', /FOR XML/],
  ['SELECT name FROM account OPTION (RECOMPILE)', 'tsql', /RECOMPILE/],
  ['SELECT name INTO #t FROM account', 'tsql', /INTO/],
  ['SELECT name FROM account WITH (HOLDLOCK)', 'tsql', /HOLDLOCK/],
  ['SELECT TOP 5 PERCENT name FROM account', 'tsql', /PERCENT/],
  ['SELECT DISTINCT ON (name) name FROM account', 'postgresql', /DISTINCT ON/],
  ['SELECT name FROM account WINDOW w AS (PARTITION BY name)', 'postgresql', /WINDOW/],
  ['SELECT name FROM account TABLESAMPLE SYSTEM (10)', 'postgresql', /TABLESAMPLE/],
  ['SELECT name COLLATE "C" FROM account', 'postgresql', /COLLATE/],
  ['SELECT sum(revenue) FILTER (WHERE revenue > 1) FROM account', 'postgresql', /FILTER/],
  ['SELECT array_agg(name ORDER BY name) FROM account', 'postgresql', /ORDER BY inside an aggregate/],
  ['SELECT a.name FROM account a JOIN contact k USING (name)', 'postgresql', /USING/],
];

/**
 * fields that are syntax only: the tree's shape already says what they say (`type` of a wrapper such
 * as `{type:'expr', expr}` or `{type:'expr_list', value}`; an expression's own `type` is always read),
 * and what the parser derives rather than the user writes (`tableList`, `columnList`)
 */
const SYNTAX_ONLY = new Set(['parentheses', '_parentheses', 'args_parentheses', 'symbol', 'prefix', 'suffix', 'type', 'tableList', 'columnList']);

type Node = Record<string, unknown>;

function recordingProxy(root: unknown, read: WeakMap<object, Set<string>>): unknown {
  const proxies = new WeakMap<object, unknown>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const known = proxies.get(value);
    if (known) return known;
    const proxy = new Proxy(value as Node, {
      get(target, key, receiver) {
        if (typeof key === 'string') {
          if (!read.has(target)) read.set(target, new Set());
          read.get(target)!.add(key);
        }
        return wrap(Reflect.get(target, key, receiver));
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return wrap(root);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value as Node).every(isEmpty);
  return false;
}

/** the paths of fields with a value that nobody read */
function unread(root: unknown, read: WeakMap<object, Set<string>>): string[] {
  const found: string[] = [];
  const visit = (node: unknown, path: string) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    const keys = read.get(node) ?? new Set();
    for (const [key, value] of Object.entries(node as Node)) {
      if (isEmpty(value) || SYNTAX_ONLY.has(key)) continue;
      if (!keys.has(key)) found.push(`${path}.${key}`);
      else visit(value, `${path}.${key}`);
    }
  };
  visit(root, '$');
  return found;
}

/** the parser's AST of `sql` as parseSql hands it to the normaliser */
function parserAst(sql: string, dialect: ParserDialect): unknown {
  const literals = protectLiterals(sql, dialect);
  const text = rewriteForParser(rewriteQuestionMarks(literals.sql, dialect).sql, dialect).sql;
  const raw = literals.restore(astify(text, dialect));
  return Array.isArray(raw) ? raw[0] : raw;
}

describe('consume or refuse', () => {
  const corpus: [string, ParserDialect][] = [
    ...BOTH.flatMap((sql) => [[sql, 'tsql'], [sql, 'postgresql']] as [string, ParserDialect][]),
    ...TSQL.map((sql) => [sql, 'tsql'] as [string, ParserDialect]),
    ...POSTGRES.map((sql) => [sql, 'postgresql'] as [string, ParserDialect]),
  ];

  it('reads every field the parser fills in, for every statement of the corpus in both dialects', () => {
    const problems: string[] = [];
    for (const [sql, dialect] of corpus) {
      const read = new WeakMap<object, Set<string>>();
      let raw: unknown;
      try {
        raw = parserAst(sql, dialect);
        new Normalizer(dialect).query(recordingProxy(raw, read));
      } catch (error) {
        problems.push(`${dialect}: ${sql}\n  ${(error as Error).message.slice(0, 120)}`);
        continue;
      }
      const fields = unread(raw, read);
      if (fields.length > 0) problems.push(`${dialect}: ${sql}\n  unread: ${fields.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses what it does not read, naming the construct', () => {
    for (const [sql, dialect, construct] of REFUSED) {
      let error: unknown;
      try {
        parseSql(sql, dialect);
      } catch (e) {
        error = e;
      }
      expect(error, sql).toBeInstanceOf(DynasqlError);
      expect((error as DynasqlError).code, sql).toBe('DYNASQL_ERR_UNSUPPORTED_SQL');
      expect((error as DynasqlError).message, sql).toMatch(construct);
    }
  });

  it('SELECT name, revenue FROM account PIVOT (…) p is read as a PIVOT, not dropped', () => {
    const q = parseSql('SELECT name, revenue FROM account PIVOT (SUM(revenue) FOR name IN ([A],[B])) p').statement.query;
    expect(q).toMatchObject({ from: { kind: 'pivot', source: { kind: 'table', name: 'account' }, aggregate: { name: 'SUM' }, column: { name: 'name' }, values: ['A', 'B'], alias: 'p' } });
  });

  it('NOLOCK is accepted in both T-SQL forms and has no effect on the statement', () => {
    const plain = parseSql('SELECT name FROM account a WHERE a.revenue > 1').statement;
    expect(parseSql('SELECT name FROM account a WITH (NOLOCK) WHERE a.revenue > 1').statement).toEqual(plain);
    expect(parseSql('SELECT name FROM account a (NOLOCK) WHERE a.revenue > 1').statement).toEqual(plain);
  });
});
