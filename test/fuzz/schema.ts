/**
 * The tables the randomized differential test queries, with each column's T-SQL type class and
 * where its value comes from in the service's raw JSON (the oracle reads the OData endpoints itself).
 */
/** `float`: an approximate number (SQRT, STDEV, PERCENT_RANK …), compared to a relative tolerance */
/** `bin`: varbinary, only as a parameter's value (a Uint8Array); no column of the fuzz tables is binary */
export type Ty = 'int' | 'money' | 'str' | 'bit' | 'dt' | 'date' | 'guid' | 'float' | 'bin';

export interface ColumnDef {
  name: string;
  ty: Ty;
  /** the JSON property of the raw row; `formatted` takes its FormattedValue annotation, `lookupType` its lookuplogicalname */
  field: string;
  read?: 'formatted' | 'lookupType';
  /** few distinct values: a good GROUP BY key */
  groupable?: boolean;
}

export interface TableDef {
  name: string;
  entitySet: string;
  key: string;
  /** columns that order every row (the key, or F&O's company and key) */
  orderKeys: string[];
  columns: ColumnDef[];
  /** an F&O data entity: decimals are not money, enums are strings */
  finops?: boolean;
}

const col = (name: string, ty: Ty, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, ty, field: name, ...extra });
const lookup = (name: string, polymorphic = false): ColumnDef[] => [
  col(name, 'guid', { field: `_${name}_value` }),
  col(`${name}name`, 'str', { field: `_${name}_value`, read: 'formatted' }),
  ...(polymorphic ? [col(`${name}type`, 'str', { field: `_${name}_value`, read: 'lookupType', groupable: true })] : []),
];
const choice = (name: string): ColumnDef[] => [
  col(name, 'int', { groupable: true }),
  col(`${name}name`, 'str', { field: name, read: 'formatted', groupable: true }),
];

export const ACCOUNT: TableDef = {
  name: 'account',
  entitySet: 'accounts',
  key: 'accountid',
  orderKeys: ['accountid'],
  columns: [
    col('accountid', 'guid'), col('name', 'str', { groupable: true }), col('accountnumber', 'str'), col('address1_city', 'str', { groupable: true }),
    col('description', 'str', { groupable: true }), col('revenue', 'money'), col('creditlimit', 'money'), col('numberofemployees', 'int'),
    ...choice('industrycode'), ...choice('customertypecode'), ...choice('statecode'),
    col('creditonhold', 'bit', { groupable: true }), col('donotemail', 'bit', { groupable: true }), col('createdon', 'dt'),
    ...lookup('parentaccountid'), ...lookup('primarycontactid'),
  ],
};

export const CONTACT: TableDef = {
  name: 'contact',
  entitySet: 'contacts',
  key: 'contactid',
  orderKeys: ['contactid'],
  columns: [
    col('contactid', 'guid'), col('firstname', 'str', { groupable: true }), col('lastname', 'str'), col('fullname', 'str'), col('jobtitle', 'str', { groupable: true }),
    col('emailaddress1', 'str'), col('birthdate', 'date'), ...choice('gendercode'), ...choice('familystatuscode'), col('creditlimit', 'money'),
    col('donotphone', 'bit', { groupable: true }), col('createdon', 'dt'), ...lookup('parentcustomerid', true),
  ],
};

/** F&O's customers; enums (IsSalesTaxIncludedInPrice, OnHoldStatus) read as their member names. */
export const CUSTOMERS: TableDef = {
  name: 'CustomersV3',
  entitySet: 'CustomersV3',
  key: 'CustomerAccount',
  orderKeys: ['dataAreaId', 'CustomerAccount'],
  finops: true,
  columns: [
    col('dataAreaId', 'str', { groupable: true }), col('CustomerAccount', 'str'), col('OrganizationName', 'str', { groupable: true }),
    col('CustomerGroupId', 'str', { groupable: true }), col('SalesCurrencyCode', 'str', { groupable: true }), col('CreditLimit', 'money', { groupable: true }),
    col('IsSalesTaxIncludedInPrice', 'str', { groupable: true }), col('OnHoldStatus', 'str', { groupable: true }), col('PaymentTerms', 'str', { groupable: true }),
    col('PrimaryContactEmail', 'str'), col('AddressCity', 'str', { groupable: true }), col('CreatedDateTime', 'dt'),
  ],
};

export const TABLES: TableDef[] = [ACCOUNT, CONTACT];

/** The oracle's PostgreSQL column type for each type class. */
export const ORACLE_TYPE: Record<Ty, string> = {
  int: 'integer', money: 'numeric(19,4)', str: 'text', bit: 'integer', dt: 'timestamp', date: 'date', guid: 'uuid', float: 'double precision', bin: 'bytea',
};
