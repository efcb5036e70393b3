/** T-SQL LIKE character classes run locally as regular expressions. */
import { describe, expect, it } from 'vitest';
import { likeToRegex } from '../../src/local/like-pattern.js';

describe('likeToRegex', () => {
  it('maps wildcards and classes, and escapes everything else', () => {
    expect(likeToRegex('[AB]%')).toBe('^[AB].*$');
    expect(likeToRegex('[^a-c]_x')).toBe('^[^a-c].x$');
    expect(likeToRegex('50[%].(1)+')).toBe('^50[%]\\.\\(1\\)\\+$');
    expect(likeToRegex('a!%b[c]', '!')).toBe('^a%b[c]$');
    expect(likeToRegex('[unclosed')).toBe('^\\[unclosed$');
  });

  it('matches as SQL Server does', () => {
    const matches = (value: string, pattern: string) => new RegExp(likeToRegex(pattern), 'is').test(value);
    expect(matches('Blue', '[AB]%')).toBe(true);
    expect(matches('City', '[AB]%')).toBe(false);
    expect(matches('City', '[^AB]%')).toBe(true);
    expect(matches('50% off', '%50[%]%')).toBe(true);
    expect(matches('500 off', '%50[%]%')).toBe(false);
    expect(matches('a]b', 'a[]]b')).toBe(true);
  });
});
