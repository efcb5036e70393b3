import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendHistory, loadHistory } from '../../src/cli/history.js';

const dir = mkdtempSync(join(tmpdir(), 'dynasql-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('history file', () => {
  it('appends lines (creating folders) and loads them newest first', () => {
    const file = join(dir, 'a', 'b', 'history');
    expect(loadHistory(file)).toEqual([]);
    appendHistory(file, 'SELECT 1;');
    appendHistory(file, '   ');
    appendHistory(file, '\\dt');
    expect(loadHistory(file)).toEqual(['\\dt', 'SELECT 1;']);
  });

  it('keeps the last entries and cuts a file grown past twice the limit', () => {
    const file = join(dir, 'long');
    writeFileSync(file, Array.from({ length: 25 }, (_, i) => `line ${i}\n`).join(''));
    expect(loadHistory(file, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${24 - i}`));
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(10);
  });

  it('reports a history it cannot write instead of throwing', () => {
    writeFileSync(join(dir, 'file'), '');
    expect(appendHistory(join(dir, 'file', 'history'), 'SELECT 1;')).toBeInstanceOf(Error);
  });
});
