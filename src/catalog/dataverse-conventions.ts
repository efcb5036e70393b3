/**
 * Dataverse naming conventions the EDMX does not state, kept together so they are easy to review.
 *
 * Choices. The Web API declares a choice (picklist, state, status) as a plain `Edm.Int32` and carries
 * no option-set labels in `$metadata`, so a choice is recognised by name and description:
 * - the name ends in `code` (`industrycode`, `statecode`, `statuscode`, `address1_shippingmethodcode`),
 *   except integer "codes" (`timezonecode`, `utcconversiontimezonecode`, `languagecode`,
 *   `objecttypecode`, `errorcode` ...);
 * - or the description starts with "Select" / "Choose" (`salesstage`: "Select the sales stage ..."),
 *   except integers described that way (`address1_utcoffset`, `targetinteger`, `sequencenumber`).
 * Checked against the SDK EntityMetadata of account and contact (every Picklist/State/Status found,
 * no Integer taken for a choice: test/catalog/choices.test.ts). Booleans are yes/no choices.
 * Labels come at run time from `<col>@OData.Community.Display.V1.FormattedValue` (Prefer:
 * odata.include-annotations), which is what the `<col>name` column shows.
 *
 * Multi-select choices. The Web API declares one as a plain `Edm.String` (its value reads "1,9"),
 * and only the metadata API tells them apart (pushdown/column-kinds.ts asks it). They are made by
 * customizers, so their names carry a publisher prefix (`sample_outdooractivities`, `msdyn_…`);
 * the system's own text columns with an underscore are an address's or an image's parts
 * (`address1_city`, `shipto_line1`, `entityimage_url`), never a choice.
 *
 * Lookups. `_x_value` (Edm.Guid) is lookup `x`; it is written through the navigation properties
 * whose ReferentialConstraint names it (`parentcustomerid_account@odata.bind`). The EDMX marks
 * most lookups Computed/Read even though they are writable by binding, so writability is decided
 * here: system-maintained lookups below are read-only, the rest are writable when they have a target.
 */
import type { Column, Table } from './types.js';


const INTEGER_SUFFIXES = /(timezonecode|languagecode|objecttypecode|errorcode|tracecode|utcoffset|integer|number)$/;

export function looksLikeChoice(name: string, description: string | undefined): boolean {
  const lower = name.toLowerCase();
  if (INTEGER_SUFFIXES.test(lower)) return false;
  if (lower.endsWith('code')) return true;
  return description !== undefined && /^(Select|Choose)\b/.test(description);
}

const SYSTEM_TEXT_PREFIXES = /^(address\d+|shipto|billto|entityimage)_/;

/** a text column that may be a multi-select choice: `sample_outdooractivities` yes, `name` and `address1_city` no */
export function mayBeMultiSelect(name: string): boolean {
  const lower = name.toLowerCase();
  return /^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(lower) && !SYSTEM_TEXT_PREFIXES.test(lower);
}

/** `_parentcustomerid_value` → `parentcustomerid`; undefined for other names. */
export function lookupNameOf(odataName: string): string | undefined {
  if (odataName.length > 7 && odataName.startsWith('_') && odataName.endsWith('_value')) return odataName.slice(1, -6);
  return undefined;
}

const SYSTEM_LOOKUPS = new Set([
  'createdby',
  'modifiedby',
  'createdonbehalfby',
  'modifiedonbehalfby',
  'createdbyexternalparty',
  'modifiedbyexternalparty',
  'owningbusinessunit',
  'owninguser',
  'owningteam',
  'organizationid',
]);

export function isSystemLookup(name: string): boolean {
  return SYSTEM_LOOKUPS.has(name);
}

/** a choice column has a label companion (`industrycode` ↔ `industrycodename`), which the catalog adds to known choices */
export function hasLabelColumn(table: Table, column: Column): boolean {
  const name = column.name.toLowerCase();
  return table.columns.some((c) => c.kind === 'choiceLabel' && c.sourceColumn?.toLowerCase() === name);
}

/** Suffixes of the virtual columns (`parentcustomeridname`, `parentcustomeridtype`, `industrycodename`). */
export const NAME_SUFFIX = 'name';
export const TYPE_SUFFIX = 'type';
