/**
 * A page read a slice of rows at a time (odata/page-layout.ts) gives exactly the rows and the next
 * link that parsing the whole page gives, whatever its strings hold (quotes, braces, brackets,
 * escapes, multi-byte characters); a body that is not a page of objects has no layout, so the caller
 * parses it whole and reports what is wrong with it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pageLayout, sliceText } from '../../src/odata/index.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** every row of a laid-out page, parsed `size` rows at a time */
function rowsBySlices(text: string, size: number): unknown[] {
  const body = bytes(text);
  const layout = pageLayout(body, size)!;
  const rows: unknown[] = [];
  for (let index = 0; index < layout.slices.length / 2; index++) {
    const slice = (JSON.parse(sliceText(body, layout, index)) as { value: unknown[] }).value;
    expect(slice.length).toBe(Math.min(size, layout.count - index * size));
    rows.push(...slice);
  }
  expect(rows.length).toBe(layout.count);
  return rows;
}

describe('pageLayout', () => {
  it('finds the rows and keeps the annotations around the value array', () => {
    const text = '{"@odata.context":"x#accounts","value":[{"name":"a}],\\"[{","n":1},\n {"name":"é😀","o":{"v":[1,{"w":"}"}]}}],"@odata.nextLink":"http://x/next?a=\\"]"}';
    const layout = pageLayout(bytes(text), 1)!;
    expect(layout.count).toBe(2);
    expect(JSON.parse(layout.head)).toEqual({ '@odata.context': 'x#accounts', value: [], '@odata.nextLink': 'http://x/next?a="]' });
    expect(rowsBySlices(text, 1)).toEqual(JSON.parse(text).value);
  });

  it('has no layout for a body that is not a page of objects', () => {
    for (const text of ['{"value":[1,2]}', '{"value":["a"]}', '{"value":[[{}]]}', '{"value":{}}', '{"other":[{}]}', '[{"value":[{}]}]', '{"value":[{}]', '{"value":[{}],"value":[{}]}', 'not json']) {
      expect(pageLayout(bytes(text), 2), text).toBeUndefined();
    }
    expect(pageLayout(bytes('{"value":[]}'), 2)).toEqual({ head: '{"value":[]}', count: 0, slices: [] });
  });

  it('gives the rows JSON.parse gives, in slices of any size, for any page', () => {
    // strings made mostly of what a scanner could trip on
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'a', 'é', '😀', '\n', '\u0001'), maxLength: 8 }),
      fc.string({ maxLength: 8 }),
    );
    const value = fc.oneof(text, fc.double(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 }), fc.dictionary(text, text, { maxKeys: 3 }));
    const row = fc.dictionary(text, value, { maxKeys: 5 });
    const page = fc.record({
      before: fc.record({ '@odata.context': text, '@odata.count': fc.nat(), x: value }, { requiredKeys: [] }),
      rows: fc.array(row, { maxLength: 12 }),
      nextLink: fc.option(text, { nil: undefined }),
    });
    fc.assert(fc.property(page, fc.integer({ min: 1, max: 5 }), fc.boolean(), ({ before, rows, nextLink }, size, spaced) => {
      const object = { ...before, value: rows, ...(nextLink !== undefined ? { '@odata.nextLink': nextLink } : {}) };
      const text = JSON.stringify(object, null, spaced ? 1 : undefined);
      const parsed = JSON.parse(text) as { value: unknown[] };
      // compared as JSON text: the same rows parse to the same text, and vitest's deep equality is slow in a loop
      expect(JSON.stringify(rowsBySlices(text, size))).toBe(JSON.stringify(parsed.value));
      expect(JSON.stringify(JSON.parse(pageLayout(bytes(text), size)!.head))).toBe(JSON.stringify({ ...parsed, value: [] }));
    }), { numRuns: 200 });
  });
});
