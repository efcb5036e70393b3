/**
 * String literals are read as each dialect defines them, never with the SQL parser's backslash escapes
 * (issue 22 item 1): any string, written as a literal in any of the dialect's forms, parses back to
 * exactly that string in a SELECT, in every kind of write (both INSERT paths) and in EXEC.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, Select } from '../../src/sql/ast.js';
import { parseExec } from '../../src/sql/exec-parse.js';
import { parseSql } from '../../src/sql/parse.js';
import { parseWrite } from '../../src/sql/write-parse.js';

/** every character class that has broken a SQL lexer somewhere */
const NASTY = [
  "'", "''", '\\', "\\'", '\\\\', '\n', '\r', '\t', '%', '_', '[', ']', ']]', '"', '`', '$', '$$', '$q$', '?', '@p', '$1', '--', '/*', '*/',
  ';', 'N\'', "E'", 'U&', '\\n', '\\x41', '\\u0041', '\u0000', '\u0001', '\u001f', '\u007f', 'é', 'Zürich', '東京', '😀', '\ue000', '\ue001',
  '\ufeff', '\u2028', ' ', 'OR 1=1', ' ',
];
const nastyString = fc.oneof(
  fc.array(fc.constantFrom(...NASTY), { maxLength: 10 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ maxLength: 16 }),
);

type Encoder = (s: string) => string | undefined;
const doubled = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ENCODERS: Record<'tsql' | 'postgresql', Record<string, Encoder>> = {
  tsql: {
    plain: doubled,
    national: (s) => `N${doubled(s)}`,
  },
  postgresql: {
    // PostgreSQL refuses the character 0 in text
    plain: (s) => (s.includes('\u0000') ? undefined : doubled(s)),
    national: (s) => (s.includes('\u0000') ? undefined : `N${doubled(s)}`),
    escape: (s) => (s.includes('\u0000') ? undefined : `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`),
    escapeCodes: (s) => (s.includes('\u0000') ? undefined : `E'${[...s].map((c) => `\\U${c.codePointAt(0)!.toString(16).padStart(8, '0')}`).join('')}'`),
    unicode: (s) => (s.includes('\u0000') || /[\ud800-\udfff]/.test(s) ? undefined
      : `U&'${[...s].map((c) => (c === "'" ? "''" : c === '\\' ? '\\\\' : c.codePointAt(0)! > 0x7e ? `\\+${c.codePointAt(0)!.toString(16).padStart(6, '0')}` : c)).join('')}'`),
    dollar: (s) => (s.includes('\u0000') || s.includes('$q$') || s.endsWith('$') ? undefined : `$q$${s}$q$`),
    dollarBare: (s) => (s.includes('\u0000') || s.includes('$') ? undefined : `$$${s}$$`),
  },
};

function whereValue(select: Select): Expr {
  const where = select.where!;
  expect(where.kind).toBe('binary');
  return (where as Extract<Expr, { kind: 'binary' }>).right;
}

const stringLiteral = (value: string) => ({ kind: 'literal', type: 'string', value });
/** T-SQL's N'…': the same string, marked as an nvarchar */
const nationalLiteral = (value: string) => ({ ...stringLiteral(value), national: true });
const plainLiteral = stringLiteral;

describe('string literals round-trip exactly', () => {
  for (const dialect of ['tsql', 'postgresql'] as const) {
    for (const [form, encode] of Object.entries(ENCODERS[dialect])) {
      it(`${dialect} ${form}: SELECT, INSERT (both paths), UPDATE and DELETE read the string back`, () => {
        fc.assert(fc.property(nastyString, (s) => {
          const literal = encode(s);
          if (literal === undefined) return;
          const stringLiteral = dialect === 'tsql' && /^[Nn]'/.test(literal) ? nationalLiteral : plainLiteral;
          const select = parseSql(`SELECT name FROM account WHERE name = ${literal}`, dialect).statement.query as Select;
          expect(whereValue(select)).toEqual(stringLiteral(s));
          const selected = parseSql(`SELECT ${literal} AS x, name FROM account WHERE name LIKE ${literal} AND 1 = 1`, dialect).statement.query as Select;
          expect(selected.columns[0]!.expr).toEqual(stringLiteral(s));
          for (const fastPath of [true, false]) {
            const insert = parseWrite(`INSERT INTO account (name, description) VALUES (${literal}, 'x')`, dialect, { fastPath }).statement;
            expect(insert.kind === 'insert' && insert.values?.[0]?.[0]).toEqual(stringLiteral(s));
          }
          const update = parseWrite(`UPDATE account SET name = ${literal} WHERE name = ${literal}`, dialect).statement;
          expect(update.kind === 'update' && update.set[0]!.value).toEqual(stringLiteral(s));
          const del = parseWrite(`DELETE FROM account WHERE name = ${literal}`, dialect).statement;
          expect(del.kind === 'delete' && del.where?.kind === 'binary' && del.where.right).toEqual(stringLiteral(s));
        }), { numRuns: 80 });
      });
    }
  }

  it('EXEC arguments: T-SQL strings have no backslash escapes', () => {
    fc.assert(fc.property(nastyString, (s) => {
      const parsed = parseExec(`EXEC DoIt @a = N${doubled(s)}, ${doubled(s)}`);
      expect(parsed.args.map((a) => a.value)).toEqual([stringLiteral(s), stringLiteral(s)]);
    }), { numRuns: 80 });
  });
});

