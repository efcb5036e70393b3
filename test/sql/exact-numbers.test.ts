import { describe, expect, it } from 'vitest';
import { exactNumbers, restoreNumber } from '../../src/sql/exact-numbers.js';

describe('exactNumbers', () => {
  it('maps the parser\'s rounding of a long decimal back to the literal as written', () => {
    const map = exactNumbers("SELECT 1 WHERE revenue = 12345678901234.5678 OR revenue = -98765432109876.5432 OR x = 10.25");
    expect(map).toEqual(new Map([['12345678901234.5684', '12345678901234.5678'], ['98765432109876.5469', '98765432109876.5432']]));
    const integers = exactNumbers('SELECT 1 WHERE versionnumber = -27960072858996281 OR versionnumber = 27960072858996281');
    expect(restoreNumber('-27960072858996280', integers)).toBe('-27960072858996281');
    expect(restoreNumber('27960072858996281', integers)).toBe('27960072858996281');
    expect(restoreNumber('12345678901234.5684', map)).toBe('12345678901234.5678');
    expect(restoreNumber('-98765432109876.5469', map)).toBe('-98765432109876.5432');
    expect(restoreNumber('10.25', map)).toBe('10.25');
  });

  it('looks only at literals: not in quotes, comments, names or parameters', () => {
    expect(exactNumbers("SELECT '12345678901234.5678', [12345678901234.5678] -- 12345678901234.5678\nFROM t")).toBeUndefined();
    expect(exactNumbers('SELECT x12345678901234.5678, @p12345678901234.5678 FROM t')).toBeUndefined();
    expect(restoreNumber('123456789012345678.5', exactNumbers('SELECT 123456789012345678.5 FROM t'))).toBe('123456789012345678.5'); // kept by the parser (big integer part)
    expect(exactNumbers('SELECT 0.1 FROM t')).toBeUndefined();
  });

  it('refuses two literals it cannot tell apart', () => {
    expect(() => exactNumbers('SELECT 12345678901234.5678, 12345678901234.5679')).toThrow(/pass them as parameters/);
    // one written as the other's rounding
    expect(() => exactNumbers('SELECT 12345678901234.5678, 12345678901234.5684')).toThrow(/pass them as parameters/);
  });
});

describe('decimal literals through the parsers', () => {
  it('keep every digit in SELECT and in writes, in both dialects', async () => {
    const { parseSql } = await import('../../src/sql/parse.js');
    const { parseWrite } = await import('../../src/sql/write-parse.js');
    const where = (sql: string, dialect: 'tsql' | 'postgresql') => JSON.stringify(parseSql(sql, dialect).statement.query);
    for (const dialect of ['tsql', 'postgresql'] as const) {
      expect(where('SELECT name FROM account WHERE revenue = 12345678901234.5678', dialect)).toContain('"value":"12345678901234.5678"');
      expect(where('SELECT name FROM account WHERE revenue > -98765432109876.5432', dialect)).toContain('98765432109876.5432');
      expect(where('SELECT name FROM account WHERE revenue > -123456789012345678.5', dialect)).toContain('123456789012345678.5');
      expect(where('SELECT name FROM account WHERE versionnumber = -27960072858996281', dialect)).toContain('27960072858996281');
      // an expression among the values: node-sql-parser's path, not the bulk-INSERT scanner
      const write = parseWrite("UPDATE account SET revenue = 12345678901234.5678 + 0 WHERE name = 'a'", dialect);
      expect(JSON.stringify(write.statement)).toContain('"value":"12345678901234.5678"');
    }
  });
});
