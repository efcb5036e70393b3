/**
 * Pure lowering against the real v8.1 metadata: the exact request each call becomes, parameter
 * conversion per Edm type, and the checks that refuse a call before anything is sent.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogView, parseEdmx, type Catalog } from '../../src/catalog/index.js';
import { decodeResult, lowerCall, lowerRelationshipCall, matchArguments, withBuiltinProcedures, type CallArgument } from '../../src/procedures/index.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml');
const ID = '8c4e8a0f-5c1a-4b6e-9a1e-0123456789ab';
const OTHER = '11111111-2222-4333-8444-555555555555';

let catalog: Catalog;
beforeAll(() => {
  catalog = withBuiltinProcedures(catalogView(parseEdmx(readFileSync(FIXTURE, 'utf8'), { edition: 'dataverse' }), { useDynamicStoredProcedures: true }));
});

const named = (values: Record<string, unknown>): CallArgument[] => Object.entries(values).map(([name, value]) => ({ name, value }));
const aliases = (url: string) => Object.fromEntries(url.split('?')[1]!.split('&').map((part) => {
  const at = part.indexOf('=');
  return [part.slice(0, at), decodeURIComponent(part.slice(at + 1))];
}));

describe('functions: parameter aliases, every value through the escaper', () => {
  it('a hostile string stays one string literal in one alias', () => {
    const hostile = "Pacific' or 1 eq 1&$top=1#x%20";
    const request = lowerCall(catalog, 'GetTimeZoneCodeByLocalizedName', named({ LocalizedStandardName: hostile, LocaleId: 1033 }));
    expect(request.method).toBe('GET');
    expect(request.url.split('?')[0]).toBe('GetTimeZoneCodeByLocalizedName(LocalizedStandardName=@p1,LocaleId=@p2)');
    expect(request.url).not.toContain(' ');
    expect(request.url).not.toContain('#');
    expect(aliases(request.url)).toEqual({ '@p1': "'Pacific'' or 1 eq 1&$top=1#x%20'", '@p2': '1033' });
  });

  it('entity references as @odata.id, enums as qualified members (by name or number)', () => {
    const request = lowerCall(catalog, 'InitializeFrom', named({ EntityMoniker: `accounts(${ID.toUpperCase()})`, TargetEntityName: 'opportunity', TargetFieldType: 'ValidForCreate' }));
    expect(aliases(request.url)).toEqual({
      '@p1': `{"@odata.id":"accounts(${ID})"}`, '@p2': "'opportunity'", '@p3': "Microsoft.Dynamics.CRM.TargetFieldType'ValidForCreate'",
    });
    const byNumber = lowerCall(catalog, 'InitializeFrom', [{ value: `account(${ID})` }, { value: 'opportunity' }, { value: 1 }]);
    expect(aliases(byNumber.url)['@p3']).toMatch(/^Microsoft\.Dynamics\.CRM\.TargetFieldType'\w+'$/);
    expect(() => lowerCall(catalog, 'InitializeFrom', named({ EntityMoniker: `accounts(${ID})`, TargetEntityName: 'x', TargetFieldType: 'Bogus' })))
      .toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining("'@TargetFieldType'") }));
  });

  it('a crmbaseentity parameter needs the table; an unknown table is named', () => {
    expect(() => lowerCall(catalog, 'CalculateRollupField', named({ Target: ID, FieldName: 'x' })))
      .toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining("give the record with its table") }));
    expect(() => lowerCall(catalog, 'CalculateRollupField', named({ Target: `acounts(${ID})`, FieldName: 'x' })))
      .toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining("unknown table 'acounts'") }));
    const request = lowerCall(catalog, 'CalculateRollupField', named({ Target: `accounts(${ID})`, FieldName: 'new_total' }));
    expect(request.url).toBe(`CalculateRollupField(Target=@p1,FieldName=@p2)?@p1=%7B%22@odata.id%22:%22accounts(${ID})%22%7D&@p2=%27new_total%27`);
  });

  it('bound overloads are chosen by the target; a bare id cannot choose', () => {
    const team = lowerCall(catalog, 'RetrievePrincipalAccess', [{ value: `teams(${ID})` }, { name: 'Target', value: `contacts(${OTHER})` }]);
    expect(team.url.split('?')[0]).toBe(`teams(${ID})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@p1)`);
    const user = lowerCall(catalog, 'RetrievePrincipalAccess', named({ entity: `systemusers(${ID})`, Target: `contacts(${OTHER})` }));
    expect(user.url.split('?')[0]).toBe(`systemusers(${ID})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@p1)`);
    expect(() => lowerCall(catalog, 'RetrievePrincipalAccess', [{ value: ID }, { name: 'Target', value: `contacts(${OTHER})` }]))
      .toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining('forms') }));
  });
});

describe('actions: JSON bodies', () => {
  it('a bound action with a Target parameter of its own: typed entity reference in the body', () => {
    const request = lowerCall(catalog, 'AddToQueue', [{ value: `queues(${ID})` }, { name: 'Target', value: `letters(${OTHER})` }]);
    expect(request).toMatchObject({ method: 'POST', url: `queues(${ID})/Microsoft.Dynamics.CRM.AddToQueue` });
    expect(JSON.parse(request.body!)).toEqual({ Target: { '@odata.type': 'Microsoft.Dynamics.CRM.letter', activityid: OTHER } });
    const byKey = lowerCall(catalog, 'AddToQueue', named({ entity: ID, Target: `letters(${OTHER})`, SourceQueue: OTHER }));
    expect(JSON.parse(byKey.body!).SourceQueue).toEqual({ '@odata.type': 'Microsoft.Dynamics.CRM.queue', queueid: OTHER });
  });

  it('a collection-bound action takes its entity set by default', () => {
    const request = lowerCall(catalog, 'ExportTranslation', named({ SolutionName: 'My"Solution' }));
    expect(request).toEqual(expect.objectContaining({ method: 'POST', url: 'solutions/Microsoft.Dynamics.CRM.ExportTranslation', body: '{"SolutionName":"My\\"Solution"}' }));
    expect(() => lowerCall(catalog, 'ExportTranslation', named({ Target: 'accounts', SolutionName: 'x' }))).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER' }));
  });

  it('entities from JSON, booleans from 0/1, missing and wrong values named', () => {
    const request = lowerCall(catalog, 'Merge', named({
      Target: `accounts(${ID})`, Subordinate: `accounts(${OTHER})`, UpdateContent: '{"@odata.type":"Microsoft.Dynamics.CRM.account","name":"x"}', PerformParentingChecks: 0,
    }));
    expect(JSON.parse(request.body!)).toEqual({
      Target: { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: ID },
      Subordinate: { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: OTHER },
      UpdateContent: { '@odata.type': 'Microsoft.Dynamics.CRM.account', name: 'x' },
      PerformParentingChecks: false,
    });
    expect(() => lowerCall(catalog, 'Merge', named({ Target: `accounts(${ID})` }))).toThrow(expect.objectContaining({ message: expect.stringContaining("'@Subordinate': required") }));
    expect(() => lowerCall(catalog, 'Merge', named({ Target: `accounts(${ID})`, Subordinate: `accounts(${OTHER})`, UpdateContent: '[1]', PerformParentingChecks: 2 })))
      .toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER' }));
  });

  it('built-ins are not service requests', () => {
    expect(() => lowerCall(catalog, 'RefreshMetadata', [])).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_INTERNAL' }));
  });
});

describe('results', () => {
  it('a crmbaseentity result as entitytype, id and the properties sent', () => {
    const procedure = catalog.procedures.find((p) => p.name === 'CalculateRollupField')!;
    const result = decodeResult(catalog, procedure, JSON.stringify({ '@odata.type': '#Microsoft.Dynamics.CRM.account', accountid: ID.toUpperCase(), new_total: 12 }));
    expect(result.rows).toEqual([{ entitytype: 'account', id: ID, new_total: 12 }]);
  });

  it('decimals keep every digit', () => {
    const procedure = { ...catalog.procedures.find((p) => p.name === 'WhoAmI')!, name: 'Amount', returnType: { edmType: 'Edm.Decimal', isCollection: false, nullable: false } };
    expect(decodeResult(catalog, procedure, '{"value":12345678901234.567890123}').rows).toEqual([{ Amount: '12345678901234.567890123' }]);
  });
});

describe('Associate / Disassociate', () => {
  const ROOT = 'https://org.crm.dynamics.com/api/data/v9.0/';
  const relate = (name: 'Associate' | 'Disassociate', values: Record<string, unknown>) =>
    lowerRelationshipCall(catalog, matchArguments(catalog, name, named(values)), ROOT, name === 'Associate');

  it('many-to-many: POST …/$ref and DELETE …/$ref?$id=', () => {
    const relationship = catalog.tables.find((t) => t.name === 'account')!.relationships.find((r) => r.kind === 'many-to-many' && r.toTable === 'lead')!;
    const values = { Table: 'account', Id: ID, Relationship: relationship.navigation, RelatedId: OTHER };
    expect(relate('Associate', values)).toEqual({ method: 'POST', url: `accounts(${ID})/${relationship.navigation}/$ref`, body: `{"@odata.id":"${ROOT}leads(${OTHER})"}` });
    expect(relate('Disassociate', values)).toEqual({ method: 'DELETE', url: `accounts(${ID})/${relationship.navigation}/$ref?$id=${ROOT}leads(${OTHER})` });
  });

  it('many-to-one: PUT and DELETE on the single-valued navigation', () => {
    const values = { Table: 'accounts', Id: ID, Relationship: 'primarycontactid', RelatedId: OTHER };
    expect(relate('Associate', values)).toEqual({ method: 'PUT', url: `accounts(${ID})/primarycontactid/$ref`, body: `{"@odata.id":"${ROOT}contacts(${OTHER})"}` });
    expect(relate('Disassociate', values)).toEqual({ method: 'DELETE', url: `accounts(${ID})/primarycontactid/$ref` });
  });

  it('required parameters and ids are checked', () => {
    expect(() => relate('Associate', { Table: 'account', Id: ID, Relationship: 'primarycontactid' })).toThrow(expect.objectContaining({ message: expect.stringContaining("'@RelatedId': required") }));
    expect(() => relate('Associate', { Table: 'account', Id: ID, Relationship: 'primarycontactid', RelatedId: "x') or (1" }))
      .toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining('@RelatedId') }));
  });
});
