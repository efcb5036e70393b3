/**
 * The catalog: what dynasql knows about an org's tables, columns, relationships and procedures,
 * built from `$metadata` by `parseEdmx`. Plain, serialisable data (no classes, no functions), so it
 * can be cached on disk and handed between stages. Lookup maps are built by `indexCatalog`.
 * Treat it as read-only: a catalog loaded from the disk cache shares frozen SqlType objects and
 * decodes a table's columns on first read (catalog-codec.ts); `catalogView` picks what users see.
 *
 * Naming follows the Dataverse TDS endpoint / SQL 4 CDS conventions (see docs/architecture.md):
 * a lookup `_parentcustomerid_value` is column `parentcustomerid`, with virtual columns
 * `parentcustomeridname` and (polymorphic) `parentcustomeridtype`; a choice `industrycode` has
 * a virtual label column `industrycodename`.
 */

export type Edition = 'dataverse' | 'finops';

/** A SQL type as users see it (sys_tablecolumns, INFORMATION_SCHEMA, pgwire type mapping). */
export interface SqlType {
  /** uniqueidentifier | nvarchar | int | bigint | smallint | tinyint | decimal | float | bit |
   *  datetimeoffset | datetime2 | date | time | varbinary | (enum types map to nvarchar on F&O) */
  name: string;
  /** nvarchar / varbinary: characters or bytes; omitted means `(max)` (see formatSqlType) */
  length?: number;
  precision?: number;
  scale?: number;
}

export type ColumnKind =
  /** an ordinary property */
  | 'data'
  /** a lookup's GUID (`_x_value` in OData) */
  | 'lookup'
  /** virtual: the lookup's primary-name value (FormattedValue annotation of `_x_value`) */
  | 'lookupName'
  /** virtual: the logical name of a polymorphic lookup's target (lookuplogicalname annotation) */
  | 'lookupType'
  /** virtual: a choice / yes-no / enum label (FormattedValue annotation) */
  | 'choiceLabel'
  /** a navigation property shown as a column (Include Navigation Properties) */
  | 'navigation';

export interface LookupTarget {
  /** logical name of the target table */
  table: string;
  /** single-valued navigation property to bind through (`parentcustomerid_account@odata.bind`) */
  navigation: string;
  /** the target's key property the lookup references */
  referencedProperty: string;
}

export interface Column {
  /** SQL name (`parentcustomerid`, `parentcustomeridname`, `revenue`) */
  name: string;
  /** OData property that holds the value (`_parentcustomerid_value` for a lookup and its virtual columns) */
  odataName: string;
  kind: ColumnKind;
  /** Edm type (`Edm.Guid`) or qualified enum / complex type name */
  edmType: string;
  sqlType: SqlType;
  nullable: boolean;
  maxLength?: number;
  precision?: number;
  scale?: number | 'variable';
  readOnly: boolean;
  insertable: boolean;
  updatable: boolean;
  isPrimaryKey: boolean;
  description?: string;
  /** for lookups and their virtual columns */
  lookupTargets?: LookupTarget[];
  /** for virtual columns: the SQL name of the column they describe (`parentcustomeridname` → `parentcustomerid`) */
  sourceColumn?: string;
  /** F&O enums: qualified enum type name */
  enumType?: string;
  /** option labels where the metadata carries them (enum members); value → label */
  options?: { value: number | string; label: string }[];
}

export interface AlternateKey {
  name: string;
  /** SQL column names */
  columns: string[];
}

export type RelationshipKind = 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface Relationship {
  /** navigation property name on `fromTable` */
  navigation: string;
  kind: RelationshipKind;
  fromTable: string;
  /**
   * SQL column names on fromTable, paired with toColumns (empty for many-to-many, and when the
   * metadata gives no ReferentialConstraint). many-to-one: the lookup/foreign-key columns here
   * (`contact.parentcustomerid` → `account.accountid`); one-to-many: the referenced key here,
   * read from the partner's constraint (`account.accountid` ← `contact.parentcustomerid`).
   */
  fromColumns: string[];
  toTable: string;
  toColumns: string[];
  partner?: string;
}

