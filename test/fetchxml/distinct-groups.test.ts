/**
 * The parts' groups of a distinct count's column combined into the statement's rows
 * (src/fetchxml/distinct-groups.ts through combineParts), on the rows the service answers.
 */
import { describe, expect, it } from 'vitest';
import { combineParts, distinctGroupFetch, element, renderXml, type SplitSpec } from '../../src/fetchxml/index.js';
import { JsonNumberText } from '../../src/odata/index.js';

const spec = (text: boolean, groups: string[] = []): SplitSpec => ({
  attribute: 'createdon', scale: 'instant', distinctGroup: { alias: 'a1', attribute: 'name', text, zeros: ['a1', 'a2'] },
  groups, textGroups: [], aggregates: [{ alias: 'a2', combine: 'sum' }, { alias: 'a3', combine: 'max' }], orders: [],
});

const plain = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof JsonNumberText ? v.text : v]));

describe('a distinct count from the parts\' groups', () => {
  it('asks each part for the groups of the column under the count\'s alias', () => {
    const fetch = element('fetch', { aggregate: 'true' }, [element('entity', { name: 'account' }, [
      element('attribute', { name: 'name', alias: 'a1', aggregate: 'countcolumn', distinct: 'true' }),
      element('attribute', { name: 'accountid', alias: 'a2', aggregate: 'count' }),
    ])]);
    expect(renderXml(distinctGroupFetch(fetch, spec(true).distinctGroup!))).toBe(
      '<fetch aggregate="true"><entity name="account"><attribute name="name" alias="a1" groupby="true"/><attribute name="accountid" alias="a2" aggregate="count"/></entity></fetch>',
    );
  });

  it('text equal up to case and trailing blanks is one value; the null group is no value; the rest rolls up', () => {
    const parts = [
      [{ a1: 'Contoso', a2: 2, a3: 5 }, { a1: null, a2: 3, a3: 9 }],
      [{ a1: 'CONTOSO ', a2: 1, a3: 7 }, { a1: 'Fabrikam', a2: 4, a3: 1 }],
    ];
    expect(combineParts(parts, spec(true)).map(plain)).toEqual([{ a1: 2, a2: '10', a3: 9 }]);
  });

  it('GUIDs and other values equal only exactly', () => {
    const parts = [[{ a1: 'Contoso', a2: 1 }], [{ a1: 'CONTOSO', a2: 1 }]];
    expect(combineParts(parts, spec(false)).map(plain)).toEqual([{ a1: 2, a2: '2' }]);
  });

  it('per statement group', () => {
    const parts = [[{ g1: 1, a1: 'x', a2: 1 }, { g1: 2, a1: 'x', a2: 1 }], [{ g1: 1, a1: 'y', a2: 1 }, { g1: 1, a1: 'X', a2: 1 }]];
    expect(combineParts(parts, spec(true, ['g1'])).map(plain)).toEqual([{ g1: 1, a1: 2, a2: '3' }, { g1: 2, a1: 1, a2: 1 }]);
  });

  it('an ungrouped statement over parts with no group (its rows gone since the refusal) is still one row: counts 0, the rest null', () => {
    expect(combineParts([[], []], spec(true))).toEqual([{ a1: 0, a2: 0 }]);
  });
});
