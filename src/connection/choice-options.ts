/**
 * `conn.choiceOptions(table, column)`: a choice column's numbers and labels, for tools that show a
 * schema (`dynasql mcp`'s describe_table). A Finance & Operations enum's members are in the catalog
 * (`$metadata` declares them); a Dataverse choice's options come from the metadata API through the
 * connection's ServiceMetadataCache, the same cache a filter on a label column fills, one request per
 * column the first time it is asked for:
 *
 *   conn.choiceOptions('account', 'industrycode') → [{ value: 1, label: 'Accounting' }, …]
 *   conn.choiceOptions('contact', 'donotemail')    → [{ value: 1, label: 'Do Not Allow' }, { value: 0, label: 'Allow' }]
 *
 * `null` when the column is no choice (it has no label column and no enum members) or the service
 * gives no options for it.
 */
import { hasLabelColumn, indexCatalog } from '../catalog/index.js';
import type { StatementContext } from './statement.js';

export interface ChoiceLabel {
  value: number | string;
  label: string;
}

export async function choiceOptions(ctx: StatementContext, tableName: string, columnName: string, signal: AbortSignal): Promise<readonly ChoiceLabel[] | null> {
  const index = indexCatalog(ctx.catalog);
  const table = index.requireTable(tableName);
  const column = index.requireColumn(table, columnName);
  if (column.options?.length) return column.options;
  const metadata = ctx.serviceMetadata;
  if (!metadata || column.kind !== 'data' || !hasLabelColumn(table, column)) return null;
  if (metadata.choiceOptions(table.name, column.name) === undefined) {
    await metadata.load([{ kind: 'choiceOptions', table: table.name, column: column.name, ...(column.sqlType.name === 'bit' ? { yesNo: true as const } : {}) }], signal);
  }
  return metadata.choiceOptions(table.name, column.name) ?? null;
}
