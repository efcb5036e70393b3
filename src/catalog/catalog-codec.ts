/**
 * The disk-cache form of a Catalog: a header line, the catalog without its columns (JSON), then one
 * JSON segment per table with its columns and relationships.
 *
 *   {"magic":"dynasql-catalog","formatVersion":1,"key":"https://org…|dataverse|v9.2|f1","createdAt":…,"length":…,"crc32":…,"metaLength":…}\n
 *   {"edition":"dataverse",…,"tables":[{"name":"account",…,"segment":[0,51234]},…]}\n
 *   [[["accountid",0,0,3,1,21,"Unique identifier…"],…],[["primarycontactid",0,"contact",…]]]   ← account
 *   …
 *
 * Designed for loading, which must be far faster than parsing `$metadata` (≥ 20×):
 * - a table's segment is decoded when its columns are first read (lazy-property.ts), so starting a
 *   session costs the catalog outline plus the tables it uses, not all 1,500;
 * - segments are compact: columns and relationships as positional tuples, interned Edm/SQL types,
 *   packed flags, virtual columns pointing at their lookup's targets (3.8 MB fixture: 2.4 MB, against
 *   6.4 MB of plain JSON);
 * - everything is ASCII (non-ASCII escaped), so bytes become one-byte strings on the fast latin1 path.
 * Decoding rebuilds exactly the Catalog that was encoded (tested by deep equality).
 *
 * Nothing is trusted: wrong magic, format version or key, a length or CRC-32 mismatch, or a body
 * that does not decode gives `{ ok: false, reason }`, and the loader rebuilds from `$metadata`.
 */
import { crc32 } from 'node:zlib';
import { DynasqlError } from '../errors/index.js';
import { CATALOG_FORMAT_VERSION } from './format-version.js';
import { defineLazy } from './lazy-property.js';
import type { Catalog, Column, ColumnKind, LookupTarget, Relationship, RelationshipKind, SqlType, Table } from './types.js';

const MAGIC = 'dynasql-catalog';
const KINDS: ColumnKind[] = ['data', 'lookup', 'lookupName', 'lookupType', 'choiceLabel', 'navigation'];
const RELATIONSHIP_KINDS: RelationshipKind[] = ['many-to-one', 'one-to-many', 'many-to-many'];
const NULLABLE = 1;
const READ_ONLY = 2;
const INSERTABLE = 4;
const UPDATABLE = 8;
const PRIMARY_KEY = 16;

/** Optional column fields carried as a plain object in the tuple's last slot. */
interface ColumnExtras {
  maxLength?: number;
  precision?: number;
  scale?: number | 'variable';
  sourceColumn?: string;
  enumType?: string;
  options?: Column['options'];
  /** lookup targets as [table, navigation, referencedProperty] */
  targets?: [string, string, string][];
  /** 1: same lookup targets as the column named by sourceColumn */
  sharedTargets?: 1;
}

type EncodedColumn = (string | number | ColumnExtras)[];
type EncodedRelationship = (string | number | string[])[];
type TableOutline = Omit<Table, 'columns' | 'relationships'> & { segment: [start: number, length: number] };
type TableSegment = [columns: EncodedColumn[], relationships: EncodedRelationship[]];
interface CatalogOutline extends Omit<Catalog, 'tables'> {
  edmTypes: string[];
  sqlTypes: SqlType[];
  tables: TableOutline[];
}

export interface CacheHeader {
  magic: string;
  formatVersion: number;
  key: string;
  createdAt: number;
  /** bytes after the header line, and their CRC-32 */
  length: number;
  crc32: number;
  /** bytes of the outline JSON (its newline excluded); table segments follow it */
  metaLength: number;
}

export type DecodeResult = { ok: true; catalog: Catalog; createdAt: number } | { ok: false; reason: string };

class Interner<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly keyOf: (value: T) => string) {}
  add(value: T): number {
    const key = this.keyOf(value);
    let position = this.index.get(key);
    if (position === undefined) {
      position = this.values.length;
      this.values.push(value);
      this.index.set(key, position);
    }
    return position;
  }
}