describe('the statements of issue 22', () => {
  it("DELETE FROM account WHERE name = N'\\'' OR 1=1 --' compares name with the one string \\' OR 1=1 --", () => {
    const del = parseWrite("DELETE FROM account WHERE name = N'\\'' OR 1=1 --'").statement;
    expect(del).toMatchObject({ kind: 'delete', where: { kind: 'binary', op: '=', right: nationalLiteral("\\' OR 1=1 --") } });
    const select = parseSql("SELECT name FROM account WHERE name = N'\\'' OR 1=1 --'").statement.query as Select;
    expect(select.where).toEqual({ kind: 'binary', op: '=', left: { kind: 'column', name: 'name' }, right: nationalLiteral("\\' OR 1=1 --") });
  });

  it("'\\'' OR 1=1 --' in the PostgreSQL dialect is one string too", () => {
    const select = parseSql("select name from account where name = '\\'' OR 1=1 --'", 'postgresql').statement.query as Select;
    expect(whereValue(select)).toEqual(stringLiteral("\\' OR 1=1 --"));
  });

  it("INSERT … VALUES ('C:\\new\\table') keeps its backslashes; WHERE name = N'a\\b' too", () => {
    for (const fastPath of [true, false]) {
      const insert = parseWrite("INSERT INTO account (name) VALUES ('C:\\new\\table')", 'tsql', { fastPath }).statement;
      expect(insert).toMatchObject({ values: [[stringLiteral('C:\\new\\table')]] });
    }
    const select = parseSql("SELECT name FROM account WHERE name = N'a\\b'").statement.query as Select;
    expect(whereValue(select)).toEqual(nationalLiteral('a\\b'));
  });

  it('[a]]b] is the bracketed identifier a]b; "a""b" and "a\\b" are read exactly', () => {
    const select = parseSql('SELECT [a]]b], "c""d", "e\\f" AS [g]]] FROM [t]]u]').statement.query as Select;
    expect(select.columns).toEqual([
      { expr: { kind: 'column', name: 'a]b' } },
      { expr: { kind: 'column', name: 'c"d' } },
      { expr: { kind: 'column', name: 'e\\f' }, alias: 'g]' },
    ]);
    expect(select.from).toEqual({ kind: 'table', name: 't]u' });
    const pg = parseSql('select "a""b", "c\\d" from t', 'postgresql').statement.query as Select;
    expect(pg.columns.map((c) => c.expr)).toEqual([{ kind: 'column', name: 'a"b' }, { kind: 'column', name: 'c\\d' }]);
  });

  it('escape-string and dollar-quoted forms are read exactly; what cannot be is refused with a position', () => {
    const select = parseSql("select E'a\\nb\\'c\\x41\\101\\u00e9', U&'d\\0061t\\+01F600', $$x'y$$, $t$q$$t$ from t", 'postgresql').statement.query as Select;
    expect(select.columns.map((c) => c.expr)).toEqual([stringLiteral("a\nb'cAAé"), stringLiteral('dat😀'), stringLiteral("x'y"), stringLiteral('q$')]);
    const fails = (sql: string, dialect: 'tsql' | 'postgresql' = 'postgresql') => {
      try {
        parseSql(sql, dialect);
      } catch (error) {
        return error as { code: string; message: string; position?: { line: number; column: number } };
      }
      throw new Error(`accepted: ${sql}`);
    };
    expect(fails("select E'\\000' from t")).toMatchObject({ code: 'DYNASQL_ERR_SYNTAX', position: { line: 1, column: 10 } });
    expect(fails("select U&'\\0061' UESCAPE '!' from t")).toMatchObject({ code: 'DYNASQL_ERR_SYNTAX' });
    expect(fails("select X'41' from t")).toMatchObject({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' });
    expect(fails("SELECT name FROM account WHERE name = 'abc", 'tsql')).toMatchObject({ code: 'DYNASQL_ERR_SYNTAX', position: { line: 1, column: 39 } });
    expect(fails('select $q$abc from t')).toMatchObject({ code: 'DYNASQL_ERR_SYNTAX' });
  });

  it('T-SQL has no prefix but N: E\'x\' is the column E aliased x', () => {
    const select = parseSql("SELECT E'x' FROM t").statement.query as Select;
    expect(select.columns).toEqual([{ expr: { kind: 'column', name: 'E' }, alias: 'x' }]);
  });

  it('a syntax error after a literal points at the user\'s text', () => {
    try {
      parseSql("SELECT name FROM account WHERE name = 'a much longer literal than its placeholder' AND ) = 1");
      throw new Error('accepted');
    } catch (error) {
      expect((error as { position?: { column: number } }).position?.column).toBe(88);
    }
  });

  it('a literal in a select list beside a subquery or derived table keeps its value (the parser also lists it in its own bookkeeping)', () => {
    const inSubquery = parseSql("SELECT '5A69B88B-38EE-4AAC-93A8-7BAC75AC310C' AS c0 FROM account t0 WHERE t0.accountid IN (SELECT s1.parentcustomerid AS x FROM contact s1)");
    expect((inSubquery.statement.query as Select).columns[0]).toEqual({ expr: stringLiteral('5A69B88B-38EE-4AAC-93A8-7BAC75AC310C'), alias: 'c0' });
    const derived = parseSql("SELECT d.c1 AS o1 FROM (SELECT 'sren.okafor153@example.com' AS c0, t0.contactid AS c1 FROM contact t0) d");
    const from = (derived.statement.query as Select).from as { kind: 'derived'; query: Select };
    expect(from.query.columns[0]).toEqual({ expr: stringLiteral('sren.okafor153@example.com'), alias: 'c0' });
  });
});
