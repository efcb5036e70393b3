import { Prng } from '../seed/prng.js';
import { FINOPS_APPLICATION_BUILD } from './finops-schema.js';

/** A legal entity (company) of the seed: its dataAreaId, number prefixes and locale. */
export interface Company {
  id: string;
  name: string;
  country: string;
  city: string;
  currency: string;
  language: string;
  customerPrefix: string;
  vendorPrefix: string;
}

/** The Contoso demo companies the docs' examples use (usmf, usrt, demf), plus one in the UK. */
export const COMPANIES: Company[] = [
  { id: 'usmf', name: 'Contoso Entertainment System USA', country: 'USA', city: 'Seattle', currency: 'USD', language: 'en-us', customerPrefix: 'US-', vendorPrefix: 'US-1' },
  { id: 'usrt', name: 'Contoso Retail USA', country: 'USA', city: 'New York', currency: 'USD', language: 'en-us', customerPrefix: 'RT-', vendorPrefix: 'RT-1' },
  { id: 'demf', name: 'Contoso Entertainment System Germany', country: 'DEU', city: 'München', currency: 'EUR', language: 'de', customerPrefix: 'DE-', vendorPrefix: 'DE-1' },
  { id: 'gbsi', name: 'Contoso Entertainment System UK', country: 'GBR', city: 'London', currency: 'GBP', language: 'en-gb', customerPrefix: 'GB-', vendorPrefix: 'GB-1' },
];

/** The company requests see without `cross-company=true`: the admin user's default company in the demo data. */
export const DEFAULT_COMPANY = 'usmf';

