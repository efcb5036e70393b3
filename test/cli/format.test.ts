import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { renderResult } from '../../src/cli/format/index.js';
import { displayWidth } from '../../src/cli/format/display-width.js';
import { result } from './in-memory-connection.js';

const plain = picocolors.createColors(false);
const accounts = result(
  [['name', 'nvarchar'], ['revenue', 'decimal'], ['createdon', 'datetimeoffset']],
  [
    ['Contoso, Ltd.', '1250000.50', new Date('2024-01-02T03:04:05Z')],
    ['Fabrikam "F" | Co', '9', null],
    ['Zoë 東京\nline', null, null],
  ],
);
const table = (expanded: 'on' | 'off' | 'auto', maxWidth?: number) =>
  renderResult(accounts, 'table', { colors: plain, expanded, ...(maxWidth ? { maxWidth } : {}) });

describe('table format', () => {
  it('aligns columns, right-aligns numbers, shows NULL and a row count', () => {
    expect(table('off')).toBe(
      [
        ' name              | revenue    | createdon',
        '-------------------+------------+--------------------------',
        ' Contoso, Ltd.     | 1250000.50 | 2024-01-02T03:04:05.000Z',
        ' Fabrikam "F" | Co |          9 | NULL',
        ' Zoë 東京↵line     |       NULL | NULL',
        '(3 rows)',
        '',
      ].join('\n'),
    );
  });

  it('switches to one record per block when wider than the terminal, or when asked', () => {
    const narrow = table('auto', 40);
    expect(narrow).toContain('-[ RECORD 1 ]');
    expect(narrow).toContain('name      | Contoso, Ltd.');
    expect(narrow).toContain('createdon | NULL');
    expect(table('auto', 200)).not.toContain('RECORD');
    expect(table('on', 200)).toContain('-[ RECORD 3 ]');
  });

  it('counts wide characters as two cells', () => {
    expect(displayWidth('東京')).toBe(4);
    expect(displayWidth('Zoë')).toBe(3);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('says (0 rows) for an empty result and (1 row) for one', () => {
    expect(renderResult(result([['n', 'int']], []), 'table', { colors: plain, expanded: 'off' })).toContain('(0 rows)');
    expect(renderResult(result([['n', 'int']], [[1]]), 'table', { colors: plain, expanded: 'off' })).toContain('(1 row)');
  });
});

describe('machine formats', () => {
  const opts = { colors: plain, expanded: 'off' as const };
  it('csv quotes what needs quoting and leaves NULL empty', () => {
    expect(renderResult(accounts, 'csv', opts)).toBe(
      'name,revenue,createdon\n"Contoso, Ltd.",1250000.50,2024-01-02T03:04:05.000Z\n"Fabrikam ""F"" | Co",9,\n"Zoë 東京\nline",,\n',
    );
  });

  it('json and ndjson keep types, with dates, bigints and bytes as strings', () => {
    const r = result([['id', 'bigint'], ['ok', 'bit'], ['data', 'varbinary'], ['when', 'date']], [[12345678901234567890n, true, new Uint8Array([1, 255]), new Date('2024-05-06T00:00:00Z')]]);
    expect(JSON.parse(renderResult(r, 'json', opts))).toEqual([{ id: '12345678901234567890', ok: true, data: '\\x01ff', when: '2024-05-06T00:00:00.000Z' }]);
    expect(renderResult(accounts, 'ndjson', opts).trim().split('\n').map((l) => JSON.parse(l).name)).toEqual([
      'Contoso, Ltd.',
      'Fabrikam "F" | Co',
      'Zoë 東京\nline',
    ]);
  });

  it('markdown escapes pipes and right-aligns numbers', () => {
    expect(renderResult(accounts, 'markdown', opts).split('\n').slice(0, 4)).toEqual([
      '| name | revenue | createdon |',
      '| --- | ---: | --- |',
      '| Contoso, Ltd. | 1250000.50 | 2024-01-02T03:04:05.000Z |',
      '| Fabrikam "F" \\| Co | 9 |  |',
    ]);
  });
});
