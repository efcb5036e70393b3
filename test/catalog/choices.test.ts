/**
 * The Dataverse choice heuristic (dataverse-conventions.ts) checked against ground truth: the SDK
 * EntityMetadata of account and contact (a v9 org) says which attributes are Picklist / State /
 * Status / Boolean and which are plain Integer. Every such attribute the v8.1 EDMX also has must
 * get (or not get) its `<name>name` label column.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEdmx } from '../../src/catalog/parse-edmx.js';
import { looksLikeChoice, mayBeMultiSelect } from '../../src/catalog/dataverse-conventions.js';
import { ACCOUNT_TYPE, edmx } from './edmx-builder.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/edmx');
const catalog = parseEdmx(readFileSync(`${FIXTURES}/dataverse-v8.1-2016-DynamicsCRM.xml`, 'utf8'));

function sdkAttributeTypes(entity: string): Map<string, string> {
  const text = readFileSync(`${FIXTURES}/dataverse-v9-sdk-EntityMetadata-${entity}.xml`, 'utf8');
  const types = new Map<string, string>();
  for (const part of text.split('<AttributeMetadata i:type=').slice(1)) {
    const type = /<AttributeType>(\w+)</.exec(part)?.[1];
    const name = /<LogicalName>([^<]+)</.exec(part)?.[1];
    if (type && name) types.set(name, type);
  }
  return types;
}

describe.each(['account', 'contact'])('choice columns of %s', (entity) => {
  const table = catalog.tables.find((t) => t.name === entity)!;
  const labels = new Set(table.columns.filter((c) => c.kind === 'choiceLabel').map((c) => c.sourceColumn));
  const present = new Set(table.columns.filter((c) => c.kind === 'data').map((c) => c.name));
  const sdk = sdkAttributeTypes(entity);

  it('labels every picklist, state, status and boolean the EDMX has', () => {
    const choices = [...sdk].filter(([name, type]) => ['Picklist', 'State', 'Status', 'Boolean'].includes(type) && present.has(name)).map(([name]) => name);
    expect(choices.length).toBeGreaterThan(15);
    expect(choices.filter((name) => !labels.has(name))).toEqual([]);
  });

  it('labels no plain integer', () => {
    const integers = [...sdk].filter(([name, type]) => type === 'Integer' && present.has(name)).map(([name]) => name);
    expect(integers.length).toBeGreaterThan(4);
    expect(integers.filter((name) => labels.has(name))).toEqual([]);
  });

  it('takes no system text column for a possible multi-select choice (no metadata request for a filter on one)', () => {
    const texts = [...sdk].filter(([name, type]) => ['String', 'Memo'].includes(type) && present.has(name)).map(([name]) => name);
    expect(texts.filter((name) => name.includes('_')).length).toBeGreaterThan(10);
    expect(texts.filter((name) => mayBeMultiSelect(name))).toEqual([]);
  });
});

describe('the heuristic and its override', () => {
  it('reads names and descriptions', () => {
    expect(looksLikeChoice('industrycode', undefined)).toBe(true);
    expect(looksLikeChoice('utcconversiontimezonecode', undefined)).toBe(false);
    expect(looksLikeChoice('salesstage', 'Select the sales stage of this lead.')).toBe(true);
    expect(looksLikeChoice('address1_utcoffset', 'Select the time zone, or UTC offset.')).toBe(false);
    expect(looksLikeChoice('numberofemployees', 'Type the number of employees.')).toBe(false);
  });

  it('takes a text column with a publisher prefix for a possible multi-select choice', () => {
    expect(mayBeMultiSelect('sample_outdooractivities')).toBe(true);
    expect(mayBeMultiSelect('msdyn_gdproptout')).toBe(true);
    expect(mayBeMultiSelect('name')).toBe(false);
    expect(mayBeMultiSelect('address2_line1')).toBe(false);
    expect(mayBeMultiSelect('entityimage_url')).toBe(false);
  });

  it('can be overridden per column', () => {
    const xml = edmx({
      types: ACCOUNT_TYPE.replace('<Property Name="name" Type="Edm.String"/>', '<Property Name="tier" Type="Edm.Int32"/><Property Name="industrycode" Type="Edm.Int32"/>'),
      container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>',
    });
    const names = (options?: Parameters<typeof parseEdmx>[1]) => parseEdmx(xml, options).tables[0]!.columns.map((c) => c.name);
    expect(names()).toEqual(['accountid', 'tier', 'industrycode', 'industrycodename', 'accountnumber']);
    const overridden = names({ isChoice: (_table, column) => (column === 'tier' ? true : column === 'industrycode' ? false : undefined) });
    expect(overridden).toEqual(['accountid', 'tier', 'tiername', 'industrycode', 'accountnumber']);
  });
});
