/**
 * Type names written in a statement (`CAST(x AS nvarchar(20))`, PostgreSQL `x::int4`) and the types
 * of parameter values, as SqlTypes.
 *
 * `namedType('NUMERIC', undefined, 10, 2)` → decimal(10,2); `valueType(12.5)` → float.
 */
import { DynasqlError } from '../errors/index.js';
import {
  BIGINT, BIT, BOOLEAN, DATE, DATETIME, DATETIME2, DATETIMEOFFSET, FLOAT, INT, MONEY, NULL, REAL, SMALLINT, TIME, TINYINT,
  UNIQUEIDENTIFIER, decimal, type SqlType,
} from './sql-type.js';

const SIMPLE: Record<string, SqlType> = {
  INT: INT, INTEGER: INT, INT4: INT, BIGINT: BIGINT, INT8: BIGINT, SMALLINT: SMALLINT, INT2: SMALLINT, TINYINT: TINYINT,
  BIT: BIT, BOOLEAN: BOOLEAN, BOOL: BOOLEAN, MONEY: MONEY, SMALLMONEY: { name: 'smallmoney', precision: 10, scale: 4 },
  FLOAT: FLOAT, FLOAT8: FLOAT, DOUBLE: FLOAT, 'DOUBLE PRECISION': FLOAT, REAL: REAL, FLOAT4: REAL,
  DATE: DATE, DATETIME: DATETIME, SMALLDATETIME: { name: 'smalldatetime' }, DATETIME2: DATETIME2, TIMESTAMP: DATETIME2,
  DATETIMEOFFSET: DATETIMEOFFSET, TIMESTAMPTZ: DATETIMEOFFSET, TIME: TIME,
  UNIQUEIDENTIFIER: UNIQUEIDENTIFIER, UUID: UNIQUEIDENTIFIER,
};

const STRING_NAMES: Record<string, string> = {
  NVARCHAR: 'nvarchar', VARCHAR: 'varchar', NCHAR: 'nchar', CHAR: 'char', CHARACTER: 'char', TEXT: 'nvarchar', NTEXT: 'nvarchar',
  STRING: 'nvarchar', BPCHAR: 'char', 'CHARACTER VARYING': 'varchar',
};

export function namedType(name: string, length?: number, precision?: number, scale?: number): SqlType {
  const upper = name.toUpperCase();
  const simple = SIMPLE[upper];
  if (simple) return simple;
  const string = STRING_NAMES[upper];
  if (string) {
    // CAST(x AS varchar) without a length is varchar(30) in T-SQL; char without one is char(1)
    const fixed = string === 'char' || string === 'nchar';
    const size = length ?? (upper === 'TEXT' || upper === 'NTEXT' || upper === 'STRING' ? undefined : fixed ? 1 : 30);
    return size === undefined || size < 0 ? { name: string } : { name: string, length: size };
  }
  if (upper === 'DECIMAL' || upper === 'NUMERIC') {
    const p = precision ?? 18;
    if (p < 1 || p > 38 || (scale ?? 0) > p) throw new DynasqlError('DYNASQL_ERR_TYPE', `decimal(${p},${scale ?? 0}) is not a valid type: precision 1 to 38, scale up to the precision`);
    return decimal(p, scale ?? 0);
  }
  throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unknown type ${name}${length !== undefined ? `(${length})` : ''}`);
}

/** the type a parameter value is sent as: strings nvarchar, whole numbers int (bigint past int), others float */
export function valueType(value: unknown): SqlType {
  if (value === null || value === undefined) return NULL;
  if (typeof value === 'string') return { name: 'nvarchar', length: Math.max(value.length, 1) };
  if (typeof value === 'boolean') return BIT;
  if (typeof value === 'bigint') return BIGINT;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return FLOAT;
    return Math.abs(value) <= 2_147_483_647 ? INT : Number.isSafeInteger(value) ? BIGINT : FLOAT;
  }
  if (value instanceof Date) return DATETIME2;
  if (value instanceof Uint8Array) return { name: 'varbinary', length: Math.max(value.length, 1) };
  return NULL;
}
