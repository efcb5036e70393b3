/**
 * One OData read request as data, and its URL. `queryUrl` is the only place query options are
 * assembled; each option value is percent-encoded as a whole (`encodeQueryOptionValue`).
 *
 * `queryUrl({entitySet:'accounts', select:['name'], filter:'revenue gt 1000', top:5})` →
 * `accounts?$select=name&$filter=revenue%20gt%201000&$top=5`.
 */
import { encodeQueryOptionValue } from './literal.js';

export interface ODataOrderBy { property: string; descending: boolean }

/** a single-valued navigation read along with each row: `primarycontactid($select=fullname)` */
export interface ODataExpand { navigation: string; select: string[] }

export interface ODataQuery {
  entitySet: string;
  select?: string[];
  expand?: ODataExpand[];
  /** `$filter` text, built by `serializeFilter` */
  filter?: string;
  orderBy?: ODataOrderBy[];
  top?: number;
  skip?: number;
  /** `$apply` text, built by `serializeApply` */
  apply?: string;
  /** F&O: `cross-company=true` */
  crossCompany?: boolean;
  /** annotations to ask for in `Prefer: odata.include-annotations` */
  annotations?: string[];
  /** `Prefer: odata.maxpagesize` */
  maxPageSize?: number;
}

export function queryUrl(query: ODataQuery): string {
  const options: string[] = [];
  if (query.crossCompany) options.push('cross-company=true');
  if (query.apply) options.push(`$apply=${encodeQueryOptionValue(query.apply)}`);
  if (query.select && query.select.length > 0) options.push(`$select=${encodeQueryOptionValue(query.select.join(','))}`);
  if (query.expand && query.expand.length > 0) {
    const text = query.expand.map((e) => `${e.navigation}($select=${e.select.join(',')})`).join(',');
    options.push(`$expand=${encodeQueryOptionValue(text)}`);
  }
  if (query.filter) options.push(`$filter=${encodeQueryOptionValue(query.filter)}`);
  if (query.orderBy && query.orderBy.length > 0) {
    const text = query.orderBy.map((o) => `${o.property}${o.descending ? ' desc' : ''}`).join(',');
    options.push(`$orderby=${encodeQueryOptionValue(text)}`);
  }
  if (query.skip !== undefined && query.skip > 0) options.push(`$skip=${query.skip}`);
  if (query.top !== undefined) options.push(`$top=${query.top}`);
  return options.length > 0 ? `${query.entitySet}?${options.join('&')}` : query.entitySet;
}

export function queryHeaders(query: ODataQuery): Record<string, string> {
  const prefer: string[] = [];
  // Dataverse ignores $top when odata.maxpagesize is also sent (protocol doc §1.1)
  if (query.maxPageSize && query.top === undefined) prefer.push(`odata.maxpagesize=${query.maxPageSize}`);
  if (query.annotations && query.annotations.length > 0) prefer.push(`odata.include-annotations="${query.annotations.join(',')}"`);
  return prefer.length > 0 ? { Prefer: prefer.join(',') } : {};
}

export const FORMATTED_VALUE = 'OData.Community.Display.V1.FormattedValue';
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
