import { describe, expect, it } from 'vitest';
import { exactDecimals, restoreDecimal } from '../../src/sql/exact-numbers.js';

describe('exactDecimals', () => {
  it('maps the parser\'s rounding of a long decimal back to the literal as written', () => {
    const map = exactDecimals("SELECT 1 WHERE revenue = 12345678901234.5678 OR revenue = -98765432109876.5432 OR x = 10.25");
    expect(map).toEqual(new Map([['12345678901234.5684', '12345678901234.5678'], ['98765432109876.5469', '98765432109876.5432']]));
    expect(restoreDecimal('12345678901234.5684', map)).toBe('12345678901234.5678');
    expect(restoreDecimal('-98765432109876.5469', map)).toBe('-98765432109876.5432');
    expect(restoreDecimal('10.25', map)).toBe('10.25');
  });

  it('looks only at literals: not in quotes, comments, names or parameters', () => {
    expect(exactDecimals("SELECT '12345678901234.5678', [12345678901234.5678] -- 12345678901234.5678\nFROM t")).toBeUndefined();
    expect(exactDecimals('SELECT x12345678901234.5678, @p12345678901234.5678 FROM t')).toBeUndefined();
    expect(exactDecimals('SELECT 123456789012345678.5 FROM t')).toBeUndefined(); // kept exactly by the parser (big integer part)
    expect(exactDecimals('SELECT 0.1 FROM t')).toBeUndefined();
  });

  it('refuses two literals it cannot tell apart', () => {
    expect(() => exactDecimals('SELECT 12345678901234.5678, 12345678901234.5679')).toThrow(/pass them as parameters/);
  });
});
