import { describe, expect, it } from 'vitest';
import { adaptFinopsFilter } from '../../../src/emulator/finops/finops-filter.js';
import { finopsMetadataXml } from '../../../src/emulator/finops/finops-metadata.js';
import { createFinopsProfile } from '../../../src/emulator/finops/profile.js';
import { parseEdmx } from '../../../src/emulator/metadata/model.js';
import type { Expr } from '../../../src/emulator/query/ast.js';
import { compileFilterExpr } from '../../../src/emulator/query/filter.js';
import { parseOption } from '../../../src/emulator/query/parse.js';
import type { QueryScope } from '../../../src/emulator/query/scope.js';
import { Store } from '../../../src/emulator/store/store.js';

const model = parseEdmx(finopsMetadataXml());
const customer = model.entityTypes.get('CustomerV3')!;
const scope: QueryScope = {
  store: new Store(model, new Map()), model, profile: createFinopsProfile({}), now: new Date(), userId: '', businessUnitId: '', aliases: new Map(), childIndex: new Map(),
};
const matches = (filter: string, names: string[]) => {
  const predicate = compileFilterExpr(scope, customer, adaptFinopsFilter(parseOption<Expr>('filter', filter), customer, model), filter);
  return names.filter((name) => predicate({ values: { OrganizationName: name, IsSalesTaxIncludedInPrice: 'Yes' }, lookupTypes: {}, version: 1 }));
};
const NAMES = ['Contoso Retail', 'Retail Park', 'Big retail', 'Forest Wholesales', '100% Retail_Co', 'Alpha Beta'];

describe('adaptFinopsFilter', () => {
  it("turns '*' wildcards in eq into contains / startswith / endswith", () => {
    expect(matches("OrganizationName eq '*retail*'", NAMES)).toEqual(['Contoso Retail', 'Retail Park', 'Big retail', '100% Retail_Co']);
    expect(matches("OrganizationName eq 'retail*'", NAMES)).toEqual(['Retail Park']);
    expect(matches("OrganizationName eq '*retail'", NAMES)).toEqual(['Contoso Retail', 'Big retail']);
    expect(matches("OrganizationName eq 'Alpha*Beta'", NAMES)).toEqual(['Alpha Beta']);
    expect(matches("OrganizationName ne '*retail*'", NAMES)).toEqual(['Forest Wholesales', 'Alpha Beta']);
  });

  it('treats % and _ in a wildcard value as plain characters', () => {
    expect(matches("OrganizationName eq '*0% R*'", NAMES)).toEqual(['100% Retail_Co']);
    expect(matches("OrganizationName eq '*l_C*'", NAMES)).toEqual(['100% Retail_Co']);
    expect(matches("OrganizationName eq 'Contoso Retail'", NAMES)).toEqual(['Contoso Retail']); // no '*': plain equality
  });

  it('checks enum literals and allows only eq and ne on enums', () => {
    expect(matches("IsSalesTaxIncludedInPrice eq Microsoft.Dynamics.DataEntities.NoYes'Yes'", ['x'])).toEqual(['x']);
    expect(() => matches("IsSalesTaxIncludedInPrice eq Microsoft.Dynamics.DataEntities.NoYes'Perhaps'", [])).toThrow(/not a valid enumeration type constant/);
    expect(() => matches("IsSalesTaxIncludedInPrice eq Microsoft.Dynamics.DataEntities.Colour'Red'", [])).toThrow(/not a valid enumeration type constant/);
    expect(() => matches("IsSalesTaxIncludedInPrice lt Microsoft.Dynamics.DataEntities.NoYes'Yes'", [])).toThrow(/only|eq or ne/);
    expect(() => matches('Microsoft.Dynamics.CRM.Today(PropertyName=\'CreatedDateTime\')', [])).toThrow(/unknown function/);
  });
});
