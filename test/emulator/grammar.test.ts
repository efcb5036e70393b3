import { describe, expect, it } from 'vitest';
import { parseOption } from '../../src/emulator/query/parse.js';

const filter = (text: string) => parseOption<any>('filter', text);

describe('odata-query grammar', () => {
  it('binds and tighter than or, and not tighter than and', () => {
    const e = filter("a eq 1 or not b eq 2 and c eq 3");
    expect(e.type).toBe('logical');
    expect(e.op).toBe('or');
    expect(e.right.op).toBe('and');
    expect(e.right.left.type).toBe('not');
  });

  it('reads every literal kind', () => {
    const lit = (text: string) => filter(`x eq ${text}`).right;
    expect(lit("'O''Bryan'")).toMatchObject({ edm: 'Edm.String', value: "O'Bryan" });
    expect(lit('-12')).toMatchObject({ edm: 'Edm.Int64', value: -12 });
    expect(lit('1.5e3')).toMatchObject({ edm: 'Edm.Decimal', value: 1500 });
    expect(lit('null')).toMatchObject({ edm: 'null', value: null });
    expect(lit('true')).toMatchObject({ edm: 'Edm.Boolean', value: true });
    expect(lit('2024-01-31')).toMatchObject({ edm: 'Edm.Date', value: '2024-01-31' });
    expect(lit('2024-01-31T10:00:00.5+02:00')).toMatchObject({ edm: 'Edm.DateTimeOffset', value: '2024-01-31T10:00:00.5+02:00' });
    expect(lit('4026BE43-6B69-E111-8F65-78E7D1620F5E')).toMatchObject({ edm: 'Edm.Guid', value: '4026be43-6b69-e111-8f65-78e7d1620f5e' });
    expect(lit("Microsoft.Dynamics.DataEntities.NoYes'Yes'")).toMatchObject({ type: 'enum', typeName: 'Microsoft.Dynamics.DataEntities.NoYes', member: 'Yes' });
    expect(lit("guid'abc'")).toMatchObject({ type: 'badLiteral', text: "guid'abc'", pos: 5 });
  });

  it('reads paths, lambdas, calls and query functions', () => {
    expect(filter("primarycontactid/createdby/fullname eq 'x'").left).toMatchObject({ type: 'path', segments: ['primarycontactid', 'createdby', 'fullname'] });
    expect(filter('Account_Tasks/any()')).toMatchObject({ type: 'lambda', kind: 'any', nav: { segments: ['Account_Tasks'] } });
    expect(filter("contains(name,'a_b')")).toMatchObject({ type: 'call', name: 'contains', args: [{ type: 'path' }, { type: 'literal', value: 'a_b' }] });
    expect(filter("Microsoft.Dynamics.CRM.In(PropertyName='lastname',PropertyValues=[\"O'Brian\",'x'])")).toMatchObject({
      type: 'queryFunction', name: 'In', params: [{ name: 'PropertyName', value: { value: 'lastname' } }, { name: 'PropertyValues', value: { type: 'array', items: ["O'Brian", 'x'] } }],
    });
    expect(filter('x in (1,2)')).toMatchObject({ type: 'in', items: [{ value: 1 }, { value: 2 }] });
  });

  it('reads $orderby, $select, $expand and $apply', () => {
    expect(parseOption('orderby', 'name desc, @p1')).toMatchObject([{ descending: true }, { expr: { type: 'alias', name: 'p1' }, descending: false }]);
    expect(parseOption('select', 'name,accountid')).toMatchObject([{ name: 'name' }, { name: 'accountid' }]);
    expect(parseOption('expand', "a($select=x;$filter=y eq 1;$expand=b/$ref),c")).toMatchObject([
      { nav: 'a', options: [{ name: '$select' }, { name: '$filter' }, { name: '$expand', value: [{ nav: 'b', ref: true }] }] }, { nav: 'c' }]);
    expect(parseOption('apply', 'filter(a eq 1)/groupby((b,c/d),aggregate(e with sum as f,$count as g))')).toMatchObject([
      { type: 'filter' }, { type: 'groupby', props: [{ segments: ['b'] }, { segments: ['c', 'd'] }], aggregate: { items: [{ method: 'sum', alias: 'f' }, { method: '$count', alias: 'g' }] } }]);
  });

  it('reports positions of syntax errors and unterminated literals', () => {
    expect(() => filter("lastname eq 'O'Bryan'")).toThrow("There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''.");
    expect(() => filter('name eq')).toThrow(/^Syntax error at position 7 in 'name eq'\.$/);
    expect(() => filter('(name eq 1')).toThrow(/^Syntax error at position \d+/);
  });
});
