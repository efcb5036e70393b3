/**
 * The type of a literal as written. T-SQL: a whole number up to 2,147,483,647 is an int (carrying its
 * digit count, see sql-type.ts), a larger one a decimal(n,0), never a bigint; `1.50` is decimal(3,2);
 * `1e3` a float; `'abc'` varchar(3), `N'abc'` nvarchar(3). PostgreSQL: whole numbers are int, then bigint, then numeric;
 * `1e3` is numeric.
 */
import { DynasqlError } from '../errors/index.js';
import { literalDecimal, MAX_PRECISION } from './decimal.js';
import { BIGINT, BOOLEAN, DATE, DATETIME2, FLOAT, INTERVAL, NULL, decimal, nvarchar, varchar, type SqlType, type TypeDialect } from './sql-type.js';

const INT_MAX = 2_147_483_647n;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

export function numberLiteralType(text: string, dialect: TypeDialect): SqlType {
  const unsigned = text.replace(/^[+-]/, '');
  if (/[eE]/.test(unsigned)) return dialect === 'postgresql' ? decimal(MAX_PRECISION, 16) : FLOAT;
  if (unsigned.includes('.')) {
    const type = literalDecimal(unsigned);
    if ((type.precision ?? 0) > MAX_PRECISION) throw new DynasqlError('DYNASQL_ERR_TYPE', `The number ${text} has more than 38 digits`);
    return type;
  }
  const digits = unsigned.replace(/^0+(?=\d)/, '');
  const value = BigInt(digits);
  if (value <= INT_MAX) return { name: 'int', precision: digits.length };
  if (dialect === 'postgresql' && value <= BIGINT_MAX) return BIGINT;
  if (digits.length > MAX_PRECISION) throw new DynasqlError('DYNASQL_ERR_TYPE', `The number ${text} has more than 38 digits`);
  return decimal(digits.length, 0);
}

export type LiteralKind = 'string' | 'number' | 'boolean' | 'null' | 'date' | 'timestamp' | 'interval';

/** `national`: T-SQL's `N'abc'`, an nvarchar(3) */
export function literalType(kind: LiteralKind, value: string | boolean | null, dialect: TypeDialect, national = false): SqlType {
  switch (kind) {
    case 'null': return NULL;
    case 'boolean': return BOOLEAN;
    case 'date': return DATE;
    case 'timestamp': return DATETIME2;
    case 'interval': return INTERVAL;
    case 'string': return (national ? nvarchar : varchar)(Math.max(String(value).length, 1));
    case 'number': return numberLiteralType(String(value), dialect);
  }
}
