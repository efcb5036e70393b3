/**
 * An action's or function's response → a result set, shaped by the declared return type:
 *
 * - none (204): no rows (the runner reports rowCount 1: the call succeeded);
 * - a primitive: one column named after the procedure, e.g. F&O `GetApplicationBuildVersion` →
 *   one row `{GetApplicationBuildVersion: '10.0.1935.52'}`;
 * - a complex type: one row, a column per declared property (nested values as JSON text) and per
 *   undeclared property the service sent;
 *   one whose only property is a collection of complex values is unwrapped into those rows
 *   (`RetrieveUserPrivileges` → one row per privilege);
 * - an entity: its table's columns present in the response; an abstract one (`crmbaseentity`, as
 *   QualifyLead returns) as `entitytype`, `id` and the other properties sent;
 * - a collection of any of these: one row per element.
 */
import { indexCatalog, sqlTypeOfPrimitive } from '../catalog/index.js';
import type { Catalog, ComplexTypeDef, Procedure, SqlType, Table } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { decoderFor, decoderForEdm, JsonNumberText, parseJsonLossless, type DecodedValue, type JsonValue } from '../odata/index.js';

export interface ProcedureColumn {
  name: string;
  edmType: string;
  sqlType: SqlType;
}

export interface ProcedureResult {
  columns: ProcedureColumn[];
  rows: Record<string, DecodedValue>[];
}

type JsonObject = { [key: string]: JsonValue };

const TEXT: SqlType = { name: 'nvarchar' };

function typeOf(edmType: string, isCollection: boolean): SqlType {
  return (!isCollection && sqlTypeOfPrimitive(edmType)) || TEXT;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof JsonNumberText);
}

function asText(value: JsonValue | undefined): DecodedValue {
  if (value === undefined || value === null) return null;
  if (value instanceof JsonNumberText) return value.text;
  if (typeof value === 'object') return jsonOf(value);
  return value;
}

function jsonOf(value: JsonValue): string {
  if (value instanceof JsonNumberText) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonOf).join(',')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonOf(v)}`).join(',')}}`;
  return JSON.stringify(value);
}

export function decodeResult(catalog: Catalog, procedure: Procedure, bodyText: string): ProcedureResult {
  const returnType = procedure.returnType;
  if (!returnType) return { columns: [], rows: [] };
  if (bodyText.trim() === '') return { columns: [], rows: [] };
  const body = parseJsonLossless(bodyText);
  if (!isObject(body)) throw new DynasqlError('DYNASQL_ERR_SERVICE', `'${procedure.name}' answered with something other than a JSON object`);
  const { edmType, isCollection } = returnType;
  const elements = (): JsonValue[] => {
    if (!isCollection) return [body];
    const value = body.value;
    if (!Array.isArray(value)) throw new DynasqlError('DYNASQL_ERR_SERVICE', `'${procedure.name}' should return a collection (value: [...])`);
    return value;
  };
  if (edmType.startsWith('Edm.') || catalog.enumTypes.some((e) => e.qualifiedName === edmType)) {
    const decode = decoderForEdm(edmType);
    const column: ProcedureColumn = { name: procedure.name, edmType, sqlType: typeOf(edmType, false) };
    const values = isCollection ? elements() : [body.value];
    return { columns: [column], rows: values.map((v) => ({ [column.name]: decode(v ?? null) })) };
  }
  const index = indexCatalog(catalog);
  const table = index.tableOfEntityType(edmType);
  if (table) return entityRows(table, elements().filter(isObject));
  const complex = complexTypeOf(catalog, edmType);
  if (complex && !complex.isEntityType) {
    const properties = propertiesOf(catalog, complex);
    const only = properties.length === 1 ? properties[0]! : undefined;
    const inner = only?.isCollection ? complexTypeOf(catalog, only.edmType) : undefined;
    if (!isCollection && only && inner && !inner.isEntityType) {
      const value = body[only.name];
      return complexRows(catalog, inner, Array.isArray(value) ? value.filter(isObject) : []);
    }
    return complexRows(catalog, complex, elements().filter(isObject));
  }
  return looseEntityRows(catalog, elements().filter(isObject));
}