function sameTargets(a: LookupTarget[] | undefined, b: LookupTarget[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((t, i) => t.table === b[i]!.table && t.navigation === b[i]!.navigation && t.referencedProperty === b[i]!.referencedProperty);
}

function encodeColumn(column: Column, byName: Map<string, Column>, edmTypes: Interner<string>, sqlTypes: Interner<SqlType>): EncodedColumn {
  const flags =
    (column.nullable ? NULLABLE : 0) |
    (column.readOnly ? READ_ONLY : 0) |
    (column.insertable ? INSERTABLE : 0) |
    (column.updatable ? UPDATABLE : 0) |
    (column.isPrimaryKey ? PRIMARY_KEY : 0);
  const extras: ColumnExtras = {};
  let hasExtras = false;
  const set = <K extends keyof ColumnExtras>(key: K, value: ColumnExtras[K] | undefined) => {
    if (value === undefined) return;
    extras[key] = value;
    hasExtras = true;
  };
  set('maxLength', column.maxLength);
  set('precision', column.precision);
  set('scale', column.scale);
  set('sourceColumn', column.sourceColumn);
  set('enumType', column.enumType);
  set('options', column.options);
  if (column.lookupTargets) {
    const source = column.sourceColumn === undefined ? undefined : byName.get(column.sourceColumn);
    if (source && sameTargets(source.lookupTargets, column.lookupTargets)) set('sharedTargets', 1);
    else set('targets', column.lookupTargets.map((t) => [t.table, t.navigation, t.referencedProperty]));
  }
  const tuple: EncodedColumn = [
    column.name,
    column.odataName === column.name ? 0 : column.odataName,
    KINDS.indexOf(column.kind),
    edmTypes.add(column.edmType),
    sqlTypes.add(column.sqlType),
    flags,
    column.description ?? 0,
  ];
  if (hasExtras) tuple.push(extras);
  else while (tuple[tuple.length - 1] === 0) tuple.pop();
  return tuple;
}

function decodeColumn(tuple: EncodedColumn, byName: Map<string, Column>, edmTypes: string[], sqlTypes: SqlType[]): Column {
  const name = tuple[0] as string;
  const flags = tuple[5] as number;
  const column: Column = {
    name,
    odataName: (tuple[1] || name) as string,
    kind: KINDS[tuple[2] as number]!,
    edmType: edmTypes[tuple[3] as number]!,
    sqlType: sqlTypes[tuple[4] as number]!,
    nullable: (flags & NULLABLE) !== 0,
    readOnly: (flags & READ_ONLY) !== 0,
    insertable: (flags & INSERTABLE) !== 0,
    updatable: (flags & UPDATABLE) !== 0,
    isPrimaryKey: (flags & PRIMARY_KEY) !== 0,
  };
  if (tuple[6]) column.description = tuple[6] as string;
  const extras = tuple[7] as ColumnExtras | undefined;
  if (extras) {
    if (extras.maxLength !== undefined) column.maxLength = extras.maxLength;
    if (extras.precision !== undefined) column.precision = extras.precision;
    if (extras.scale !== undefined) column.scale = extras.scale;
    if (extras.sourceColumn !== undefined) column.sourceColumn = extras.sourceColumn;
    if (extras.enumType !== undefined) column.enumType = extras.enumType;
    if (extras.options !== undefined) column.options = extras.options;
    if (extras.targets) column.lookupTargets = extras.targets.map(([table, navigation, referencedProperty]) => ({ table, navigation, referencedProperty }));
    if (extras.sharedTargets) {
      const source = byName.get(column.sourceColumn ?? '')?.lookupTargets ?? [];
      column.lookupTargets = source.map((t) => ({ ...t }));
    }
  }
  return column;
}

function encodeRelationship(relationship: Relationship): EncodedRelationship {
  const tuple: EncodedRelationship = [
    relationship.navigation,
    RELATIONSHIP_KINDS.indexOf(relationship.kind),
    relationship.toTable,
    relationship.fromColumns,
    relationship.toColumns,
  ];
  if (relationship.partner !== undefined) tuple.push(relationship.partner);
  return tuple;
}

function decodeRelationship(tuple: EncodedRelationship, fromTable: string): Relationship {
  const relationship: Relationship = {
    navigation: tuple[0] as string,
    kind: RELATIONSHIP_KINDS[tuple[1] as number]!,
    fromTable,
    fromColumns: tuple[3] as string[],
    toTable: tuple[2] as string,
    toColumns: tuple[4] as string[],
  };
  if (tuple[5] !== undefined) relationship.partner = tuple[5] as string;
  return relationship;
}

function decodeSegment(json: string, tableName: string, edmTypes: string[], sqlTypes: SqlType[]): { columns: Column[]; relationships: Relationship[] } {
  let segment: TableSegment;
  try {
    segment = JSON.parse(json) as TableSegment;
  } catch (cause) {
    throw new DynasqlError('DYNASQL_ERR_METADATA', `Cached catalog segment of table '${tableName}' does not decode`, { cause });
  }
  const byName = new Map<string, Column>();
  const columns = segment[0].map((tuple) => {
    const column = decodeColumn(tuple, byName, edmTypes, sqlTypes);
    byName.set(column.name, column);
    return column;
  });
  return { columns, relationships: segment[1].map((r) => decodeRelationship(r, tableName)) };
}

/**
 * The body is pure ASCII (non-ASCII escaped as `\uXXXX`), so it decodes with the fast latin1 path
 * into a one-byte string, which JSON.parse also reads faster than a two-byte one.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function encodeCatalogFile(catalog: Catalog, key: string, createdAt: number): Uint8Array {
  const edmTypes = new Interner<string>((t) => t);
  const sqlTypes = new Interner<SqlType>((t) => JSON.stringify(t));
  const segments: string[] = [];
  let offset = 0;
  const tables = catalog.tables.map((table): TableOutline => {
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    const segment: TableSegment = [
      table.columns.map((column) => encodeColumn(column, byName, edmTypes, sqlTypes)),
      table.relationships.map(encodeRelationship),
    ];
    const json = asciiJson(segment);
    segments.push(json);
    const { columns: _columns, relationships: _relationships, ...outline } = table;
    offset += json.length;
    return { ...outline, segment: [offset - json.length, json.length] };
  });
  const outline: CatalogOutline = { ...catalog, edmTypes: edmTypes.values, sqlTypes: sqlTypes.values, tables };
  const meta = asciiJson(outline);
  const body = Buffer.from(`${meta}\n${segments.join('')}`, 'latin1');
  const header: CacheHeader = { magic: MAGIC, formatVersion: CATALOG_FORMAT_VERSION, key, createdAt, length: body.length, crc32: crc32(body), metaLength: meta.length };
  return Buffer.concat([Buffer.from(`${asciiJson(header)}\n`, 'latin1'), body]);
}

/** Reads a cache file back; any doubt (version, key, length, checksum, shape) is a rejection with a reason. */
export function decodeCatalogFile(bytes: Uint8Array, expectedKey: string): DecodeResult {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buffer.indexOf(10);
  if (newline < 0 || newline > 4096) return { ok: false, reason: 'no header line' };
  let header: CacheHeader;
  try {
    header = JSON.parse(buffer.subarray(0, newline).toString('latin1')) as CacheHeader;
  } catch {
    return { ok: false, reason: 'header is not JSON' };
  }
  if (header?.magic !== MAGIC) return { ok: false, reason: 'not a dynasql catalog file' };
  if (header.formatVersion !== CATALOG_FORMAT_VERSION) return { ok: false, reason: `format version ${header.formatVersion}, expected ${CATALOG_FORMAT_VERSION}` };
  if (header.key !== expectedKey) return { ok: false, reason: `cache key '${header.key}' does not match '${expectedKey}'` };
  const body = buffer.subarray(newline + 1);
  if (body.length !== header.length) return { ok: false, reason: `truncated: ${body.length} of ${header.length} bytes` };
  if (crc32(body) !== header.crc32) return { ok: false, reason: 'checksum mismatch' };
  let outline: CatalogOutline;
  try {
    outline = JSON.parse(body.toString('latin1', 0, header.metaLength)) as CatalogOutline;
  } catch (error) {
    return { ok: false, reason: `body does not decode: ${(error as Error).message}` };
  }
  if (outline?.formatVersion !== CATALOG_FORMAT_VERSION || !Array.isArray(outline.tables) || !Array.isArray(outline.sqlTypes)) {
    return { ok: false, reason: 'body has the wrong shape' };
  }
  const segments = body.subarray(header.metaLength + 1);
  const { edmTypes, sqlTypes: rawSqlTypes, tables, ...rest } = outline;
  // Columns of one type share one frozen SqlType: fewer objects to build, and a stray write throws.
  const sqlTypes = rawSqlTypes.map((t) => Object.freeze(t));
  const catalog: Catalog = { ...rest, tables: [] };
  for (const { segment, ...fields } of tables) {
    if (!Array.isArray(segment) || segment[0]! < 0 || segment[0]! + segment[1]! > segments.length) return { ok: false, reason: 'body has the wrong shape' };
    const table = fields as Table;
    // One decode settles both lazy fields into plain data.
    const decode = () => {
      const decoded = decodeSegment(segments.toString('latin1', segment[0], segment[0] + segment[1]), table.name, edmTypes, sqlTypes);
      table.columns = decoded.columns;
      table.relationships = decoded.relationships;
      return decoded;
    };
    defineLazy(table, 'columns', () => decode().columns);
    defineLazy(table, 'relationships', () => decode().relationships);
    catalog.tables.push(table);
  }
  return { ok: true, catalog, createdAt: header.createdAt };
}
