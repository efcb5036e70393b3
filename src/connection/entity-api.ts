/**
 * The entity model of the established connectors (List, Get, Create, Update, Delete on one entity,
 * JSON in and out), for apps that would rather not write SQL. It runs through the same machinery
 * as SQL: reads through the SELECT engine, writes through the write lowering and runner (same
 * checks, same client-generated keys, same executor).
 *
 *   const leads = conn.entity('leads');
 *   await leads.get('c5233ad8-a1a4-ee11-a568-000d3ac9f67f');          // { leadid: 'c5233ad8-…', subject: …, … }
 *   await leads.create({ lastname: 'Smith', subject: 'New lead' });    // { leadid: '<new id>' }
 *   await conn.entity('salesorders').update('580775a4-…', { name: 'Nameupdated1704863189087' });
 *   await conn.entity('products').list({ filter: "name LIKE 'A%'", select: ['name'], top: 5 });
 *
 * Payload keys are column names as in SQL (`lastname`, `parentcustomerid`), lookups take a GUID or
 * `'account(<guid>)'`; results use the same names, with dates as ISO text and 64-bit integers as
 * numbers when they fit (text otherwise), so they are plain JSON.
 */
import type { Column, Table } from '../catalog/types.js';
import { indexCatalog } from '../catalog/index.js';
import { DynasqlError } from '../errors/index.js';
import { createOperation, deleteOperation, findColumn, resolveWriteColumns, updateOperation, type InputValue } from '../writes/index.js';
import type { QueryResult, Row, SqlValue, WriteOptions } from './types.js';
import { effectiveOptions, execute, report, writeContext, type WriteRunContext } from './write-runner.js';

export type JsonPayload = Record<string, unknown>;

export interface EntityListOptions {
  /**
   * a SQL condition on the entity's columns, as in a WHERE clause (`statecode = 0 AND name LIKE @prefix`):
   * it is SQL, so put values from outside in `params`, never into the text
   */
  filter?: string;
  /** values of the filter's `@name` parameters */
  params?: Record<string, unknown>;
  /** columns to return (default: all) */
  select?: string[] | string;
  top?: number;
  /** `name DESC, createdon` */
  orderBy?: string;
}

/** An entity key: the id for one-column keys, or `{ column: value }` for composite (F&O) keys. */
export type EntityKey = string | Record<string, unknown>;

export interface EntityApi {
  list(options?: EntityListOptions): Promise<JsonPayload[]>;
  get(id: EntityKey, options?: { select?: string[] | string }): Promise<JsonPayload>;
  create(payload: JsonPayload, options?: WriteOptions): Promise<JsonPayload>;
  update(id: EntityKey, payload: JsonPayload, options?: WriteOptions): Promise<JsonPayload>;
  delete(id: EntityKey, options?: WriteOptions): Promise<JsonPayload>;
}

export interface EntityApiHost {
  writes: WriteRunContext;
  /** runs a SELECT through the connection (parameters by name) */
  query(sql: string, params: Record<string, unknown>): Promise<QueryResult>;
}

