/**
 * What a service can do, as data the push-down and connection layers read instead of asking
 * "is this Dataverse?". Every fact has its source in ../../shared/docs/dataverse-protocol.md
 * (§ numbers in editions.ts).
 */

/** How SQL `IN (...)` reaches `$filter`: `Microsoft.Dynamics.CRM.In(PropertyName=…,PropertyValues=[…])` or `a eq 1 or a eq 2`. */
export type InStyle = 'crm-in-function' | 'or-chain';

/** How a choice / enum value is written in `$filter`: Dataverse `statecode eq 0`, F&O `Microsoft.Dynamics.DataEntities.NoYes'Yes'`. */
export type EnumLiteralStyle = 'integer' | 'qualified-member';

/** How LIKE reaches the service: OData string functions (Dataverse) or `eq '*x*'` wildcards (F&O). */
export type LikeStyle = 'string-functions' | 'wildcard-eq';

/** Page size: `Prefer: odata.maxpagesize=N` (Dataverse) or whatever the server drives (F&O). */
export type PageSizeStyle = 'prefer-maxpagesize' | 'server-driven';

export interface Capabilities {
  edition: 'dataverse' | 'finops';
  /** path of the service root below the org URL; `{apiVersion}` is replaced (`/api/data/v9.2/`) */
  serviceRootTemplate: string;
  supportsSkip: boolean;
  supportsTop: boolean;
  /** OData 4.01 `in` operator */
  supportsInOperator: boolean;
  inStyle: InStyle;
  /** OData functions allowed in `$filter` (lower case) */
  filterFunctions: string[];
  likeStyle: LikeStyle;
  /** SQL LIKE wildcards (`%`, `_`, `[ ]`) inside contains/startswith/endswith values are honoured, so must be escaped */
  likeWildcardsInStringFunctions: boolean;
  /** `add sub mul div mod` in `$filter` */
  supportsArithmetic: boolean;
  /** `any` / `all` over collection navigation properties */
  supportsLambda: boolean;
  /** Dataverse query functions (`Microsoft.Dynamics.CRM.LastXDays` ...) */
  supportsQueryFunctions: boolean;
  /** `x ne 1` also matches rows where x is null, so SQL `<>` needs `and x ne null` */
  neMatchesNull: boolean;
  /** string comparison, ordering and grouping ignore case (the service's collation) */
  caseInsensitiveStrings: boolean;
  enumLiteralStyle: EnumLiteralStyle;
  /** comparison operators allowed on enum values */
  enumOperators: string[];
  supportsSearch: boolean;
  supportsCount: boolean;
  /** `$count=true` stops counting here (Dataverse: 5,000); undefined when exact */
  countLimit?: number;
  supportsApply: boolean;
  /** `?fetchXml=` on entity sets (Dataverse; F&O has no FetchXML) */
  supportsFetchXml: boolean;
  /** aggregates fail past this many rows (Dataverse AggregateQueryRecordLimit) */
  aggregateRecordLimit?: number;
  applyGroupByDatetime: boolean;
  applyOrderByAggregate: boolean;
  applyCountDistinct: boolean;
  /** nesting levels of `$expand` (1 = no nested expand) */
  maxExpandDepth: number;
  /** `$expand` options per query */
  maxExpands?: number;
  pageSizeStyle: PageSizeStyle;
  defaultPageSize: number;
  maxPageSize: number;
  maxBatchSize: number;
  batchSupported: boolean;
  batchContinueOnError: boolean;
  maxUrlLength: number;
  /** `?cross-company=true` returns every legal entity's rows */
  crossCompany: boolean;
  /** `Prefer: odata.include-annotations` yields FormattedValue labels and lookup annotations */
  formattedValues: boolean;
  /** service protection: concurrent requests per user before 429 */
  maxConcurrentRequests: number;
}

/** Per entity set, from its capability annotations over the edition's defaults. */
export interface TableCapabilityFacts {
  supportsSkip: boolean;
  supportsTop: boolean;
  supportsCount: boolean;
  supportsSearch: boolean;
  insertable: boolean;
  updatable: boolean;
  deletable: boolean;
  changeTracking: boolean;
}
