/**
 * The URL of one record by key, every value written as an OData literal and percent-encoded, so a
 * key value can never end the segment or the path.
 *
 * `recordUrl(account, {accountid:'5B4…'})` → `accounts(5b4…)`;
 * `recordUrl(account, {accountnumber:"A/1'"})` (an alternate key) → `accounts(accountnumber='A%2F1''')`;
 * F&O: `recordUrl(CustomersV3, {dataAreaId:'usmf', CustomerAccount:'C1'})` →
 * `CustomersV3(dataAreaId='usmf',CustomerAccount='C1')`.
 */
import type { Column, Table } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { odataLiteral, type LiteralValue } from '../odata/index.js';
import type { InputValue } from './types.js';

export function recordUrl(table: Table, key: ReadonlyMap<Column, InputValue>, options: { crossCompany?: boolean } = {}): string {
  const entries = [...key.entries()];
  if (entries.length === 0) throw new DynasqlError('DYNASQL_ERR_INTERNAL', `No key for ${table.name}`);
  const literal = (column: Column, value: InputValue) => {
    if (value === null || value === undefined) throw new DynasqlError('DYNASQL_ERR_NOT_NULL', `Key column '${column.name}' of ${table.name} needs a value`);
    if (value instanceof Uint8Array) throw new DynasqlError('DYNASQL_ERR_TYPE', `Key column '${column.name}' cannot be binary`);
    try {
      return encodeURIComponent(odataLiteral(value as LiteralValue, { edmType: column.edmType, ...(column.enumType ? { enumType: column.enumType } : {}) }));
    } catch (error) {
      if (error instanceof DynasqlError) throw new DynasqlError('DYNASQL_ERR_TYPE', `Key column '${column.name}': ${error.message}`);
      throw error;
    }
  };
  const single = entries.length === 1 && entries[0]![0].edmType === 'Edm.Guid' && entries[0]![0].isPrimaryKey;
  const inner = single
    ? literal(entries[0]![0], entries[0]![1])
    : entries.map(([column, value]) => `${column.odataName}=${literal(column, value)}`).join(',');
  return `${table.entitySetName}(${inner})${options.crossCompany ? '?cross-company=true' : ''}`;
}
