/** A small, realistic Finance & Operations `$metadata` (fixtures/finops-small.xml). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../src/capabilities/index.js';
import { catalogView } from '../../src/catalog/catalog-view.js';
import { indexCatalog } from '../../src/catalog/catalog-index.js';
import { parseEdmx } from '../../src/catalog/parse-edmx.js';

const NS = 'Microsoft.Dynamics.DataEntities';
const catalog = parseEdmx(readFileSync(resolve(import.meta.dirname, 'fixtures/finops-small.xml'), 'utf8'));
const index = indexCatalog(catalog);

describe('Finance & Operations metadata', () => {
  it('is recognised by its namespace and container', () => {
    expect(catalog.edition).toBe('finops');
    expect(catalog.namespace).toBe(NS);
    expect(catalog.containerName).toBe('Resources');
    expect(catalog.warnings).toEqual([]);
  });

  it('names tables by public collection name, with dataAreaId in the keys', () => {
    expect(catalog.tables.map((t) => t.name)).toEqual(['CustomerGroups', 'CustomersV3', 'SalesOrderHeadersV2', 'SalesOrderLines', 'LegalEntities']);
    const customers = index.requireTable('customersv3');
    expect(customers.entityType).toBe(`${NS}.CustomerV3`);
    expect(customers.primaryKey).toEqual(['dataAreaId', 'CustomerAccount']);
    expect(index.requireTable('LegalEntities').primaryKey).toEqual(['LegalEntityId']);
  });

  it('maps lengths, decimals, dates and enums; no Dataverse lookup or label columns', () => {
    const customers = index.requireTable('CustomersV3');
    const col = (name: string) => index.requireColumn(customers, name);
    expect(col('dataAreaId')).toMatchObject({ sqlType: { name: 'nvarchar', length: 4 }, maxLength: 4, nullable: false, isPrimaryKey: true, updatable: false, insertable: true });
    expect(col('CreditLimit')).toMatchObject({ sqlType: { name: 'decimal', precision: 32, scale: 6 }, precision: 32, scale: 6, nullable: false });
    expect(col('CustomerSince').sqlType).toEqual({ name: 'date' });
    expect(col('ModifiedDateTime')).toMatchObject({ readOnly: true, insertable: false, updatable: false });
    expect(col('RecId')).toMatchObject({ readOnly: false, insertable: true, updatable: false });
    expect(col('CustomerBlocked')).toMatchObject({
      kind: 'data',
      edmType: `${NS}.CustVendorBlocked`,
      enumType: `${NS}.CustVendorBlocked`,
      sqlType: { name: 'nvarchar', length: 11 },
    });
    expect(col('CustomerBlocked').options).toContainEqual({ value: 'Invoice', label: 'Invoice' });
    expect(customers.columns.some((c) => c.kind === 'choiceLabel' || c.kind === 'lookup' || c.kind === 'lookupName')).toBe(false);
  });

  it('keeps enum types, even one sharing its name with an entity', () => {
    expect(catalog.enumTypes.map((e) => e.name)).toEqual(['NoYes', 'CustVendorBlocked', 'SalesStatus', 'CustomerGroup']);
    expect(catalog.enumTypes[0]!.members).toEqual([{ name: 'No', value: 0 }, { name: 'Yes', value: 1 }]);
    expect(index.requireTable('CustomerGroups').entityType).toBe(`${NS}.CustomerGroup`);
  });

  it('builds composite many-to-one and one-to-many relationships from the constraints', () => {
    const header = index.requireTable('SalesOrderHeadersV2');
    expect(header.relationships).toEqual([
      {
        navigation: 'Customer',
        kind: 'many-to-one',
        fromTable: 'SalesOrderHeadersV2',
        fromColumns: ['dataAreaId', 'OrderingCustomerAccountNumber'],
        toTable: 'CustomersV3',
        toColumns: ['dataAreaId', 'CustomerAccount'],
        partner: 'SalesOrders',
      },
      {
        navigation: 'SalesOrderLines',
        kind: 'one-to-many',
        fromTable: 'SalesOrderHeadersV2',
        fromColumns: ['dataAreaId', 'SalesOrderNumber'],
        toTable: 'SalesOrderLines',
        toColumns: ['dataAreaId', 'SalesOrderNumber'],
        partner: 'SalesOrderHeader',
      },
    ]);
  });

  it('shows navigation properties as columns only when asked', () => {
    const plain = indexCatalog(catalogView(catalog));
    expect(plain.column(plain.requireTable('CustomersV3'), 'SalesOrders')).toBeUndefined();
    const withNavigation = indexCatalog(catalogView(catalog, { includeNavigationProperties: true }));
    expect(withNavigation.requireColumn(withNavigation.requireTable('CustomersV3'), 'SalesOrders')).toMatchObject({
      kind: 'navigation',
      edmType: `Collection(${NS}.SalesOrderHeaderV2)`,
      readOnly: true,
    });
  });

  it('has its bound actions, with entity and collection binding', () => {
    expect(catalog.procedures.map((p) => [p.name, p.bound, p.bindingType, p.bindingIsCollection])).toEqual([
      ['ConfirmSalesOrder', true, `${NS}.SalesOrderHeaderV2`, false],
      ['GetCustomerBalances', true, `${NS}.CustomerV3`, true],
    ]);
    expect(catalog.procedures[1]!.returnType).toEqual({ edmType: 'Edm.Decimal', isCollection: true, nullable: true });
    expect(catalog.procedures[0]!.parameters[1]).toMatchObject({ name: 'confirmationDate', sqlType: { name: 'date' }, nullable: false });
  });

  it('gets the F&O capabilities', () => {
    const capabilities = capabilitiesFor(catalog);
    expect(capabilities).toMatchObject({ edition: 'finops', supportsSkip: true, crossCompany: true, enumLiteralStyle: 'qualified-member', maxPageSize: 10000, maxBatchSize: 5000 });
  });
});