export function entityApi(host: EntityApiHost, name: string): EntityApi {
  const table = indexCatalog(host.writes.statement.catalog).requireTable(name);
  const keyColumns = table.primaryKey.map((k) => findColumn(table, k));
  const ident = (n: string) => `[${findColumn(table, n).name}]`;
  const selectList = (select: string[] | string | undefined) => {
    const names = typeof select === 'string' ? select.split(',').map((s) => s.trim()).filter(Boolean) : select;
    return names && names.length > 0 ? names.map(ident).join(', ') : '*';
  };

  const keyMap = (id: EntityKey): Map<Column, InputValue> => {
    if (typeof id === 'string') {
      if (keyColumns.length !== 1) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `${table.name} has a key of ${keyColumns.length} columns (${table.primaryKey.join(', ')}); pass them as an object`);
      return new Map([[keyColumns[0]!, id]]);
    }
    const map = new Map<Column, InputValue>();
    for (const column of keyColumns) {
      const entry = Object.entries(id).find(([k]) => k.toLowerCase() === column.name.toLowerCase());
      if (!entry) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `The key of ${table.name} needs '${column.name}'`);
      map.set(column, entry[1] as InputValue);
    }
    return map;
  };

  const keyPayload = (key: ReadonlyMap<Column, InputValue>): JsonPayload => Object.fromEntries([...key].map(([c, v]) => [c.name, v]));

  const write = async (command: string, build: (options: WriteOptions) => Parameters<typeof execute>[1], options: WriteOptions = {}) => {
    if (host.writes.options.readOnly) throw new DynasqlError('DYNASQL_ERR_READ_ONLY_CONNECTION', `The connection is read-only (Read Only=true); ${command} is refused`);
    const effective = effectiveOptions(host.writes, {}, options);
    const ops = build(options);
    const outcomes = await execute(host.writes, ops, effective);
    return { result: report(command, ops, outcomes, effective), ops };
  };

  return {
    async list(options = {}) {
      const top = options.top === undefined ? '' : `TOP (${checkTop(options.top)}) `;
      const where = options.filter?.trim() ? ` WHERE ${options.filter}` : '';
      const order = options.orderBy?.trim() ? ` ORDER BY ${orderBy(table, options.orderBy)}` : '';
      const result = await host.query(`SELECT ${top}${selectList(options.select)} FROM [${table.name}]${where}${order}`, options.params ?? {});
      return result.rows.map(toJson);
    },

    async get(id, options = {}) {
      const key = keyMap(id);
      const params: Record<string, unknown> = {};
      const where = [...key].map(([c, v], i) => {
        params[`k${i}`] = v;
        return `[${c.name}] = @k${i}`;
      }).join(' AND ');
      const result = await host.query(`SELECT ${selectList(options.select)} FROM [${table.name}] WHERE ${where}`, params);
      const row = result.rows[0];
      if (!row) throw new DynasqlError('DYNASQL_ERR_NOT_FOUND', `${table.name} with key ${JSON.stringify(keyPayload(key))} does not exist`);
      return toJson(row);
    },

    async create(payload, options) {
      const { ops } = await write('INSERT', () => {
        const names = Object.keys(checkPayload(payload));
        const columns = resolveWriteColumns(table, names, 'insert');
        return [createOperation(writeContext(host.writes, table, effectiveOptions(host.writes, {}, options ?? {})), columns, names.map((n) => payload[n] as InputValue), 0)];
      }, options);
      return { ...ops[0]!.key };
    },

    async update(id, payload, options) {
      const key = keyMap(id);
      const { result } = await write('UPDATE', (o) => {
        const names = Object.keys(checkPayload(payload));
        const columns = resolveWriteColumns(table, names, 'update');
        return [updateOperation(writeContext(host.writes, table, effectiveOptions(host.writes, {}, o)), key, columns, names.map((n) => payload[n] as InputValue), 0, o.etag ? { etag: o.etag } : {})];
      }, options);
      if (result.rowCount === 0) throw new DynasqlError('DYNASQL_ERR_NOT_FOUND', `${table.name} with key ${JSON.stringify(keyPayload(key))} does not exist`);
      return keyPayload(key);
    },

    async delete(id, options) {
      const key = keyMap(id);
      const { result } = await write('DELETE', (o) => [deleteOperation(writeContext(host.writes, table, effectiveOptions(host.writes, {}, o)), key, 0, o.etag ? { etag: o.etag } : {})], options);
      if (result.rowCount === 0) throw new DynasqlError('DYNASQL_ERR_NOT_FOUND', `${table.name} with key ${JSON.stringify(keyPayload(key))} does not exist`);
      return keyPayload(key);
    },
  };
}

function checkPayload(payload: JsonPayload): JsonPayload {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'The payload must be a JSON object of column names and values');
  if (Object.keys(payload).length === 0) throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'The payload names no columns');
  for (const [name, value] of Object.entries(payload)) {
    const ok = value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value) || value instanceof Date;
    if (!ok) throw new DynasqlError('DYNASQL_ERR_TYPE', `The payload value of '${name}' must be a string, number, boolean or null`);
  }
  return payload;
}

function checkTop(top: number): number {
  if (!Number.isInteger(top) || top < 0) throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'top must be a non-negative whole number');
  return top;
}

/** `name DESC, createdon` with each name checked against the table (the text never reaches SQL unchecked) */
function orderBy(table: Table, text: string): string {
  return text.split(',').map((part) => {
    const m = /^\s*([A-Za-z_][\w]*)\s*(ASC|DESC)?\s*$/i.exec(part);
    if (!m) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `orderBy takes 'column [ASC|DESC], …'; got '${part.trim().slice(0, 40)}'`);
    return `[${findColumn(table, m[1]!).name}]${m[2] ? ` ${m[2].toUpperCase()}` : ''}`;
  }).join(', ');
}

function toJson(row: Row): JsonPayload {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonSafe(v)]));
}

function jsonSafe(value: SqlValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
