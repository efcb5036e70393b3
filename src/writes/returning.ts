/**
 * `OUTPUT INSERTED.…` / `RETURNING …`: the columns asked for, and each written row read from the
 * service's representation (`Prefer: return=representation`), or from what was sent when the service
 * sent none (a retried create the earlier attempt had already made).
 *
 * `returningColumns(account, [{image:'inserted'}])` → every data and lookup column of account.
 */
import type { Column, Table } from '../catalog/types.js';
import { decoderFor, parseJsonLossless, sourceKey, type DecodedValue, type JsonValue } from '../odata/index.js';
import type { ReturningItem } from '../sql/write-ast.js';
import { findColumn } from './columns.js';

export interface ReturnedColumn { name: string; column: Column }

export function returningColumns(table: Table, items: readonly ReturningItem[] | undefined): ReturnedColumn[] | undefined {
  if (!items) return undefined;
  return items.flatMap((item) => {
    if (item.column === undefined) return table.columns.filter((c) => c.kind === 'data' || c.kind === 'lookup').map((c) => ({ name: c.name, column: c }));
    const column = findColumn(table, item.column);
    return [{ name: item.alias ?? column.name, column }];
  });
}

/** the result column a returned column is shown as (`nvarchar(160)`, `uniqueidentifier` …) */
export function returnedColumnType(r: ReturnedColumn): { name: string; type: string; length?: number; precision?: number; scale?: number } {
  const t = r.column.sqlType;
  return { name: r.name, type: t.name, ...(t.length !== undefined ? { length: t.length } : {}), ...(t.precision !== undefined ? { precision: t.precision } : {}), ...(t.scale !== undefined ? { scale: t.scale } : {}) };
}

export function returnedRow(columns: readonly ReturnedColumn[], body: string | undefined, fallback: (column: Column) => DecodedValue): Record<string, DecodedValue> {
  let record: Record<string, JsonValue> | undefined;
  if (body) {
    const parsed = parseJsonLossless(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) record = parsed as Record<string, JsonValue>;
  }
  const row: Record<string, DecodedValue> = {};
  for (const { name, column } of columns) {
    const key = sourceKey(column);
    row[name] = record && key in record ? decoderFor(column)(record[key]) : fallback(column);
  }
  return row;
}
