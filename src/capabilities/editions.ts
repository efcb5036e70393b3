/**
 * Per-edition facts, each with its source: a section of ../../shared/docs/dataverse-protocol.md
 * ([doc] = Microsoft documentation, [meta] = the real $metadata fixtures, [unverified] = a default
 * we chose). This is the only file that knows what Dataverse and Finance & Operations are.
 */
import type { Capabilities } from './types.js';

export const DATAVERSE: Readonly<Capabilities> = Object.freeze({
  edition: 'dataverse',
  serviceRootTemplate: '/api/data/{apiVersion}/', // §0 [doc PA/compose]
  supportsSkip: false, // §1.1 `$skip` unsupported, "Skip Clause is not supported in CRM"; every EntitySet has SkipSupported=false [meta]
  supportsTop: true, // §1.1
  supportsInOperator: false, // §1.1 OData 4.01 `in` not available; "The method or operation is not implemented."
  inStyle: 'crm-in-function', // §1.3 Microsoft.Dynamics.CRM.In(PropertyName=…,PropertyValues=[…])
  filterFunctions: ['contains', 'endswith', 'startswith'], // §1.2, container FilterFunctions annotation [meta]
  likeStyle: 'string-functions', // §1.2
  likeWildcardsInStringFunctions: true, // §1.2 "SQL LIKE wildcards (%, _, [], [^]) are honoured inside … contains/startswith/endswith"
  supportsArithmetic: false, // §1.2 no arithmetic operators documented or advertised
  supportsLambda: true, // §1.2 any/all on collection-valued navigation properties
  supportsQueryFunctions: true, // §1.3
  neMatchesNull: true, // §12.1
  caseInsensitiveStrings: true, // §1.2 "All string filters are case-insensitive"; §12.2
  enumLiteralStyle: 'integer', // §1.2 choices are Edm.Int32 compared as integers (`statecode eq 0`)
  enumOperators: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'], // integers compare like integers
  supportsSearch: false, // §1.1 `$search` unsupported (search is a separate API)
  supportsCount: true, // §2
  countLimit: 5000, // §2 `$count=true` capped at 5,000
  supportsApply: true, // §1.4 groupby / aggregate / filter
  supportsFetchXml: true, // §1.6 ?fetchXml= (and dataverse-fetchxml-delta-metadata.md §1.5)
  aggregateRecordLimit: 50000, // §1.4 AggregateQueryRecordLimit 0x8004E023
  applyGroupByDatetime: false, // §1.4 "groupby with datetime values is not supported"
  applyOrderByAggregate: false, // §1.4 "$orderby on aggregate values is not supported"
  applyCountDistinct: false, // §1.4 "No distinct count"
  maxExpandDepth: 3, // §1.5 nested expands work (three-level doc example); deeper [unverified]
  maxExpands: 15, // §1.1 up to 15 $expand options per query
  pageSizeStyle: 'prefer-maxpagesize', // §2 Prefer: odata.maxpagesize=N, echoed in Preference-Applied
  defaultPageSize: 5000, // §2 default and maximum page size
  maxPageSize: 5000, // §2 "You can't request a page size larger than 5,000"
  maxBatchSize: 1000, // §4 $batch "Up to 1000 requests"
  batchSupported: true, // §4; BatchSupported=true [meta]
  batchContinueOnError: true, // §4 Prefer: odata.continue-on-error (current docs); v8.2 metadata said false [meta], which wins when advertised
  maxUrlLength: 32768, // §0 GET URL limit 32 KB (64 KB inside $batch)
  crossCompany: false, // F&O only (§8)
  formattedValues: true, // §3 OData.Community.Display.V1.FormattedValue, lookuplogicalname
  maxConcurrentRequests: 52, // §6 service protection
});

export const FINOPS: Readonly<Capabilities> = Object.freeze({
  edition: 'finops',
  serviceRootTemplate: '/data/', // §0 "https://{env}.cloudax.dynamics.com/data/"; no version segment
  supportsSkip: true, // §8 F&O query options include $skip; nextLink uses $skip/$top
  supportsTop: true, // §8
  supportsInOperator: false, // §8 "The operators has and in are not supported"
  inStyle: 'or-chain', // consequence of the above
  filterFunctions: [], // §8 "Contains" is done with wildcards (`eq '*retail*'`), no string functions listed
  likeStyle: 'wildcard-eq', // §8 `$filter=StringField eq '*retail*'`
  likeWildcardsInStringFunctions: false,
  supportsArithmetic: true, // §8 add sub mul div divby mod
  supportsLambda: false, // not in the F&O supported list (§8) [unverified]
  supportsQueryFunctions: false,
  neMatchesNull: true, // §12.1 OData semantics: null ne 1 is true
  caseInsensitiveStrings: true, // SQL Server collation like Dataverse [unverified]
  enumLiteralStyle: 'qualified-member', // §8 Microsoft.Dynamics.DataEntities.NoYes'Yes'
  enumOperators: ['eq', 'ne'], // §8 "Only eq/ne are supported on enums"
  supportsSearch: false, // not in the F&O supported list (§8)
  supportsCount: true, // §8 /$count and $count=true
  supportsApply: false, // §8 $apply is not among the supported options
  supportsFetchXml: false, // FetchXML is Dataverse's; F&O has none
  applyGroupByDatetime: false,
  applyOrderByAggregate: false,
  applyCountDistinct: false,
  maxExpandDepth: 1, // §8 "only first-level expansion"
  pageSizeStyle: 'server-driven', // §8 server-driven paging; Prefer: odata.maxpagesize undocumented [unverified]
  defaultPageSize: 10000, // §8 "maximum page size of 10,000"
  maxPageSize: 10000, // §8
  maxBatchSize: 5000, // §6 "a batch can contain up to 5000 operations"
  batchSupported: true, // §8 /data/$batch, change sets atomic
  batchContinueOnError: false, // not documented for F&O [unverified]
  maxUrlLength: 32768, // not documented; Dataverse's limit assumed [unverified]
  crossCompany: true, // §8 ?cross-company=true
  formattedValues: false, // enum values already arrive as member names (§8)
  maxConcurrentRequests: 52, // §6 same user-based limits as Dataverse
});
