/**
 * Which columns the service computes MIN / MAX / SUM / AVG of. Not a choice (Picklist, State,
 * Status) nor a yes/no (Boolean) column: an open-source engine used against real orgs (SQL 4 CDS)
 * never sends those aggregates of them, as the service refuses them, and `$apply` is answered by
 * the same aggregate engine as FetchXML, so both languages keep them local. COUNT, COUNT(DISTINCT)
 * and grouping by such a column stay with the service.
 *
 * `SELECT MAX(industrycode) FROM account` → `accounts?$select=industrycode`, the MAX computed locally;
 * `SELECT industrycode, COUNT(*) FROM account GROUP BY industrycode` → `$apply=groupby((industrycode),…)`.
 *
 * A choice is known from the catalog: the column that has a label column (`industrycodename`,
 * catalog/dataverse-conventions.ts); a choice the name convention missed (`systemuser.accessmode`)
 * and a multi-select choice (`Edm.String` in `$metadata`) from the metadata API (column-kinds.ts).
 * F&O enums never reach an aggregate request. A money column's are computed locally in an org with
 * more than one currency, where the service would aggregate its base-currency values (money-aggregates.ts).
 */
import { hasLabelColumn } from '../catalog/dataverse-conventions.js';
import type { Column, Table } from '../catalog/types.js';
import { valueAggregateKindRefusal } from './column-kinds.js';
import { moneyAggregateRefusal } from './money-aggregates.js';
import type { MetadataReader } from './service-metadata.js';

/** why the service does not compute MIN / MAX / SUM / AVG of `column`, or undefined when it does */
export function valueAggregateRefusal(table: Table, column: Column, metadata: MetadataReader | undefined): string | undefined {
  if (column.edmType === 'Edm.Boolean') return `${column.name} is a yes/no column, whose MIN / MAX / SUM / AVG the service does not compute`;
  if (hasLabelColumn(table, column)) {
    return `${column.name} is a choice, whose MIN / MAX / SUM / AVG the service does not compute`;
  }
  return valueAggregateKindRefusal(table, column, metadata) ?? moneyAggregateRefusal(column, metadata);
}
