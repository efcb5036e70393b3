/**
 * Whether a plain scan may be read as ranges of `createdon` at once once its first page comes back
 * full (connection/partitioned-pages.ts), and how their rows merge. Pure: the ranges themselves
 * depend on the rows and are found when the statement runs.
 *
 * Why `createdon`: the service sets it when a row is created and never changes it, so half-open
 * ranges of it (`ge` a bound, `lt` the next) hold every row exactly once, ties included, however
 * long the read takes; the first range also holds the rows where it is null. The primary key would
 * do too, but the service orders GUIDs as SQL Server's `uniqueidentifier` (by the last six bytes
 * first), and ranges by it would need that order reproduced exactly.
 *
 * Preconditions, each checked here: a Dataverse table with a `createdon` date and time column; an
 * OData read of rows (not `$apply`, `/$count`, FetchXML, nor a chunk of a key list); no `$skip` (the
 * ranges would each skip); no `$top` (it fits one page, so there is never a second page: the reader
 * stops at TOP above the page size by its row limit, which each range keeps, and the merge keeps
 * again); and, under `$orderby`, every column it sorts by among the columns read and of a type whose
 * order on the service the merge reproduces (text under the collation, numbers, dates, yes/no; not a
 * GUID nor a choice).
 *
 * `SELECT name, revenue FROM account WHERE revenue > 0 ORDER BY name` with Parallel Reads 8 →
 * `partition: { column: 'createdon', ranges: 8, orderBy: [{ index: 0, descending: false }] }`.
 */
import type { Column, Table } from '../catalog/types.js';
import type * as P from '../plan/index.js';

/** the column ranges are of: set by the service at creation, never changed */
const RANGE_COLUMN = 'createdon';

/** the types whose order on the service the merge reproduces (connection/partitioned-pages.ts) */
const MERGEABLE = new Set(['Edm.String', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Boolean', 'Edm.DateTimeOffset', 'Edm.Date']);

export interface PartitionRequest {
  /** ranges to read at once; 0 or 1: page after page */
  ranges: number;
  /** the scan as negotiated */
  orderBy?: { property: string; descending: boolean }[];
  top?: number;
  skip?: number;
  /** the scan is one chunk of a long key list */
  chunked: boolean;
}

/** the partition of a scan, or why it reads page after page (undefined: nothing worth saying: Parallel Reads is Off, no `createdon`, …) */
export function partitionOf(table: Table, columns: readonly Column[], request: PartitionRequest): P.RemoteScanStep['partition'] | string | undefined {
  if (request.ranges < 2 || request.chunked || request.top !== undefined) return undefined;
  const range = table.columns.find((c) => c.name === RANGE_COLUMN && c.kind === 'data' && c.edmType === 'Edm.DateTimeOffset');
  if (!range) return undefined;
  if (request.skip !== undefined && request.skip > 0) return '$skip would skip rows in every range';
  const orderBy: { index: number; descending: boolean }[] = [];
  for (const item of request.orderBy ?? []) {
    const index = columns.findIndex((c) => c.odataName === item.property && (c.kind === 'data' || c.kind === 'lookup'));
    const column = columns[index];
    if (!column) return `the rows do not carry ${item.property}, which the ranges would be merged by`;
    const refusal = mergeRefusal(table, column);
    if (refusal) return refusal;
    orderBy.push({ index, descending: item.descending });
  }
  return { column: range.odataName, ranges: request.ranges, orderBy };
}

/** why ranges ordered by `column` cannot be merged into the service's order */
function mergeRefusal(table: Table, column: Column): string | undefined {
  if (column.kind === 'lookup' || column.edmType === 'Edm.Guid') return `${column.name} is a GUID, which the service orders as SQL Server's uniqueidentifier`;
  const labelled = table.columns.some((c) => c.kind === 'choiceLabel' && c.sourceColumn === column.name);
  if (labelled && column.edmType !== 'Edm.Boolean') return `${column.name} is a choice, whose order on the service is not documented`;
  if (!MERGEABLE.has(column.edmType)) return `the merge does not know the service's order of ${column.edmType}`;
  return undefined;
}
