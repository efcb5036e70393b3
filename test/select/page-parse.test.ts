/**
 * A page parsed with the native JSON.parse for known columns decodes to exactly the values the
 * lossless parser gives: decimals keep their digits (`20000.0000`), 64-bit integers stay exact.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Column } from '../../src/catalog/types.js';
import { decoderFor, parsePage, sourceKey } from '../../src/odata/index.js';

const column = (odataName: string, edmType: string, kind: Column['kind'] = 'data' as Column['kind']): Column =>
  ({ name: odataName, odataName, kind, edmType, sqlType: 'nvarchar', nullable: true }) as unknown as Column;

const columns = [
  column('revenue', 'Edm.Decimal'),
  column('versionnumber', 'Edm.Int64'),
  column('score', 'Edm.Double'),
  column('count', 'Edm.Int32'),
  column('name', 'Edm.String'),
  column('_owner_value', 'Edm.Guid', 'lookupName' as Column['kind']),
];

const decodeAll = (text: string, readFor?: Column[]) =>
  parsePage(text, readFor).rows.map((raw) => columns.map((c) => decoderFor(c)(raw[sourceKey(c)] as never)));

describe('parsePage with known columns', () => {
  it('keeps decimal and 64-bit digits and string values as the lossless parser does', () => {
    const text = '{"@odata.nextLink":"http://x/next","value":[{"revenue":20000.0000,"versionnumber":9223372036854775807,"score":0.1,"count":3,'
      + '"name":"a,\\"revenue\\":1.50","_owner_value@OData.Community.Display.V1.FormattedValue":"Owner"},{"revenue":-1.5e3,"versionnumber":12,"score":1234567890123.0123456789,"count":-0,"name":null}]}';
    const page = parsePage(text, columns);
    expect(page.nextLink).toBe('http://x/next');
    expect(decodeAll(text, columns)).toEqual([
      ['20000.0000', 9223372036854775807n, 0.1, 3, 'a,"revenue":1.50', 'Owner'],
      ['-1.5e3', 12n, Number('1234567890123.0123456789'), -0, null, null],
    ]);
    expect(decodeAll(text, columns)).toEqual(decodeAll(text));
  });

  it('decodes any page the same way as the lossless parser', () => {
    const number = fc.oneof(
      fc.integer().map(String),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
      fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.nat({ max: 10 ** 6 }), fc.nat({ max: 4 })).map(([i, f, zeros]) => `${i}.${f}${'0'.repeat(zeros)}`),
      fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: -20, max: 20 })).map(([m, e]) => `${m}e${e}`),
    );
    const value = fc.oneof(number, fc.string().map((s) => JSON.stringify(s)), fc.constant('null'), fc.constant('true'));
    // the service writes each row's etag first (`W/"1000"`); the known-columns parse drops it
    const etag = fc.option(fc.string().map((s) => `"@odata.etag" : ${JSON.stringify(`W/"${s}"`)} ,`), { nil: '' });
    const row = fc.tuple(etag, value, value, value, value, value, value).map(([first, ...vs]) =>
      `{${first}${['revenue', 'versionnumber', 'score', 'count', 'name', '_owner_value@OData.Community.Display.V1.FormattedValue'].map((k, i) => `${JSON.stringify(k)} : ${vs[i]}`).join(' ,')}}`);
    fc.assert(fc.property(fc.array(row, { maxLength: 5 }), (rows) => {
      const text = `{"value":[${rows.join(',')}]}`;
      const safe = (f: () => unknown) => { try { return f(); } catch (error) { return (error as Error).name; } };
      expect(safe(() => decodeAll(text, columns))).toEqual(safe(() => decodeAll(text)));
    }), { numRuns: 300 });
  });

  it('leaves out the etag the service writes first in every row, and nothing else', () => {
    // a unique short string per row that JSON.parse would keep in V8's string table (odata/json.ts ROW_ETAG)
    const text = '{"value":[{"@odata.etag":"W/\\"1000\\"","name":"{\\"@odata.etag\\":\\"x\\",","revenue":1.50},'
      + '{ "@odata.etag" : "W/\\"1001\\"" , "name":"b","revenue":2},{"name":"c","@odata.etag":"W/\\"1002\\""}]}';
    const { rows } = parsePage(text, columns);
    expect(rows).toEqual([
      { name: '{"@odata.etag":"x",', revenue: '1.50' },
      { name: 'b', revenue: 2 },
      // not first: kept (a `,` before a key can sit inside a string, a `{` before a `"` cannot)
      { name: 'c', '@odata.etag': 'W/"1002"' },
    ]);
    expect(decodeAll(text, columns)).toEqual(decodeAll(text));
  });

  it('refuses invalid JSON with DYNASQL_ERR_SERVICE', () => {
    expect(() => parsePage('{"value":[', columns)).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_SERVICE' }));
  });
});
