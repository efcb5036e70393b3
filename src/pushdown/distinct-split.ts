/**
 * How the distinct counts of a FetchXML aggregate are answered by parts when the service refuses
 * the aggregate whole (50,000 rows, fetchxml/split.ts). Three rules, each applied only under its
 * precondition, which is what makes the parts' answers combine exactly:
 *
 * 1. A primary key: `COUNT(DISTINCT accountid)` is `COUNT(accountid)`. Precondition: the column is
 *    the single-column primary key of the table aggregated (a FetchXML aggregate reads one table,
 *    no join: fetchxml-plan.ts), so its values are unique and never null and each row is its own
 *    value. The parts' counts then add up over ranges of any column, with no grouping at all.
 * 2. Its own ranges: `COUNT(DISTINCT numberofemployees)` over ranges of `numberofemployees`.
 *    Precondition: the only other distinct count's column is a number or a date, whose values have
 *    evenly spaced bounds (split-scale.ts); each value then falls in one range, so the parts'
 *    distinct counts add up.
 * 3. Grouped: `COUNT(DISTINCT name)` as the groups of `name` in each range of `createdon`, merged
 *    and counted (fetchxml/distinct-groups.ts). Precondition: the only other distinct count's
 *    column is text (merged under the service's collation: 'Contoso' and 'CONTOSO ' are one
 *    value), a GUID or a lookup, or a yes/no (merged by exact value), and the statement does not
 *    also group by that column as it is (the parts would group by it twice).
 * Distinct counts of two columns besides primary keys have no split: no one range column keeps
 * the values of both in one part, and one grouping would multiply their groups. An ungrouped
 * statement answers them by a part each (aggregate-parts.ts, from plan-query.ts).
 */
import type { Column, Table } from '../catalog/types.js';

export interface DistinctCount {
  alias: string;
  column: Column;
}

/** rule 1 needs nothing of the parts: a distinct count of the primary key combines as a count */
export interface DistinctCountSplit {
  /** rule 2: the column whose ranges the parts are of */
  ranges?: Column;
  /** rule 3: the distinct count the parts group by */
  grouped?: DistinctCount & { text: boolean };
}

const RANGED = new Set(['Edm.DateTimeOffset', 'Edm.Date', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.Decimal', 'Edm.Double', 'Edm.Single']);
const GROUPED = new Set(['Edm.String', 'Edm.Guid', 'Edm.Boolean']);

/** rule 1's precondition: unique and never null in the one table read */
function isOnlyKey(column: Column, table: Table): boolean {
  return column.isPrimaryKey && table.primaryKey.length === 1;
}

/** how the parts answer the distinct counts, or undefined when they cannot */
export function distinctCountSplit(distinct: DistinctCount[], table: Table, plainGroups: Column[]): DistinctCountSplit | undefined {
  const rest = distinct.filter((d) => !isOnlyKey(d.column, table));
  const columns = new Set(rest.map((d) => d.column.name));
  if (columns.size === 0) return {};
  if (columns.size > 1) return undefined;
  const [first] = rest;
  const column = first!.column;
  if (column.kind === 'data' && RANGED.has(column.edmType)) return { ranges: column };
  if (rest.length > 1 || !GROUPED.has(column.edmType) || plainGroups.some((g) => g.name === column.name)) return undefined;
  return { grouped: { ...first!, text: column.edmType === 'Edm.String' } };
}
