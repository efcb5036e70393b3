/** Edition facts, merged with what an org's $metadata advertises. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATAVERSE, FINOPS, capabilitiesFor, editionCapabilities, serviceRootPath, tableCapabilities } from '../../src/capabilities/index.js';
import { parseEdmx } from '../../src/catalog/parse-edmx.js';
import { edmx } from '../catalog/edmx-builder.js';

describe('edition capabilities', () => {
  it('state the documented differences between Dataverse and F&O', () => {
    expect(editionCapabilities('dataverse')).toBe(DATAVERSE);
    expect(editionCapabilities('finops')).toBe(FINOPS);
    expect([DATAVERSE.supportsSkip, FINOPS.supportsSkip]).toEqual([false, true]);
    expect([DATAVERSE.inStyle, FINOPS.inStyle]).toEqual(['crm-in-function', 'or-chain']);
    expect([DATAVERSE.supportsInOperator, FINOPS.supportsInOperator]).toEqual([false, false]);
    expect([DATAVERSE.maxPageSize, FINOPS.maxPageSize]).toEqual([5000, 10000]);
    expect([DATAVERSE.maxBatchSize, FINOPS.maxBatchSize]).toEqual([1000, 5000]);
    expect([DATAVERSE.supportsApply, FINOPS.supportsApply]).toEqual([true, false]);
    expect(DATAVERSE.aggregateRecordLimit).toBe(50000);
    expect([DATAVERSE.maxExpandDepth, FINOPS.maxExpandDepth]).toEqual([3, 1]);
    expect([DATAVERSE.enumLiteralStyle, FINOPS.enumLiteralStyle]).toEqual(['integer', 'qualified-member']);
    expect([DATAVERSE.crossCompany, FINOPS.crossCompany]).toEqual([false, true]);
    expect(Object.isFrozen(DATAVERSE) && Object.isFrozen(FINOPS)).toBe(true);
    expect(Object.keys(DATAVERSE).filter((k) => !(k in FINOPS))).toEqual(['countLimit', 'aggregateRecordLimit', 'maxExpands']);
  });

  it('give the service root path', () => {
    expect(serviceRootPath(DATAVERSE, 'v9.2')).toBe('/api/data/v9.2/');
    expect(serviceRootPath(FINOPS, 'v9.2')).toBe('/data/');
  });
});

describe('capabilitiesFor a catalog', () => {
  it('takes what the real v8.1 metadata advertises over the docs', () => {
    const catalog = parseEdmx(readFileSync(resolve(import.meta.dirname, '../fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml'), 'utf8'));
    const capabilities = capabilitiesFor(catalog);
    expect(capabilities.filterFunctions).toEqual(['contains', 'endswith', 'startswith']);
    expect(capabilities.batchContinueOnError).toBe(false);
    expect(DATAVERSE.batchContinueOnError).toBe(true);
    expect(capabilitiesFor(catalog)).toBe(capabilities);
    const account = catalog.tables.find((t) => t.name === 'account')!;
    expect(tableCapabilities(capabilities, account)).toEqual({
      supportsSkip: false, supportsTop: true, supportsCount: true, supportsSearch: false, insertable: true, updatable: true, deletable: true, changeTracking: true,
    });
  });

  it('falls back to the edition defaults when nothing is advertised', () => {
    const catalog = parseEdmx(readFileSync(resolve(import.meta.dirname, '../catalog/fixtures/finops-small.xml'), 'utf8'));
    const capabilities = capabilitiesFor(catalog);
    expect(capabilities).toEqual(FINOPS);
    expect(tableCapabilities(capabilities, catalog.tables[0]!).supportsSkip).toBe(true);
  });

  it('lets a per-set annotation override the edition', () => {
    const catalog = parseEdmx(
      edmx({
        types: '<EntityType Name="x"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid"/></EntityType>',
        container: `<EntitySet Name="xs" EntityType="Microsoft.Dynamics.CRM.x">
          <Annotation Term="Org.OData.Capabilities.V1.SkipSupported" Bool="true"/>
          <Annotation Term="Org.OData.Capabilities.V1.DeleteRestrictions"><Record><PropertyValue Property="Deletable" Bool="false"/></Record></Annotation>
        </EntitySet>`,
      }),
    );
    const facts = tableCapabilities(capabilitiesFor(catalog), catalog.tables[0]!);
    expect(facts).toMatchObject({ supportsSkip: true, deletable: false });
  });
});
