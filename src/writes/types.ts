/**
 * What the pure write lowering hands to the runner: one HTTP operation per affected row, each safe
 * to send twice (creates carry a client-generated primary key, updates `If-Match`, deletes by key).
 *
 * `INSERT INTO account (name) VALUES ('A')` → one
 * `{kind:'create', method:'POST', url:'accounts', body:'{"accountid":"…","name":"A"}', key:{accountid:'…'}}`.
 */
import type { Column, Table } from '../catalog/types.js';

export type WriteKind = 'create' | 'update' | 'upsert' | 'delete';

export interface WriteOperation {
  kind: WriteKind;
  method: 'POST' | 'PATCH' | 'DELETE';
  /** relative to the service root: `accounts`, `accounts(…)`, `CustomersV3(dataAreaId='usmf',CustomerAccount='C1')` */
  url: string;
  headers: Record<string, string>;
  /** JSON text */
  body?: string;
  /** the row's key as users see it, for reports (`{accountid:'…'}`) */
  key: Record<string, unknown>;
  /** 0-based position of the row in the statement's input, for reports */
  row: number;
  /** the row's own URL (a create's is known when its key is), to read it back */
  rowUrl?: string;
  /**
   * What the row holds once this operation is applied, as OData properties and JSON values
   * (`{name:'A', _parentcustomerid_value:'5b4…'}`): read back to settle an answer a retry lost.
   */
  applied?: Record<string, unknown>;
  /** create: dynasql chose the primary key for this statement, so a duplicate after a retry can be its own earlier attempt */
  ownKey?: boolean;
  /** update / delete: the row was read just before this statement wrote it (it existed) */
  existed?: boolean;
  /**
   * F&O UPSERT: the create sent when this PATCH finds no row (404). F&O's PATCH never creates, so an
   * upsert of a new row takes two requests there.
   */
  orCreate?: WriteOperation;
}

/** A value arriving for a column: from a literal, a parameter, or a row the SELECT engine computed. */
export type InputValue = string | number | bigint | boolean | Date | Uint8Array | null;

/** A write's columns resolved against the catalog. */
export interface ResolvedColumn {
  /** the name as written */
  name: string;
  column: Column;
}

/**
 * Choice labels known per choice column (SQL name, lower case) → label (lower case, as labels match
 * case-insensitively) → the value and the label as the org spells it (for errors).
 */
export type ChoiceLabels = ReadonlyMap<string, ReadonlyMap<string, { value: number; label: string }>>;

export interface WriteContext {
  table: Table;
  /** every table, to find a lookup target's entity set */
  tables: readonly Table[];
  edition: 'dataverse' | 'finops';
  labels: ChoiceLabels;
  /** headers every operation carries (bypass, duplicate detection) */
  headers: Record<string, string>;
  /** F&O: `?cross-company=true` on writes */
  crossCompany: boolean;
  /** a fresh GUID v4 for creates (node:crypto's randomUUID in production) */
  newId: () => string;
}
