/**
 * The Finance & Operations data entities the emulator serves, as data: public collection name,
 * entity type, key (with `dataAreaId` for company-specific entities), PascalCase properties, enums
 * and navigations. finops-metadata.ts turns this into the `Microsoft.Dynamics.DataEntities` EDMX and
 * finops-seed.ts fills it. Names follow the standard entities (CustomersV3, VendorsV2, ...); only a
 * realistic subset of each entity's hundreds of fields is declared.
 */
export const FINOPS_NAMESPACE = 'Microsoft.Dynamics.DataEntities';

export interface FinopsProperty {
  name: string;
  /** `Edm.*`, or the name of an enum declared in FINOPS_ENUMS. */
  type: string;
  nullable?: boolean;
  maxLength?: number;
  /** Edm.Decimal precision/scale as F&O declares money and quantities (32, 6). */
  decimal?: boolean;
}

export interface FinopsNavigation {
  name: string;
  target: string;
  collection: boolean;
  partner: string;
  /** Pairs of (property on this entity, property on the target). */
  constraints?: [string, string][];
}

export interface FinopsEntity {
  /** Entity type name, singular: `CustomerV3`. */
  type: string;
  /** Public collection (entity set) name: `CustomersV3`. */
  set: string;
  key: string[];
  /** Company-specific entities carry `dataAreaId` and are filtered to the default company. */
  companySpecific: boolean;
  /**
   * What a failed write names: the AOT entity class and the table with its label, e.g.
   * "Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record
   * in Customer groups (CustGroup). Customer group: 10, Wholesale customers." (protocol §8 capture).
   */
  writeNames: { entityClass: string; table: string; keyLabel: string; descriptionField?: string };
  properties: FinopsProperty[];
  navigations?: FinopsNavigation[];
}

/** Enum types with their members and values. Only eq/ne work on them in $filter. */
export const FINOPS_ENUMS: Record<string, [string, number][]> = {
  NoYes: [['No', 0], ['Yes', 1]],
  SalesStatus: [['None', 0], ['Backorder', 1], ['Delivered', 2], ['Invoiced', 3], ['Canceled', 4]],
  CustVendorBlocked: [['No', 0], ['Invoice', 1], ['All', 2], ['Payment', 3], ['Requisition', 4], ['Never', 5]],
  EcoResProductType: [['Item', 1], ['Service', 2]],
  DirPartyBaseType: [['None', 0], ['Person', 1], ['Organization', 2]],
};

const str = (name: string, maxLength?: number, nullable = true): FinopsProperty => ({ name, type: 'Edm.String', maxLength, nullable });
const dec = (name: string): FinopsProperty => ({ name, type: 'Edm.Decimal', decimal: true, nullable: false });
const en = (name: string, type: keyof typeof FINOPS_ENUMS): FinopsProperty => ({ name, type, nullable: false });
const dataAreaId: FinopsProperty = { name: 'dataAreaId', type: 'Edm.String', maxLength: 4, nullable: false };

