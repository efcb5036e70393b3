/**
 * One stored record. `values` holds column values as the service returns them (GUIDs lower-case,
 * dates as ISO strings); `lookupTypes` holds the logical name each lookup points to, e.g.
 * `{ _parentcustomerid_value: 'account' }`, which polymorphic lookups need; `version` feeds
 * `@odata.etag` (W/"<version>") and is bumped on every write.
 */
export interface Row {
  values: Record<string, unknown>;
  lookupTypes: Record<string, string>;
  version: number;
}

export const cloneRow = (row: Row): Row => ({ values: { ...row.values }, lookupTypes: { ...row.lookupTypes }, version: row.version });