export interface Table {
  /** logical name (`account`) on Dataverse; public collection name (`CustomersV3`) on F&O */
  name: string;
  /** the entity set (`accounts`); resolves as an alias of `name` */
  entitySetName: string;
  /** qualified entity type (`Microsoft.Dynamics.CRM.account`) */
  entityType: string;
  baseType?: string;
  description?: string;
  /** SQL column names of the primary key (F&O: includes `dataAreaId`) */
  primaryKey: string[];
  alternateKeys: AlternateKey[];
  /** every column, virtual ones included, in display order */
  columns: Column[];
  relationships: Relationship[];
  /** per entity set capability annotations (Org.OData.Capabilities.V1.*) */
  capabilities: TableCapabilities;
}

export interface TableCapabilities {
  skipSupported?: boolean;
  /** Org.OData.Capabilities.V1.TopSupported */
  topSupported?: boolean;
  countable?: boolean;
  searchable?: boolean;
  indexableByKey?: boolean;
  changeTracking?: boolean;
  /** Insert/Update/DeleteRestrictions (Insertable, Updatable, Deletable) when advertised */
  insertable?: boolean;
  updatable?: boolean;
  deletable?: boolean;
}

export interface ProcedureParameter {
  name: string;
  /** Edm type or qualified type name, without `Collection(...)` */
  edmType: string;
  isCollection: boolean;
  nullable: boolean;
  /** the binding parameter of a bound operation (always the first) */
  isBinding: boolean;
  sqlType: SqlType;
}

export interface Procedure {
  /** name users call (`WinOpportunity`) */
  name: string;
  /** `Microsoft.Dynamics.CRM.WinOpportunity` */
  qualifiedName: string;
  kind: 'action' | 'function';
  bound: boolean;
  /** for bound operations: the bound entity type (qualified) and whether it is a collection */
  bindingType?: string;
  bindingIsCollection?: boolean;
  isComposable: boolean;
  parameters: ProcedureParameter[];
  returnType?: { edmType: string; isCollection: boolean; nullable: boolean };
  /** ActionImport / FunctionImport name, for unbound operations that have one */
  importName?: string;
  /** a Dataverse query function (In, LastXDays ...) usable only inside $filter */
  isQueryFunction: boolean;
}

export interface EnumTypeDef {
  name: string;
  qualifiedName: string;
  isFlags: boolean;
  members: { name: string; value: number; label?: string }[];
}

export interface ComplexTypeDef {
  name: string;
  qualifiedName: string;
  baseType?: string;
  /** true for an entity type no entity set exposes (`principal`, `AttributeMetadata` subtypes ...):
   *  kept so operation parameters and results typed with it can still be described */
  isEntityType?: boolean;
  isAbstract?: boolean;
  properties: { name: string; edmType: string; isCollection: boolean; nullable: boolean }[];
}

/** Container-level capability annotations the service advertises, handed to `capabilities/`. */
export interface ServiceAnnotations {
  conformanceLevel?: string;
  filterFunctions?: string[];
  batchSupported?: boolean;
  batchContinueOnErrorSupported?: boolean;
  crossJoinSupported?: boolean;
  asynchronousRequestsSupported?: boolean;
  /** Org.OData.Capabilities.V1.SupportedFormats (media types) */
  supportedFormats?: string[];
}

export interface Catalog {
  /** bumped when the shape changes, so stale disk caches are rebuilt */
  formatVersion: number;
  edition: Edition;
  namespace: string;
  alias?: string;
  containerName: string;
  tables: Table[];
  procedures: Procedure[];
  enumTypes: EnumTypeDef[];
  complexTypes: ComplexTypeDef[];
  service: ServiceAnnotations;
  /** elements skipped with the reason (unknown type, duplicate name ...) */
  warnings: string[];
}
