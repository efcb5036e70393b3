import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/cli/error-report.js';
import { DynasqlError } from '../../src/errors/index.js';

const plain = picocolors.createColors(false);

describe('formatError', () => {
  it('prints the code, the message and a caret under the position', () => {
    const error = new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', "Unknown table 'acount'. Did you mean 'account'?", {
      position: { offset: 24, line: 2, column: 6 },
    });
    expect(formatError(error, plain, 'SELECT name\nFROM acount')).toBe(
      "ERROR DYNASQL_ERR_UNKNOWN_TABLE: Unknown table 'acount'. Did you mean 'account'?\n" +
        'LINE 2: FROM acount\n' +
        '             ^\n',
    );
  });

  it('keeps the caret on screen for very long lines', () => {
    const sql = `SELECT ${'x, '.repeat(200)}bad FROM t`;
    const column = sql.indexOf('bad') + 1;
    const text = formatError(new DynasqlError('DYNASQL_ERR_SYNTAX', 'Syntax error', { position: { offset: column - 1, line: 1, column } }), plain, sql);
    const [, line, caret] = text.split('\n');
    expect(line!.length).toBeLessThan(120);
    expect(line!.slice(caret!.indexOf('^'), caret!.indexOf('^') + 3)).toBe('bad');
  });

  it('shows the HTTP status and service code of service errors, in colour when asked', () => {
    const error = new DynasqlError('DYNASQL_ERR_SERVICE', 'Boom', { status: 500, serviceCode: '0x80040217' });
    expect(formatError(error, plain)).toBe('ERROR DYNASQL_ERR_SERVICE: Boom\nDETAIL: HTTP 500, service code 0x80040217\n');
    expect(formatError(error, picocolors.createColors(true))).toContain('\x1b[31m');
  });

  it('prints other errors by message', () => {
    expect(formatError(new Error('ENOENT: no such file'), plain)).toBe('ERROR: ENOENT: no such file\n');
  });
});