const CUSTOMER_NAMES = ['Contoso Retail San Diego', 'Forest Wholesales', 'Sunset Wholesales', 'Contoso Retail Los Angeles', 'Grebe Shop', 'Owl Wholesales', 'Otter Wholesales', 'Desert Wholesales', 'Lakeshore Retail', 'Müller & Söhne GmbH', 'Café Lumière', 'Northwind Traders', 'Fabrikam Electronics', 'Adventure Works', 'Tailspin Toys', 'Alpine Ski House', 'Wingtip Toys', 'Proseware, Inc.'];
const VENDOR_NAMES = ['Fabrikam Supplier', 'Contoso Chemicals', 'Litware, Inc.', 'Acme Office Supplies', 'Trey Research', 'Lucerne Publishing', 'Żabka Components', 'Coho Winery', 'Humongous Insurance', 'Wide World Importers'];
const PRODUCT_NAMES = ['Mid-Range Speaker', 'Car Audio System', 'Home Theater System', 'Surround Sound Receiver', 'High End Speaker', 'Television M120 37"', 'Projector Screen', 'Standard Speaker', 'Subwoofer Deluxe', 'Service Contract'];
/** Customer groups of the demo data; usmf has all nine (the SmartTalks capture counts 9), the others the first six. */
const GROUPS: [string, string, string][] = [
  ['10', 'Wholesale customers', 'Net30'], ['20', 'Major customers', 'Net30'], ['30', 'Retail customers', 'Net10'],
  ['40', 'Internet customers', 'COD'], ['50', 'Employees', 'Net10'], ['80', 'Other customers', 'Net45'],
  ['90', 'Internal customers', 'Net30'], ['100', 'Intercompany customers', 'Net30'], ['DEFAULT', 'Default customer group', 'Net30'],
];
const CUSTOMER_GROUPS = GROUPS.slice(0, 6).map(([id]) => id);
const VENDOR_GROUPS = ['10', '20', '30', '50'];
const CITIES: Record<string, string[]> = { USA: ['San Diego', 'Seattle', 'Chicago', 'Boston', 'Denver'], DEU: ['München', 'Köln', 'Berlin', 'Hamburg'], GBR: ['London', 'Leeds', 'Bristol'] };
const PAYMENT_TERMS = ['Net10', 'Net30', 'Net45', 'COD'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const pick = <T>(r: Prng, list: readonly T[]) => list[r.below(list.length)]!;
const money = (r: Prng, min: number, max: number) => Math.round((min + r.next() * (max - min)) * 100) / 100;
/** A PRNG per row, so row i is the same whether or not rows before it were ever made. */
const rowRandom = (seed: number, table: number, index: number) => new Prng((seed * 1_000_003 + table * 7_919_113 + index * 2_654_435_761) >>> 0);

/** How many rows of each company-specific entity one company gets. */
export interface SeedSizes {
  customers: number;
  vendors: number;
  products: number;
  orders: number;
  linesPerOrder: number;
}

/**
 * `rows` scales customers and orders per company (default 100 → 25 customers and 25 orders each);
 * the small reference entities stay small.
 */
export function seedSizes(rows = 100): SeedSizes {
  const perCompany = Math.max(10, Math.ceil(rows / COMPANIES.length));
  return { customers: perCompany, vendors: 12, products: 20, orders: perCompany, linesPerOrder: 3 };
}

/**
 * Deterministic seed rows for every F&O entity set, made on demand by index: `make(i)` of a set
 * always returns the same record for one seed. Rows of each company-specific set come company by
 * company (usmf first), numbered from 1 within the company: usmf's customers are US-001, US-002, ...
 * Enum values are member names, as F&O returns them; empty strings are '' (X++ strings are never null).
 */
export interface FinopsSeedSet {
  count: number;
  make(index: number): Record<string, unknown>;
}

export function finopsSeed(seed = 1, rows?: number): Map<string, FinopsSeedSet> {
  const sizes = seedSizes(rows);
  const n = COMPANIES.length;
  const width = Math.max(3, String(sizes.customers).length);
  const orderWidth = Math.max(6, String(sizes.orders).length);
  const customerAccount = (company: Company, local: number) => `${company.customerPrefix}${pad(local + 1, width)}`;
  const itemNumber = (local: number) => `D${pad(local + 1, 4)}`;
  const orderNumber = (local: number) => pad(local + 1, orderWidth);
  const epoch = Date.UTC(2024, 0, 1);
  const day = 86_400_000;

  const perCompany = (count: number, make: (company: Company, local: number, r: Prng, index: number) => Record<string, unknown>, table: number): FinopsSeedSet => ({
    count: count * n,
    make: (index) => make(COMPANIES[Math.floor(index / count)]!, index % count, rowRandom(seed, table, index), index),
  });

  const sets = new Map<string, FinopsSeedSet>();
  sets.set('LegalEntities', {
    count: n,
    make: (i) => {
      const c = COMPANIES[i]!;
      return { LegalEntityId: c.id.toUpperCase(), Name: c.name, AddressCountryRegionId: c.country, AddressCity: c.city, LanguageId: c.language, AccountingCurrency: c.currency };
    },
  });
  const groupRows = COMPANIES.flatMap((c, ci) => GROUPS.slice(0, ci === 0 ? GROUPS.length : 6).map(([id, description, terms]) => ({
    dataAreaId: c.id, CustomerGroupId: id, Description: description, PaymentTermId: terms, ClearingPeriodPaymentTermName: '', IsSalesTaxIncludedInPrice: 'No',
  })));
  sets.set('CustomerGroups', { count: groupRows.length, make: (i) => ({ ...groupRows[i]! }) });
  sets.set('CustomersV3', perCompany(sizes.customers, (c, local, r) => ({
    dataAreaId: c.id,
    CustomerAccount: customerAccount(c, local),
    // usmf's first customer is the demo data's "Contoso Retail San Diego"; other companies start further down the list.
    OrganizationName: local < CUSTOMER_NAMES.length ? CUSTOMER_NAMES[(local + COMPANIES.indexOf(c) * 4) % CUSTOMER_NAMES.length] : `${pick(r, CUSTOMER_NAMES)} ${local + 1}`,
    PartyType: 'Organization',
    CustomerGroupId: pick(r, CUSTOMER_GROUPS),
    SalesCurrencyCode: c.currency,
    CreditLimit: Math.round(r.next() * 20) * 5000,
    IsSalesTaxIncludedInPrice: r.next() < 0.3 ? 'Yes' : 'No',
    OnHoldStatus: r.next() < 0.1 ? pick(r, ['Invoice', 'All', 'Payment'] as const) : 'No',
    PaymentTerms: pick(r, PAYMENT_TERMS),
    PrimaryContactEmail: r.next() < 0.2 ? '' : `contact${local + 1}@${c.id}.contoso.test`,
    PrimaryContactPhone: r.next() < 0.3 ? '' : `+1 555 01${pad(r.below(100), 2)}`,
    AddressStreet: `${1 + r.below(9000)} ${pick(r, ['Main St', 'Hauptstraße', 'High Street', 'Market St'])}`,
    AddressCity: pick(r, CITIES[c.country]!),
    AddressZipCode: pad(r.below(99999), 5),
    AddressCountryRegionId: c.country,
    LanguageId: c.language,
    CreatedDateTime: new Date(epoch + r.below(365) * day + r.below(day)).toISOString().replace(/\.\d+Z$/, 'Z'),
  }), 1));
  sets.set('VendorsV2', perCompany(sizes.vendors, (c, local, r) => ({
    dataAreaId: c.id,
    VendorAccountNumber: `${c.vendorPrefix}${pad(local + 1, 2)}`,
    VendorOrganizationName: VENDOR_NAMES[local % VENDOR_NAMES.length],
    VendorPartyType: 'Organization',
    VendorGroupId: pick(r, VENDOR_GROUPS),
    CurrencyCode: c.currency,
    OnHoldStatus: r.next() < 0.15 ? 'All' : 'No',
    IsMinorityOwned: r.next() < 0.25 ? 'Yes' : 'No',
    AddressCity: pick(r, CITIES[c.country]!),
    AddressCountryRegionId: c.country,
    PrimaryEmailAddress: `ap${local + 1}@vendor.contoso.test`,
  }), 2));
  sets.set('ReleasedProductsV2', perCompany(sizes.products, (c, local, r) => {
    const name = local < PRODUCT_NAMES.length ? PRODUCT_NAMES[local]! : `${pick(r, PRODUCT_NAMES)} ${local + 1}`;
    const service = name.startsWith('Service');
    const price = money(r, 20, 2500);
    return {
      dataAreaId: c.id, ItemNumber: itemNumber(local), ProductName: name, SearchName: name.replace(/[^A-Za-z0-9]/g, '').slice(0, 20),
      ProductType: service ? 'Service' : 'Item', ProductGroupId: service ? 'Services' : pick(r, ['Audio', 'TV&Video', 'Speakers']),
      ItemModelGroupId: service ? 'SRV' : 'FIFO', SalesPrice: price, PurchasePrice: Math.round(price * 60) / 100,
      InventoryUnitSymbol: 'ea', SalesUnitSymbol: 'ea', NetProductWeight: service ? 0 : money(r, 0.5, 40),
      IsPurchasePriceAutomaticallyUpdated: r.next() < 0.5 ? 'Yes' : 'No',
    };
  }, 3));
  const orderRow = (c: Company, local: number, r: Prng) => {
    const customer = customerAccount(c, r.below(sizes.customers));
    const created = epoch + r.below(600) * day + r.below(day);
    return {
      dataAreaId: c.id, SalesOrderNumber: orderNumber(local), OrderingCustomerAccountNumber: customer, InvoiceCustomerAccountNumber: customer,
      SalesOrderName: `Order ${local + 1} for ${customer}`, CurrencyCode: c.currency,
      SalesOrderStatus: pick(r, ['Backorder', 'Backorder', 'Delivered', 'Invoiced', 'Canceled'] as const),
      CustomerRequisitionNumber: r.next() < 0.5 ? '' : `PO-${pad(r.below(100000), 5)}`,
      RequestedShippingDate: new Date(created + (3 + r.below(30)) * day).toISOString().slice(0, 10),
      OrderCreationDateTime: new Date(created).toISOString().replace(/\.\d+Z$/, 'Z'),
      DeliveryAddressCity: pick(r, CITIES[c.country]!), DeliveryAddressCountryRegionId: c.country,
      TotalDiscountPercentage: pick(r, [0, 0, 0, 2.5, 5]), IsDeliveryAddressOrderSpecific: r.next() < 0.2 ? 'Yes' : 'No',
    };
  };
  sets.set('SalesOrderHeadersV2', perCompany(sizes.orders, (c, local, r) => orderRow(c, local, r), 4));
  const linesPerCompany = sizes.orders * sizes.linesPerOrder;
  sets.set('SalesOrderLines', perCompany(linesPerCompany, (c, local, r, index) => {
    const orderLocal = Math.floor(local / sizes.linesPerOrder);
    const order = orderRow(c, orderLocal, rowRandom(seed, 4, COMPANIES.indexOf(c) * sizes.orders + orderLocal));
    const productLocal = r.below(sizes.products);
    const product = sets.get('ReleasedProductsV2')!.make(COMPANIES.indexOf(c) * sizes.products + productLocal);
    const quantity = 1 + r.below(20);
    const price = product.SalesPrice as number;
    return {
      dataAreaId: c.id, InventoryLotId: `${pad(index + 1, 6)}${c.id.toUpperCase()}`, SalesOrderNumber: order.SalesOrderNumber,
      LineNumber: (local % sizes.linesPerOrder) + 1, ItemNumber: product.ItemNumber, LineDescription: product.ProductName,
      OrderedSalesQuantity: quantity, SalesPrice: price, LineAmount: Math.round(quantity * price * 100) / 100, SalesUnitSymbol: 'ea',
      SalesOrderLineStatus: order.SalesOrderStatus, ShippingSiteId: '1', ShippingWarehouseId: pick(r, ['11', '12', '13']),
      RequestedShippingDate: order.RequestedShippingDate,
    };
  }, 5));
  sets.set('DataManagementDefinitionGroups', {
    count: 2,
    make: (i) => [
      { DefinitionGroupId: 'Customers export', Description: 'Customers V3 to package', OperationType: 'Export' },
      { DefinitionGroupId: 'Vendors import', Description: 'Vendors V2 from package', OperationType: 'Import' },
    ][i]!,
  });
  return sets;
}

/** What `GetApplicationBuildVersion` answers. */
export const applicationBuildVersion = () => FINOPS_APPLICATION_BUILD;
