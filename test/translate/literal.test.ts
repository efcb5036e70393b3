/** odata/: the one literal function, option encoding and the lossless JSON reader. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeQueryOptionValue, JsonNumberText, odataLiteral, parseJsonLossless, decoderForEdm } from '../../src/odata/index.js';

describe('odataLiteral', () => {
  it('quotes strings, doubling quotes', () => {
    expect(odataLiteral("O'Brien", { edmType: 'Edm.String' })).toBe("'O''Brien'");
    expect(odataLiteral(42, { edmType: 'Edm.String' })).toBe("'42'");
  });

  it('writes GUIDs bare and lower-case, braces removed, anything else refused', () => {
    expect(odataLiteral('{5A69B88B-38EE-4AAC-93A8-7BAC75AC3101}', { edmType: 'Edm.Guid' })).toBe('5a69b88b-38ee-4aac-93a8-7bac75ac3101');
    expect(() => odataLiteral("5a69b88b-38ee-4aac-93a8-7bac75ac310' or 1 eq 1", { edmType: 'Edm.Guid' })).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_TYPE' }));
  });

  it('writes date-times in UTC with Z, dates as yyyy-mm-dd, and refuses impossible dates', () => {
    expect(odataLiteral('2024-02-29', { edmType: 'Edm.DateTimeOffset' })).toBe('2024-02-29T00:00:00Z');
    expect(odataLiteral('2024-02-29 13:05', { edmType: 'Edm.DateTimeOffset' })).toBe('2024-02-29T13:05:00Z');
    expect(odataLiteral('2024-02-29T13:05:07.250+0200', { edmType: 'Edm.DateTimeOffset' })).toBe('2024-02-29T13:05:07.250+02:00');
    expect(odataLiteral(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), { edmType: 'Edm.DateTimeOffset' })).toBe('2024-01-02T03:04:05Z');
    expect(odataLiteral('2024-02-29T10:00:00Z', { edmType: 'Edm.Date' })).toBe('2024-02-29');
    expect(() => odataLiteral('2023-02-29', { edmType: 'Edm.Date' })).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_TYPE' }));
    expect(() => odataLiteral('yesterday', { edmType: 'Edm.DateTimeOffset' })).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_TYPE' }));
  });

  it('keeps decimal digits and refuses non-numbers', () => {
    expect(odataLiteral('12345678901234567890.0123456789', { edmType: 'Edm.Decimal' })).toBe('12345678901234567890.0123456789');
    expect(odataLiteral('+5', { edmType: 'Edm.Int32' })).toBe('5');
    expect(() => odataLiteral('1 or 1 eq 1', { edmType: 'Edm.Decimal' })).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_TYPE' }));
    expect(() => odataLiteral(Number.NaN, { edmType: 'Edm.Double' })).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_TYPE' }));
    expect(() => odataLiteral(1.5, { edmType: 'Edm.Int32' })).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_TYPE' }));
  });

  it('refuses numbers the type cannot hold with DYNASQL_ERR_OVERFLOW (issue 22.6)', () => {
    const overflow = expect.objectContaining({ code: 'DYNASQL_ERR_OVERFLOW' });
    expect(() => odataLiteral('1e309', { edmType: 'Edm.Double' })).toThrow(overflow);
    expect(() => odataLiteral('-1e309', { edmType: 'Edm.Decimal' })).toThrow(overflow);
    expect(() => odataLiteral('1e39', { edmType: 'Edm.Single' })).toThrow(overflow);
    expect(() => odataLiteral('1e38', { edmType: 'Edm.Decimal' })).toThrow(overflow);
    expect(() => odataLiteral('1000000000000000', { edmType: 'Edm.Decimal', precision: 19, scale: 4 })).toThrow(overflow);
    expect(odataLiteral('999999999999999.9999', { edmType: 'Edm.Decimal', precision: 19, scale: 4 })).toBe('999999999999999.9999');
    expect(() => odataLiteral('2147483648', { edmType: 'Edm.Int32' })).toThrow(overflow);
    expect(odataLiteral('-2147483648', { edmType: 'Edm.Int32' })).toBe('-2147483648');
    expect(() => odataLiteral(256, { edmType: 'Edm.Byte' })).toThrow(overflow);
    expect(() => odataLiteral('9223372036854775808', { edmType: 'Edm.Int64' })).toThrow(overflow);
    expect(odataLiteral(9223372036854775807n, { edmType: 'Edm.Int64' })).toBe('9223372036854775807');
    expect(odataLiteral('1.7976931348623157e308', { edmType: 'Edm.Double' })).toBe('1.7976931348623157e308');
  });

  it('writes booleans, nulls and F&O enum members', () => {
    expect(odataLiteral(1, { edmType: 'Edm.Boolean' })).toBe('true');
    expect(odataLiteral(null, { edmType: 'Edm.String' })).toBe('null');
    const noYes = { edmType: 'Microsoft.Dynamics.DataEntities.NoYes', enumType: 'Microsoft.Dynamics.DataEntities.NoYes' };
    expect(odataLiteral('Yes', noYes)).toBe("Microsoft.Dynamics.DataEntities.NoYes'Yes'");
    expect(() => odataLiteral("Yes' or 1 eq 1", noYes)).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_TYPE' }));
  });

  it('writes query-function array elements as JSON strings', () => {
    expect(odataLiteral("O'Brien \"x\"", { edmType: 'Edm.String', style: 'json' })).toBe('"O\'Brien \\"x\\""');
    expect(odataLiteral(5, { edmType: 'Edm.Int32', style: 'json' })).toBe('"5"');
  });
});

describe('encodeQueryOptionValue', () => {
  it('encodes what could end an option or the URL, and the quote as the wire does', () => {
    expect(encodeQueryOptionValue("name eq 'A&B #1+2=3;%'")).toBe('name%20eq%20%27A%26B%20%231%2B2%3D3%3B%25%27');
    expect(encodeQueryOptionValue('startswith(name,$x)/a:b*@c')).toBe('startswith(name,$x)/a:b*@c');
    expect(encodeQueryOptionValue('Zürich')).toBe('Z%C3%BCrich');
  });

  it('is encodeURIComponent with the quote encoded and , / : $ @ left readable, for any text', () => {
    const reference = (value: string) => encodeURIComponent(value).replace(/'/g, '%27')
      .replace(/%2C/g, ',').replace(/%2F/g, '/').replace(/%3A/g, ':').replace(/%24/g, '$').replace(/%40/g, '@');
    const text = fc.string({ unit: fc.constantFrom(...[...'aZ09-_.!~*\'(),/:$@ %&=#+"[];é€😀'], '%2C', '%24', '\u0000') });
    fc.assert(fc.property(text, (value) => encodeQueryOptionValue(value) === reference(value)), { numRuns: 2000 });
  });
});

describe('parseJsonLossless and decoders', () => {
  it('keeps decimals and 64-bit integers exact', () => {
    const value = parseJsonLossless('{"a":1234567890123.0123456789,"b":9223372036854775807,"c":42,"d":-1.5e3,"e":"x\\"y"}') as Record<string, unknown>;
    expect(value.a).toEqual(new JsonNumberText('1234567890123.0123456789'));
    expect(decoderForEdm('Edm.Decimal')(value.a as never)).toBe('1234567890123.0123456789');
    expect(decoderForEdm('Edm.Int64')(value.b as never)).toBe(9223372036854775807n);
    expect(value.c).toBe(42);
    expect(decoderForEdm('Edm.Double')(value.d as never)).toBe(-1500);
    expect(value.e).toBe('x"y');
  });

  it('decodes dates, GUIDs and nulls', () => {
    expect(decoderForEdm('Edm.Date')('2024-03-01')).toEqual(new Date(Date.UTC(2024, 2, 1)));
    expect(decoderForEdm('Edm.DateTimeOffset')('2024-03-01T10:00:00Z')).toEqual(new Date(Date.UTC(2024, 2, 1, 10)));
    expect(decoderForEdm('Edm.Guid')('5A69B88B-38EE-4AAC-93A8-7BAC75AC3101')).toBe('5a69b88b-38ee-4aac-93a8-7bac75ac3101');
    expect(decoderForEdm('Edm.String')(null)).toBeNull();
  });

  it('refuses broken JSON with a service error', () => {
    expect(() => parseJsonLossless('{"a":')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_SERVICE' }));
    expect(() => parseJsonLossless('{"a":1} x')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_SERVICE' }));
  });
});
