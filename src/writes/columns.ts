/**
 * The target table and columns of a write, checked against the catalog before anything is sent:
 * unknown names get a "did you mean", read-only columns and tables the service refuses to change
 * get DYNASQL_ERR_READ_ONLY_COLUMN / DYNASQL_ERR_UNSUPPORTED_SQL, a missing required column
 * DYNASQL_ERR_NOT_NULL.
 *
 * `resolveWriteColumns(account, ['name','revenu'], 'insert')` throws
 * `Unknown column 'revenu' in account. Did you mean 'revenue'?`.
 */
import type { Catalog, Column, Table } from '../catalog/types.js';
import { indexCatalog } from '../catalog/index.js';
import { closestName, DynasqlError } from '../errors/index.js';
import type { ResolvedColumn } from './types.js';

export type WriteMode = 'insert' | 'update' | 'upsert';

export function resolveWriteTable(catalog: Catalog, name: string, action: 'insert' | 'update' | 'delete' | 'upsert'): Table {
  const table = indexCatalog(catalog).requireTable(name);
  const caps = table.capabilities;
  const refused = (action === 'insert' && caps.insertable === false) || (action === 'update' && caps.updatable === false)
    || (action === 'delete' && caps.deletable === false) || (action === 'upsert' && (caps.insertable === false || caps.updatable === false));
  if (refused) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `The service does not allow ${action === 'upsert' ? 'inserts and updates' : `${action}s`} on ${table.name}`);
  return table;
}

export function findColumn(table: Table, name: string): Column {
  const lower = name.toLowerCase();
  const column = table.columns.find((c) => c.name.toLowerCase() === lower);
  if (column) return column;
  const suggestion = closestName(name, table.columns.filter((c) => c.kind !== 'navigation').map((c) => c.name));
  throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', `Unknown column '${name}' in ${table.name}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, { details: { name } });
}

/** The columns a write sets, each checked for the mode; duplicates refused. */
export function resolveWriteColumns(table: Table, names: readonly string[], mode: WriteMode): ResolvedColumn[] {
  const seen = new Set<string>();
  return names.map((name) => {
    const column = findColumn(table, name);
    const key = column.name.toLowerCase();
    if (seen.has(key)) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `Column '${column.name}' is set twice`);
    seen.add(key);
    checkWritable(table, column, mode);
    return { name, column };
  });
}

function checkWritable(table: Table, column: Column, mode: WriteMode): void {
  const refuse = (why: string) => new DynasqlError('DYNASQL_ERR_READ_ONLY_COLUMN', `Column '${column.name}' of ${table.name} cannot be ${mode === 'update' ? 'updated' : 'set'}: ${why}`);
  switch (column.kind) {
    case 'lookupName':
      throw refuse(`it is the display name of lookup '${column.sourceColumn}'; set '${column.sourceColumn}' to the record's id`);
    case 'navigation':
      throw refuse('it is a navigation property; set the lookup column instead');
    case 'lookupType':
      // the target table of a polymorphic lookup, written beside the lookup itself
      return;
    case 'choiceLabel':
      // a label, translated to the choice's value
      if (mode === 'update' && column.sourceColumn) checkWritable(table, findColumn(table, column.sourceColumn), mode);
      return;
    default:
      break;
  }
  if (column.isPrimaryKey) {
    // the client may choose the id of a new record (that is what makes retries safe), never change it
    if (mode === 'update') throw refuse('it is the primary key');
    return;
  }
  if (column.readOnly) throw refuse('it is read-only (computed by the service)');
  if (mode === 'insert' && !column.insertable) throw refuse('the service does not accept it on create');
  if (mode === 'update' && !column.updatable) throw refuse('the service does not accept it on update');
  if (mode === 'upsert' && (!column.insertable || !column.updatable)) throw refuse('the service does not accept it on both create and update');
}

/** Columns a new record must carry: not nullable, settable, not the key (generated) and not defaulted by the service. */
export function checkRequiredColumns(table: Table, given: readonly ResolvedColumn[], serviceDefaults: readonly string[]): void {
  const set = new Set(given.map((g) => (g.column.kind === 'choiceLabel' && g.column.sourceColumn ? g.column.sourceColumn : g.column.name).toLowerCase()));
  const defaults = new Set(serviceDefaults.map((d) => d.toLowerCase()));
  const missing = table.columns.filter((c) => c.kind === 'data' && !c.nullable && !c.readOnly && c.insertable
    && !c.isPrimaryKey && !set.has(c.name.toLowerCase()) && !defaults.has(c.name.toLowerCase()));
  if (missing.length > 0) {
    throw new DynasqlError('DYNASQL_ERR_NOT_NULL', `${table.name} needs a value for ${missing.map((c) => `'${c.name}'`).join(', ')} (not nullable)`);
  }
}