function complexTypeOf(catalog: Catalog, qualifiedName: string): ComplexTypeDef | undefined {
  return catalog.complexTypes.find((c) => c.qualifiedName === qualifiedName);
}

function propertiesOf(catalog: Catalog, type: ComplexTypeDef): ComplexTypeDef['properties'] {
  const base = type.baseType ? complexTypeOf(catalog, type.baseType) : undefined;
  return [...(base ? propertiesOf(catalog, base) : []), ...type.properties];
}

/** the declared properties, then any the service sent beyond them (as text: newer services add some) */
function complexRows(catalog: Catalog, type: ComplexTypeDef, items: JsonObject[]): ProcedureResult {
  const properties = [...propertiesOf(catalog, type)];
  for (const item of items) {
    for (const name of Object.keys(item)) {
      if (!name.includes('@') && !properties.some((p) => p.name === name)) properties.push({ name, edmType: 'Edm.String', isCollection: false, nullable: true });
    }
  }
  const columns = properties.map((p): ProcedureColumn => ({ name: p.name, edmType: p.isCollection ? `Collection(${p.edmType})` : p.edmType, sqlType: typeOf(p.edmType, p.isCollection) }));
  const decoders = properties.map((p) => (p.isCollection || !p.edmType.startsWith('Edm.') ? asText : decoderForEdm(p.edmType)));
  const rows = items.map((item) => Object.fromEntries(properties.map((p, i) => [p.name, decoders[i]!(item[p.name] ?? null)])));
  return { columns, rows };
}

function entityRows(table: Table, items: JsonObject[]): ProcedureResult {
  const present = new Set(items.flatMap((item) => Object.keys(item)));
  const candidates = table.columns.filter((c) => c.kind === 'data' || c.kind === 'lookup');
  const shown = candidates.filter((c) => present.has(c.odataName));
  const columns = shown.length > 0 ? shown : candidates;
  const decoders = columns.map((c) => decoderFor(c));
  return {
    columns: columns.map((c) => ({ name: c.name, edmType: c.edmType, sqlType: c.sqlType })),
    rows: items.map((item) => Object.fromEntries(columns.map((c, i) => [c.name, decoders[i]!(item[c.odataName] ?? null)]))),
  };
}

/** records of an abstract type: `entitytype` from `@odata.type`, `id` from that table's key, then the rest */
function looseEntityRows(catalog: Catalog, items: JsonObject[]): ProcedureResult {
  const index = indexCatalog(catalog);
  const columns: ProcedureColumn[] = [
    { name: 'entitytype', edmType: 'Edm.String', sqlType: TEXT },
    { name: 'id', edmType: 'Edm.Guid', sqlType: sqlTypeOfPrimitive('Edm.Guid')! },
  ];
  const keyOf = (item: JsonObject): string | undefined => {
    const type = typeof item['@odata.type'] === 'string' ? (item['@odata.type'] as string).replace(/^#/, '') : undefined;
    const table = type ? index.tableOfEntityType(type) : undefined;
    const key = table?.primaryKey.length === 1 ? table.columns.find((c) => c.name === table.primaryKey[0])?.odataName : undefined;
    return key;
  };
  const extra: string[] = [];
  for (const item of items) {
    const key = keyOf(item);
    for (const name of Object.keys(item)) {
      if (name.includes('@') || name === key || extra.includes(name)) continue;
      extra.push(name);
    }
  }
  for (const name of extra) columns.push({ name, edmType: 'Edm.String', sqlType: TEXT });
  const rows = items.map((item) => {
    const type = typeof item['@odata.type'] === 'string' ? (item['@odata.type'] as string).replace(/^#/, '') : null;
    const key = keyOf(item);
    const row: Record<string, DecodedValue> = {
      entitytype: type ? type.slice(type.lastIndexOf('.') + 1) : null,
      id: key && typeof item[key] === 'string' ? (item[key] as string).toLowerCase() : null,
    };
    for (const name of extra) row[name] = asText(item[name]);
    return row;
  });
  return { columns, rows };
}
