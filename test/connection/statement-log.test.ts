import { describe, expect, it } from 'vitest';
import { statementSummary } from '../../src/connection/statement-log.js';

/** the summary's statement text: whitespace runs made one space, clipped to 200 characters with the full length named */
describe('statement summary text', () => {
  it('flattens whitespace of a short statement', () => {
    const line = statementSummary('SELECT  name\n\tFROM account  \n', performance.now(), { command: 'SELECT', rows: 1 });
    expect(line).toMatch(/: SELECT name FROM account$/);
  });

  it('clips a long INSERT after 200 flattened characters and names its length', () => {
    const sql = `INSERT INTO contact (lastname) VALUES\n${Array.from({ length: 5000 }, (_, i) => `   ('n${i}')`).join(',\n')}`;
    const line = statementSummary(sql, performance.now(), { command: 'INSERT', rows: 5000 });
    const text = line.slice(line.indexOf(': ') + 2);
    const flat = sql.replace(/\s+/g, ' ');
    expect(text).toBe(`${flat.slice(0, 200)} … (${sql.length} characters)`);
  });

  it('reads past a prefix that whitespace shrinks below the clip', () => {
    const sql = `SELECT${' '.repeat(1000)}name${' '.repeat(1000)}FROM account`;
    const line = statementSummary(sql, performance.now(), { command: 'SELECT', rows: 0 });
    expect(line).toMatch(/: SELECT name FROM account$/);
  });
});
