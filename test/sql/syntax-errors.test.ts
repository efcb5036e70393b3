/** Syntax errors name the token the user wrote and where it is (issue 14); numbers no type holds are refused (issue 22). */
import { describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { parseSql } from '../../src/sql/index.js';
import { parseWrite } from '../../src/sql/write-parse.js';

function failure(run: () => unknown): DynasqlError {
  try {
    run();
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('syntax errors', () => {
  for (const dialect of ['tsql', 'postgresql'] as const) {
    it(`${dialect}: SELEC name FROM account names SELEC at line 1, column 1`, () => {
      const error = failure(() => parseSql('SELEC name FROM account', dialect));
      expect(error.code).toBe('DYNASQL_ERR_SYNTAX');
      expect(error.message).toBe("Syntax error at line 1, column 1: unexpected 'SELEC'; did you mean SELECT?");
      expect(error.position).toMatchObject({ line: 1, column: 1 });
    });

    it(`${dialect}: … WHERE revenue > ORDER BY name names ORDER where it is`, () => {
      const error = failure(() => parseSql('SELECT name FROM account WHERE revenue > ORDER BY name', dialect));
      expect(error.message).toBe("Syntax error at line 1, column 42: unexpected 'ORDER'");
      expect(error.position).toMatchObject({ line: 1, column: 42 });
    });
  }

  it('names the whole token on a later line, the end of input, a repeated BY, and a write', () => {
    expect(failure(() => parseSql("SELECT name\nFROM account\nWHERE name = 'x' AND = 3")).message).toBe("Syntax error at line 3, column 22: unexpected '='");
    expect(failure(() => parseSql('SELECT name FROM account WHERE')).message).toBe('Syntax error at line 1, column 31: unexpected end of input');
    expect(failure(() => parseSql('SELECT name FROM account GROUP BY BY name')).message).toBe("Syntax error at line 1, column 35: unexpected 'BY'");
    expect(failure(() => parseWrite('UPDATE account SET name = WHERE accountid = 1')).message).toBe("Syntax error at line 1, column 27: unexpected 'WHERE'");
    expect(failure(() => parseSql('FOO')).message).toMatch(/^Syntax error at line 1, column 1: unexpected 'FOO'; a statement starts with SELECT/);
  });
});

describe('number literals', () => {
  it('1e309 is refused with its position, in a SELECT and in a write; 1e-400 and 2.5e3 are numbers', () => {
    const error = failure(() => parseSql('SELECT name FROM account WHERE revenue > 1e309'));
    expect(error.code).toBe('DYNASQL_ERR_UNSUPPORTED_SQL');
    expect(error.message).toContain('1e309');
    expect(error.position).toMatchObject({ line: 1, column: 42 });
    expect(failure(() => parseWrite('INSERT INTO account (revenue) VALUES (-1E+400)')).code).toBe('DYNASQL_ERR_UNSUPPORTED_SQL');
    const select = parseSql("SELECT '1e309' AS s, 1e-400 AS a, 2.5e3 AS b FROM account").statement.query;
    expect(select.kind === 'select' && select.columns.map((c) => c.expr)).toEqual([
      { kind: 'literal', type: 'string', value: '1e309' },
      { kind: 'literal', type: 'number', value: '1e-400' },
      { kind: 'literal', type: 'number', value: '2.5e3' },
    ]);
  });
});
