/**
 * SQL values → the JSON an action body or a function's parameter alias carries, checked against the
 * parameter's declared type before anything is sent. Every error names the parameter
 * (DYNASQL_ERR_PARAMETER):
 *
 * - primitives through `odataLiteral` (the one validating escaper): `'3'` for Edm.Int32 → `3`;
 * - enums from a member name, a comma list of flags or the number: `'Entity,Attributes'`, `3`;
 * - entity references from a GUID with the declared table (`{"@odata.type":"Microsoft.Dynamics.CRM.lead","leadid":"…"}`)
 *   or `'contacts(<id>)'` (`{"@odata.id":"contacts(<id>)"}`);
 * - complex types and entities from JSON text or an object; collections from JSON arrays or arrays.
 */
import type { CatalogIndex } from '../catalog/index.js';
import type { ComplexTypeDef, EnumTypeDef, ProcedureParameter } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { JsonNumberText, odataLiteral, parseJsonLossless, type JsonValue, type LiteralValue } from '../odata/index.js';
import { jsonText } from './json-text.js';
import { entityReference } from './entity-reference.js';

export type ParameterType = Pick<ProcedureParameter, 'name' | 'edmType' | 'isCollection'>;

export function parameterError(name: string, message: string, cause?: unknown): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_PARAMETER', `Parameter '@${name}': ${message}`, cause === undefined ? {} : { cause });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function typeName(edmType: string, isCollection: boolean): string {
  return isCollection ? `Collection(${edmType})` : edmType;
}

/** an object or array given as JSON text, or as a JS value (named parameters from the API) */
function structured(name: string, value: unknown, expected: 'object' | 'array', edmType: string): JsonValue {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = parseJsonLossless(value);
    } catch (error) {
      throw parameterError(name, `expected ${edmType} as JSON, got ${describe(value)}`, error);
    }
  }
  const isArray = Array.isArray(parsed);
  if (parsed === null || typeof parsed !== 'object' || parsed instanceof JsonNumberText || parsed instanceof Date || isArray !== (expected === 'array')) {
    throw parameterError(name, `expected ${expected === 'array' ? 'a JSON array' : 'a JSON object'} for ${edmType}, got ${describe(value)}`);
  }
  return fromJs(parsed);
}

/** plain JS data (from the API) → JsonValue; numbers that are not safe integers keep their text */
function fromJs(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof JsonNumberText) return value;
  if (typeof value === 'bigint') return new JsonNumberText(value.toString());
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(fromJs);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJs(v)]));
  return value as JsonValue;
}

function literalInput(value: unknown): LiteralValue {
  if (value instanceof JsonNumberText) return value.text;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value instanceof Date) return value;
  return String(value);
}

export class ValueConverter {
  constructor(private readonly index: CatalogIndex) {}

  /** the JSON value for an action body (or a function alias holding JSON) */
  toJson(type: ParameterType, value: unknown, style: 'body' | 'alias' = 'body'): JsonValue {
    if (value === null || value === undefined) return null;
    if (type.isCollection) {
      const items = Array.isArray(value) ? value : structured(type.name, value, 'array', typeName(type.edmType, true));
      return (items as unknown[]).map((item) => this.toJson({ ...type, isCollection: false }, item, style));
    }
    const { name, edmType } = type;
    if (edmType.startsWith('Edm.')) return this.primitive(name, edmType, value);
    const enumType = this.enumType(edmType);
    if (enumType) return enumMembers(name, enumType, value);
    const table = this.index.tableOfEntityType(edmType);
    const complex = this.complexType(edmType);
    if (table || complex?.isEntityType || isEntityBase(edmType)) {
      if (typeof value === 'string' && !value.trimStart().startsWith('{')) return entityReference(this.index, name, edmType, table, value, style);
      return structured(name, value, 'object', edmType);
    }
    if (complex) return this.complex(name, complex, structured(name, value, 'object', edmType) as Record<string, JsonValue>);
    // a type the catalog does not describe: pass JSON through as given
    return typeof value === 'string' ? value : fromJs(value);
  }

  /** text for a function parameter alias (`@p1=…`): a literal for primitives and enums, JSON otherwise */
  toAliasText(type: ParameterType, value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (!type.isCollection && type.edmType.startsWith('Edm.')) {
      try {
        return odataLiteral(literalInput(value), { edmType: type.edmType });
      } catch (error) {
        throw parameterError(type.name, `${describe(value)} is not a valid ${type.edmType}`, error);
      }
    }
    const enumType = !type.isCollection ? this.enumType(type.edmType) : undefined;
    if (enumType) {
      // member names come from the metadata, never from the caller's text
      return `${enumType.qualifiedName}'${enumMembers(type.name, enumType, value)}'`;
    }
    return jsonText(this.toJson(type, value, 'alias'));
  }

