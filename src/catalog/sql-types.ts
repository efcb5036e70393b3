/**
 * Edm → SQL type mapping, the one place that decides how a property looks to SQL users
 * (`sys_tablecolumns`, INFORMATION_SCHEMA, pgwire type OIDs).
 *
 * - `Edm.DateTimeOffset` → `datetime2`: both editions store and return UTC (`2023-04-07T21:59:01Z`),
 *   so the offset is always zero; `datetime2` is what the Dataverse TDS endpoint and SQL 4 CDS show,
 *   and what BI tools bind without surprises. Values are UTC.
 * - `Edm.Decimal Scale="Variable"` is Dataverse's money and decimal alike; a money column is told
 *   apart by its `<name>_base` sibling (see build-columns.ts) and becomes `money`, others `decimal(38,10)`
 *   (Dataverse decimals have at most 10 places).
 * - Strings without MaxLength (Dataverse emits none) are `nvarchar(max)`.
 */
import type { SqlType } from './types.js';

export interface TypeFacets {
  maxLength?: number | 'max';
  precision?: number;
  scale?: number | 'variable';
}

const FIXED: Record<string, SqlType> = {
  'Edm.Guid': { name: 'uniqueidentifier' },
  'Edm.Boolean': { name: 'bit' },
  'Edm.Byte': { name: 'tinyint' },
  'Edm.SByte': { name: 'smallint' },
  'Edm.Int16': { name: 'smallint' },
  'Edm.Int32': { name: 'int' },
  'Edm.Int64': { name: 'bigint' },
  'Edm.Single': { name: 'real' },
  'Edm.Double': { name: 'float' },
  'Edm.DateTimeOffset': { name: 'datetime2', precision: 7 },
  'Edm.Date': { name: 'date' },
  'Edm.TimeOfDay': { name: 'time', precision: 7 },
  'Edm.Stream': { name: 'varbinary' },
};

/** Abstract Edm types some operations declare (`Edm.EntityType` ...): their values travel as JSON. */
const ABSTRACT_TYPES = new Set(['Edm.Untyped', 'Edm.PrimitiveType', 'Edm.EntityType', 'Edm.ComplexType']);

/** Largest nvarchar(n) before SQL Server switches to nvarchar(max). */
const MAX_NVARCHAR = 4000;
const MAX_VARBINARY = 8000;

/** SQL type for a primitive Edm type, or undefined when `type` is not a known primitive. */
export function sqlTypeOfPrimitive(type: string, facets: TypeFacets = {}): SqlType | undefined {
  const fixed = FIXED[type];
  if (fixed) return { ...fixed };
  switch (type) {
    case 'Edm.String': {
      const length = facets.maxLength;
      return typeof length === 'number' && length > 0 && length <= MAX_NVARCHAR ? { name: 'nvarchar', length } : { name: 'nvarchar' };
    }
    case 'Edm.Binary': {
      const length = facets.maxLength;
      return typeof length === 'number' && length > 0 && length <= MAX_VARBINARY ? { name: 'varbinary', length } : { name: 'varbinary' };
    }
    case 'Edm.Decimal': {
      if (facets.scale === 'variable') return { name: 'decimal', precision: 38, scale: 10 };
      const precision = Math.min(facets.precision ?? 38, 38);
      return { name: 'decimal', precision, scale: Math.min(facets.scale ?? 0, precision) };
    }
    case 'Edm.Duration':
      return { name: 'nvarchar', length: 64 };
    default:
      // Spatial types and anything else primitive travel as their text or GeoJSON form.
      return type.startsWith('Edm.Geography') || type.startsWith('Edm.Geometry') || ABSTRACT_TYPES.has(type) ? { name: 'nvarchar' } : undefined;
  }
}

/** Type of JSON-valued columns: complex values, collections, expanded navigations. */
export const JSON_TEXT: SqlType = Object.freeze({ name: 'nvarchar' });

/** `{name:'nvarchar'}` → `nvarchar(max)`; `{name:'decimal',precision:18,scale:2}` → `decimal(18,2)`. */
export function formatSqlType(type: SqlType): string {
  switch (type.name) {
    case 'nvarchar':
    case 'varchar':
    case 'varbinary':
      return `${type.name}(${type.length ?? 'max'})`;
    case 'decimal':
      return `decimal(${type.precision ?? 38},${type.scale ?? 0})`;
    default:
      return type.name;
  }
}
