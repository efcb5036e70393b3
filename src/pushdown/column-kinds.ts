/**
 * Columns whose kind `$metadata` leaves open, and what push-down does with them once the metadata
 * API has said (service-metadata.ts; one request per table, made only by a statement that would
 * otherwise send something that depends on the answer):
 *
 * - a whole number (`Edm.Int32`) without a label column may be a choice the name convention missed
 *   (`systemuser.accessmode`, `team.teamtype`, `product.productstructure`: catalog/dataverse-conventions.ts),
 *   whose MIN / MAX / SUM / AVG the service refuses (value-aggregates.ts);
 * - a text column with a publisher prefix (`sample_outdooractivities`) may be a multi-select
 *   choice, whose value reads "1,9": the service matches such a column by its options, not by that
 *   text (ContainValues; what `eq` means for it is not documented), so a condition on its value,
 *   an ORDER BY of it (its order on the service is not documented either), a FetchXML link on it
 *   (FetchXML doc §1.1: a link's columns cannot be one), a grouping by it and an
 *   aggregate of it are evaluated locally; `IS [NOT] NULL` still goes (`eq null` is documented for it).
 *
 * When the service does not say (a refused request), such a column is taken for what it may be:
 * the work stays local, which gives the same rows.
 */
import type { Column, Table } from '../catalog/types.js';
import { hasLabelColumn, mayBeMultiSelect } from '../catalog/dataverse-conventions.js';
import type { AttributeKind, MetadataReader } from './service-metadata.js';

/** a whole number that may be a choice: no label column says it is one */
function mayBeMissedChoice(table: Table, column: Column): boolean {
  return column.kind === 'data' && column.edmType === 'Edm.Int32' && !hasLabelColumn(table, column);
}

function mayBeMultiSelectColumn(column: Column): boolean {
  return column.kind === 'data' && column.edmType === 'Edm.String' && mayBeMultiSelect(column.odataName);
}

/**
 * The column's kind from the metadata API, for a column `$metadata` leaves open; undefined for the
 * others, without a metadata source, and while the kinds are being read (the statement is planned
 * again once they are).
 */
function serviceKind(table: Table, column: Column, metadata: MetadataReader | undefined): AttributeKind | 'unknown' | undefined {
  if (!metadata || !(mayBeMissedChoice(table, column) || mayBeMultiSelectColumn(column))) return undefined;
  return metadata.attributeKind(table.name, column.odataName);
}

/**
 * Why the service does not compute MIN / MAX / SUM / AVG of a column the catalog cannot classify,
 * or undefined: `accessmode` → "accessmode is a choice …".
 */
export function valueAggregateKindRefusal(table: Table, column: Column, metadata: MetadataReader | undefined): string | undefined {
  const kind = serviceKind(table, column, metadata);
  if (kind === 'choice') return `${column.name} is a choice (the service's metadata says so), whose MIN / MAX / SUM / AVG the service does not compute`;
  if (kind === 'multiSelect') return `${column.name} is a multi-select choice, whose aggregates run locally`;
  if (kind === 'unknown') return `the service's metadata did not say whether ${column.name} is a choice, whose MIN / MAX / SUM / AVG the service refuses; computed locally`;
  return undefined;
}

/**
 * Why a condition on, an ORDER BY of, a grouping by or an aggregate of the column stays local because it is (or,
 * the service not saying, may be) a multi-select choice; undefined for every other column.
 */
export function multiSelectRefusal(table: Table, column: Column, metadata: MetadataReader | undefined): string | undefined {
  if (!mayBeMultiSelectColumn(column)) return undefined;
  const kind = serviceKind(table, column, metadata);
  if (kind === 'multiSelect') return `${column.name} is a multi-select choice, which the service matches by its options, not by its text; evaluated locally`;
  if (kind === 'unknown') return `the service's metadata did not say whether ${column.name} is a multi-select choice; evaluated locally`;
  return undefined;
}