  private primitive(name: string, edmType: string, value: unknown): JsonValue {
    if (edmType === 'Edm.String') {
      if (typeof value === 'object' && !(value instanceof Date) && !(value instanceof JsonNumberText)) throw parameterError(name, `expected text, got ${describe(value)}`);
      return value instanceof Date ? value.toISOString() : value instanceof JsonNumberText ? value.text : String(value);
    }
    if (edmType === 'Edm.Binary') {
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      if (typeof value === 'string') return value;
      throw parameterError(name, `expected bytes (or base64 text), got ${describe(value)}`);
    }
    let literal: string;
    try {
      literal = odataLiteral(literalInput(value), { edmType });
    } catch (error) {
      if (DynasqlError.is(error, 'DYNASQL_ERR_TYPE') && /cannot be sent/.test((error as Error).message)) return typeof value === 'string' ? value : fromJs(value);
      throw parameterError(name, `${describe(value)} is not a valid ${edmType}`, error);
    }
    switch (edmType) {
      case 'Edm.Boolean': return literal === 'true';
      case 'Edm.Int16': case 'Edm.Int32': case 'Edm.Int64': case 'Edm.Byte': case 'Edm.SByte':
      case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Single':
        return new JsonNumberText(literal);
      default:
        return literal;
    }
  }

  private complex(name: string, type: ComplexTypeDef, value: Record<string, JsonValue>): JsonValue {
    const properties = this.propertiesOf(type);
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('@') || key.includes('@')) {
        out[key] = item;
        continue;
      }
      const property = properties.find((p) => p.name.toLowerCase() === key.toLowerCase());
      if (!property) throw parameterError(name, `${type.name} has no property '${key}' (it has ${properties.map((p) => p.name).join(', ')})`);
      out[property.name] = this.toJson({ name: `${name}.${property.name}`, edmType: property.edmType, isCollection: property.isCollection }, item);
    }
    return out;
  }

  private propertiesOf(type: ComplexTypeDef): ComplexTypeDef['properties'] {
    const base = type.baseType ? this.complexType(type.baseType) : undefined;
    return [...(base ? this.propertiesOf(base) : []), ...type.properties];
  }

  complexType(qualifiedName: string): ComplexTypeDef | undefined {
    return this.index.catalog.complexTypes.find((c) => c.qualifiedName === qualifiedName || c.name === qualifiedName);
  }

  enumType(qualifiedName: string): EnumTypeDef | undefined {
    return this.index.catalog.enumTypes.find((e) => e.qualifiedName === qualifiedName);
  }
}

/** `crmbaseentity` and other abstract entity bases no entity set exposes */
function isEntityBase(edmType: string): boolean {
  return /\.(crmbaseentity|activitypointer)$/i.test(edmType);
}

/** `'Entity, Attributes'` or `3` → `'Entity,Attributes'` (flags), `'Yes'` / `1` → `'Yes'` */
function enumMembers(name: string, type: EnumTypeDef, value: unknown): string {
  const byName = (text: string) => type.members.find((m) => m.name.toLowerCase() === text.trim().toLowerCase());
  if (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const n = Number(value);
    const exact = type.members.find((m) => m.value === n);
    if (exact) return exact.name;
    if (type.isFlags) {
      const parts = type.members.filter((m) => m.value !== 0 && (n & m.value) === m.value);
      const covered = parts.reduce((acc, m) => acc | m.value, 0);
      if (covered === n && parts.length > 0) return parts.map((m) => m.name).join(',');
    }
    throw parameterError(name, `${n} is not a value of ${type.name} (${type.members.map((m) => `${m.name}=${m.value}`).join(', ')})`);
  }
  if (typeof value === 'string') {
    const parts = type.isFlags ? value.split(',') : [value];
    const members = parts.map((part) => {
      const member = byName(part);
      if (!member) throw parameterError(name, `'${part.trim()}' is not a member of ${type.name} (${type.members.map((m) => m.name).join(', ')})`);
      return member.name;
    });
    return members.join(',');
  }
  throw parameterError(name, `expected a member of ${type.name}, got ${describe(value)}`);
}
