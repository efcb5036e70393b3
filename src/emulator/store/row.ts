/**
 * One stored record. `values` holds column values as the service returns them (GUIDs lower-case,
 * dates as ISO strings); `lookupTypes` holds the logical name each lookup points to, e.g.
 * `{ _parentcustomerid_value: 'account' }`, which polymorphic lookups need; `version` feeds
 * `@odata.etag` (W/"<version>") and is bumped on every write. `exactDecimals` holds the written
 * text of Edm.Decimal values a double cannot give back (`{ revenue: '12345678901234.5678' }`), for
 * responses only: see http/exact-decimals.ts.
 */
export interface Row {
  values: Record<string, unknown>;
  lookupTypes: Record<string, string>;
  version: number;
  exactDecimals?: Record<string, string>;
}

export const cloneRow = (row: Row): Row => ({
  values: { ...row.values }, lookupTypes: { ...row.lookupTypes }, version: row.version,
  ...(row.exactDecimals ? { exactDecimals: { ...row.exactDecimals } } : {}),
});
