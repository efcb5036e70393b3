import { describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { locateIdentifier, withSqlPosition } from '../../src/sql/index.js';

describe('locateIdentifier', () => {
  it('finds a bare, bracketed or quoted identifier, case-insensitively, with line and column', () => {
    expect(locateIdentifier('SELECT nme FROM account', 'nme')).toEqual({ offset: 7, line: 1, column: 8 });
    expect(locateIdentifier('SELECT name,\n  [Revenu] FROM account', 'revenu')).toEqual({ offset: 15, line: 2, column: 3 });
    expect(locateIdentifier('SELECT "x" FROM t', 'X')).toEqual({ offset: 7, line: 1, column: 8 });
  });

  it('skips strings, comments and longer words that merely contain the name', () => {
    const sql = "SELECT 'nme' AS a, -- nme\n /* nme */ nmes, nme FROM account";
    expect(locateIdentifier(sql, 'nme')?.offset).toBe(sql.lastIndexOf('nme'));
    expect(locateIdentifier("SELECT 'it''s nme' FROM t", 'nme')).toBeUndefined();
  });
});

describe('withSqlPosition', () => {
  it('adds the position of the unknown name and keeps code, message and details', () => {
    const error = new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', "Unknown column 'nme'.", { details: { name: 'nme' } });
    const placed = withSqlPosition(error, 'SELECT nme FROM account') as DynasqlError;
    expect(placed).toBeInstanceOf(DynasqlError);
    expect(placed.code).toBe('DYNASQL_ERR_UNKNOWN_COLUMN');
    expect(placed.message).toBe("Unknown column 'nme'.");
    expect(placed.position).toEqual({ offset: 7, line: 1, column: 8 });
  });

  it('leaves other errors and errors without a name as they are', () => {
    const syntax = new DynasqlError('DYNASQL_ERR_SYNTAX', 'x');
    expect(withSqlPosition(syntax, 'SELECT')).toBe(syntax);
    const unnamed = new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', 'Unknown table');
    expect(withSqlPosition(unnamed, 'SELECT * FROM t')).toBe(unnamed);
    const plain = new Error('boom');
    expect(withSqlPosition(plain, 'x')).toBe(plain);
  });
});
