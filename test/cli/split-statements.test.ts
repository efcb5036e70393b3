import { describe, expect, it } from 'vitest';
import { scriptStatements, splitStatements } from '../../src/cli/split-statements.js';

const sqls = (text: string) => scriptStatements(text).map((s) => s.sql);

describe('splitStatements', () => {
  it('splits at semicolons and keeps the unfinished rest', () => {
    const r = splitStatements('SELECT 1; SELECT 2;\nSELECT 3');
    expect(r.statements.map((s) => s.sql)).toEqual(['SELECT 1', 'SELECT 2']);
    expect(r.rest).toBe('\nSELECT 3');
    expect(r.restHasCode).toBe(true);
    expect(r.restLine).toBe(2);
  });

  it('ignores separators inside strings, quoted identifiers and comments', () => {
    expect(sqls("SELECT 'a;b', \"c;d\", [e;f] FROM t; SELECT 'it''s;' -- x;y\n; /* ; /* nested ; */ ; */ SELECT 2")).toEqual([
      "SELECT 'a;b', \"c;d\", [e;f] FROM t",
      "SELECT 'it''s;' -- x;y",
      '/* ; /* nested ; */ ; */ SELECT 2',
    ]);
  });

  it('treats a GO line as a separator, but not go inside a statement or a string', () => {
    expect(sqls("SELECT 1\nGO\nSELECT 'x\nGO\n'\ngo  \nSELECT go FROM t\n  Go 2\nSELECT 4")).toEqual([
      'SELECT 1',
      "SELECT 'x\nGO\n'",
      'SELECT go FROM t',
      'SELECT 4',
    ]);
  });

  it('drops empty statements and comment-only text', () => {
    expect(sqls(';;\n-- only a comment\n;  /* c */  ')).toEqual([]);
    const r = splitStatements('SELECT 1; -- trailing');
    expect(r.restHasCode).toBe(false);
  });

  it('reports the line each statement starts on', () => {
    expect(scriptStatements('\n\nSELECT 1;\n\n  SELECT\n 2').map((s) => s.line)).toEqual([3, 5]);
  });

  it('drops a byte order mark at the start of a script', () => {
    expect(scriptStatements('\uFEFFSELECT 1\r\nGO\r\nSELECT 2')).toEqual([
      { sql: 'SELECT 1', line: 1 },
      { sql: 'SELECT 2', line: 3 },
    ]);
  });

  it('keeps reading an unterminated string as one statement', () => {
    const r = splitStatements("SELECT 'abc; def");
    expect(r.statements).toEqual([]);
    expect(r.restHasCode).toBe(true);
  });
});
