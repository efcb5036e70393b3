/**
 * The arithmetic of an aggregate's parts (src/fetchxml/number-text.ts, split-scale.ts): decimals
 * added and compared exactly as text, floats with an exponent as doubles, range bounds written as
 * a condition takes them.
 */
import { describe, expect, it } from 'vitest';
import { addNumberTexts, compareNumberTexts } from '../../src/fetchxml/number-text.js';
import { scaleBounds, scaleMiddle, scaleText, scaleValue } from '../../src/fetchxml/split-scale.js';

describe('numbers of parts', () => {
  it('adds and compares decimals exactly, floats as doubles', () => {
    expect(addNumberTexts('0.1', '0.2')).toBe('0.3');
    expect(addNumberTexts('316738470.81', '-316738470.8')).toBe('0.01');
    expect(addNumberTexts('1.5e+21', '1')).toBe(String(1.5e21 + 1));
    expect(compareNumberTexts('20000', '1440062.48')).toBe(-1);
    expect(compareNumberTexts('-0.5', '-0.25')).toBe(-1);
    expect(compareNumberTexts('12345678901234567.01', '12345678901234567.02')).toBe(-1);
    expect(compareNumberTexts('2e3', '1999.5')).toBe(1);
  });

  it('writes bounds without an exponent, dates as dates', () => {
    expect(scaleText(1e21, 'number')).toBe('1000000000000000000000');
    expect(scaleText(0.000001, 'number')).toBe('0.000001');
    expect(scaleText(scaleValue('1957-04-03', 'day'), 'day')).toBe('1957-04-03');
    expect(scaleText(scaleValue('2024-02-29T10:00:00Z', 'instant'), 'instant')).toBe('2024-02-29T10:00:00.000Z');
    expect(scaleBounds(0, 70, 7, 'integer')).toEqual([10, 20, 30, 40, 50, 60]);
    expect(scaleMiddle(4, 5, 'integer')).toBeUndefined();
    expect(scaleMiddle(4, 5, 'number')).toBe(4.5);
  });
});