export const FINOPS_ENTITIES: FinopsEntity[] = [
  {
    type: 'LegalEntity', set: 'LegalEntities', key: ['LegalEntityId'], companySpecific: false,
    writeNames: { entityClass: 'OMLegalEntity', table: 'Legal entities (CompanyInfo)', keyLabel: 'Company', descriptionField: 'Name' },
    properties: [str('LegalEntityId', 4, false), str('Name', 100), str('AddressCountryRegionId', 10), str('AddressCity', 60), str('LanguageId', 7), str('AccountingCurrency', 3)],
  },
  {
    type: 'CustomerGroup', set: 'CustomerGroups', key: ['dataAreaId', 'CustomerGroupId'], companySpecific: true,
    writeNames: { entityClass: 'CustCustomerGroupEntity', table: 'Customer groups (CustGroup)', keyLabel: 'Customer group', descriptionField: 'Description' },
    properties: [dataAreaId, str('CustomerGroupId', 10, false), str('Description', 60), str('PaymentTermId', 10), { name: 'ClearingPeriodPaymentTermName', type: 'Edm.String', maxLength: 10 }, en('IsSalesTaxIncludedInPrice', 'NoYes')],
  },
  {
    type: 'CustomerV3', set: 'CustomersV3', key: ['dataAreaId', 'CustomerAccount'], companySpecific: true,
    writeNames: { entityClass: 'CustCustomerV3Entity', table: 'Customers (CustTable)', keyLabel: 'Customer account', descriptionField: 'OrganizationName' },
    properties: [
      dataAreaId, str('CustomerAccount', 20, false), str('OrganizationName', 100), en('PartyType', 'DirPartyBaseType'), str('CustomerGroupId', 10),
      str('SalesCurrencyCode', 3), dec('CreditLimit'), en('IsSalesTaxIncludedInPrice', 'NoYes'), en('OnHoldStatus', 'CustVendorBlocked'),
      str('PaymentTerms', 10), str('PrimaryContactEmail', 255), str('PrimaryContactPhone', 255), str('AddressStreet', 250),
      str('AddressCity', 60), str('AddressZipCode', 10), str('AddressCountryRegionId', 10), str('LanguageId', 7),
      { name: 'CreatedDateTime', type: 'Edm.DateTimeOffset', nullable: false },
    ],
    navigations: [],
  },
  {
    type: 'VendorV2', set: 'VendorsV2', key: ['dataAreaId', 'VendorAccountNumber'], companySpecific: true,
    writeNames: { entityClass: 'VendVendorV2Entity', table: 'Vendors (VendTable)', keyLabel: 'Vendor account', descriptionField: 'VendorOrganizationName' },
    properties: [
      dataAreaId, str('VendorAccountNumber', 20, false), str('VendorOrganizationName', 100), en('VendorPartyType', 'DirPartyBaseType'),
      str('VendorGroupId', 10), str('CurrencyCode', 3), en('OnHoldStatus', 'CustVendorBlocked'), en('IsMinorityOwned', 'NoYes'),
      str('AddressCity', 60), str('AddressCountryRegionId', 10), str('PrimaryEmailAddress', 255),
    ],
  },
  {
    type: 'ReleasedProductV2', set: 'ReleasedProductsV2', key: ['dataAreaId', 'ItemNumber'], companySpecific: true,
    writeNames: { entityClass: 'EcoResReleasedProductV2Entity', table: 'Items (InventTable)', keyLabel: 'Item number', descriptionField: 'ProductName' },
    properties: [
      dataAreaId, str('ItemNumber', 20, false), str('ProductName', 60), str('SearchName', 20), en('ProductType', 'EcoResProductType'),
      str('ProductGroupId', 10), str('ItemModelGroupId', 10), dec('SalesPrice'), dec('PurchasePrice'), str('InventoryUnitSymbol', 10),
      str('SalesUnitSymbol', 10), dec('NetProductWeight'), en('IsPurchasePriceAutomaticallyUpdated', 'NoYes'),
    ],
  },
  {
    type: 'SalesOrderHeaderV2', set: 'SalesOrderHeadersV2', key: ['dataAreaId', 'SalesOrderNumber'], companySpecific: true,
    writeNames: { entityClass: 'SalesOrderHeaderV2Entity', table: 'Sales orders (SalesTable)', keyLabel: 'Sales order', descriptionField: 'SalesOrderName' },
    properties: [
      dataAreaId, str('SalesOrderNumber', 20, false), str('OrderingCustomerAccountNumber', 20), str('InvoiceCustomerAccountNumber', 20),
      str('SalesOrderName', 100), str('CurrencyCode', 3), en('SalesOrderStatus', 'SalesStatus'), str('CustomerRequisitionNumber', 20),
      { name: 'RequestedShippingDate', type: 'Edm.Date', nullable: false }, { name: 'OrderCreationDateTime', type: 'Edm.DateTimeOffset', nullable: false },
      str('DeliveryAddressCity', 60), str('DeliveryAddressCountryRegionId', 10), dec('TotalDiscountPercentage'),
      en('IsDeliveryAddressOrderSpecific', 'NoYes'),
    ],
    navigations: [{ name: 'SalesOrderLines', target: 'SalesOrderLine', collection: true, partner: 'SalesOrderHeader' }],
  },
  {
    type: 'SalesOrderLine', set: 'SalesOrderLines', key: ['dataAreaId', 'InventoryLotId'], companySpecific: true,
    writeNames: { entityClass: 'SalesOrderLineEntity', table: 'Order lines (SalesLine)', keyLabel: 'Lot ID', descriptionField: 'LineDescription' },
    properties: [
      dataAreaId, str('InventoryLotId', 20, false), str('SalesOrderNumber', 20), dec('LineNumber'), str('ItemNumber', 20),
      str('LineDescription', 1000), dec('OrderedSalesQuantity'), dec('SalesPrice'), dec('LineAmount'), str('SalesUnitSymbol', 10),
      en('SalesOrderLineStatus', 'SalesStatus'), str('ShippingSiteId', 10), str('ShippingWarehouseId', 10),
      { name: 'RequestedShippingDate', type: 'Edm.Date', nullable: false },
    ],
    navigations: [{
      name: 'SalesOrderHeader', target: 'SalesOrderHeaderV2', collection: false, partner: 'SalesOrderLines',
      constraints: [['dataAreaId', 'dataAreaId'], ['SalesOrderNumber', 'SalesOrderNumber']],
    }],
  },
  {
    // Only here for its collection-bound action GetApplicationBuildVersion, which clients call to learn the build.
    type: 'DataManagementDefinitionGroup', set: 'DataManagementDefinitionGroups', key: ['DefinitionGroupId'], companySpecific: false,
    writeNames: { entityClass: 'DMFDefinitionGroupEntity', table: 'Data project (DMFDefinitionGroup)', keyLabel: 'Name', descriptionField: 'Description' },
    properties: [str('DefinitionGroupId', 60, false), str('Description', 60), str('OperationType', 20)],
  },
];

/** The build number GetApplicationBuildVersion answers (a 10.0 platform build shape). */
export const FINOPS_APPLICATION_BUILD = '10.0.1935.52';
