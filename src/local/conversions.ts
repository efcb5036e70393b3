/**
 * T-SQL types in DuckDB: the DuckDB type each one is computed in, and conversions that follow
 * T-SQL's rules rather than DuckDB's where they differ (a decimal or float becomes an int by
 * truncation, DuckDB rounds; a bit becomes '1'/'0' as text, DuckDB writes 'true'; a GUID prints in
 * upper case).
 *
 * `duckType(MONEY)` → `DECIMAL(19,4)`; `convertSql('x', FLOAT, INT)` → `CAST(trunc(x) AS INTEGER)`.
 */
import {
  isApproximate, isBoolean, isDecimal, isInteger, isString, typeName, type SqlType,
} from '../types/index.js';

export function duckType(type: SqlType): string {
  switch (typeName(type)) {
    case 'bit': case 'boolean': return 'BOOLEAN';
    case 'tinyint': return 'UTINYINT';
    case 'smallint': return 'SMALLINT';
    case 'int': case 'null': return 'INTEGER';
    case 'bigint': return 'BIGINT';
    case 'decimal': return `DECIMAL(${type.precision ?? 18},${type.scale ?? 0})`;
    case 'money': return 'DECIMAL(19,4)';
    case 'smallmoney': return 'DECIMAL(10,4)';
    case 'float': return 'DOUBLE';
    case 'real': return 'FLOAT';
    case 'char': case 'varchar': case 'nchar': case 'nvarchar': case 'text': case 'ntext': return 'VARCHAR';
    case 'date': return 'DATE';
    case 'datetime': case 'datetime2': case 'smalldatetime': return 'TIMESTAMP';
    case 'datetimeoffset': return 'TIMESTAMPTZ';
    case 'time': return 'TIME';
    case 'interval': return 'INTERVAL';
    case 'uniqueidentifier': return 'UUID';
    case 'varbinary': case 'binary': return 'BLOB';
    default: return '';
  }
}

/**
 * `sql` (a value of type `from`) as a value of type `to`. No cast when both are computed in the same
 * DuckDB type; `try` gives NULL instead of an error for a value that does not convert (TRY_CAST).
 */
export function convertSql(sql: string, from: SqlType, to: SqlType, tryCast = false): string {
  const target = duckType(to);
  const source = duckType(from);
  if (target === '' || (source === target && typeName(from) !== 'unknown')) return sql;
  const cast = tryCast ? 'TRY_CAST' : 'CAST';
  if (isString(from) && ((isInteger(to) && typeName(to) !== 'bit') || typeName(to) === 'decimal')) return stringToNumber(sql, to, target, tryCast);
  if (isInteger(to) && typeName(to) !== 'bit' && (isApproximate(from) || isDecimal(from))) return `${cast}(trunc(${sql}) AS ${target})`;
  if (isString(to)) {
    let text: string;
    if (isBoolean(from) || typeName(from) === 'bit') text = `(CASE WHEN ${sql} THEN '1' WHEN NOT ${sql} THEN '0' END)`;
    else if (typeName(from) === 'uniqueidentifier') text = `upper(CAST(${sql} AS VARCHAR))`;
    else text = `${cast}(${sql} AS VARCHAR)`;
    // CAST(x AS varchar(3)) keeps the first 3 characters
    return to.length !== undefined && typeName(to) !== 'unknown' ? `left(${text}, ${to.length})` : text;
  }
  return `${cast}(${sql} AS ${target})`;
}

/**
 * T-SQL reads a string as an integer only when it is digits with an optional sign and blanks around
 * them, and blanks alone as 0; as a decimal, digits with at most one point. DuckDB also reads '1.5'
 * (as 2), '1e3', '0x1A' and '1_000', which T-SQL refuses (TRY_CAST gives NULL for them).
 *   TRY_CAST('1.5' AS int) → NULL, CAST(' 12 ' AS int) → 12, CAST('' AS int) → 0, CAST('1.5' AS int) → error
 */
function stringToNumber(sql: string, to: SqlType, target: string, tryCast: boolean): string {
  const integer = isInteger(to);
  const shape = integer ? ' *[+-]?[0-9]+ *' : ' *[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+) *';
  const name = integer ? typeName(to) : 'decimal';
  // local/engine-error.ts reads this message back
  const failed = tryCast ? 'NULL' : `error(concat('Conversion failed: ''', ${sql}, ''' is not a valid ${name}'))`;
  // a literal is decided here: `numberofemployees > '5000'` compares with CAST('5000' AS INTEGER)
  const literal = /^'((?:[^']|'')*)'$/.exec(sql);
  if (literal) {
    const text = literal[1]!.replace(/''/g, "'");
    if (new RegExp(`^${shape}$`).test(text)) return `${tryCast ? 'TRY_CAST' : 'CAST'}(${quoteLiteral(text.trim())} AS ${target})`;
    if (integer && text.trim() === '') return `CAST(0 AS ${target})`;
    return failed;
  }
  const blanks = integer ? ` WHEN trim(${sql}) = '' THEN CAST(0 AS ${target})` : '';
  return `(CASE WHEN ${sql} IS NULL THEN NULL WHEN regexp_full_match(${sql}, '${shape}') THEN ${tryCast ? 'TRY_CAST' : 'CAST'}(trim(${sql}) AS ${target})${blanks} ELSE ${failed} END)`;
}

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;
