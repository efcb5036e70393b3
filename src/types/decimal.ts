/**
 * Precision and scale of exact numeric results (SQL Server "Precision, scale, and length"): an operand
 * that is not a decimal enters with the fixed precision of its type (int is (10,0), money (19,4)); the
 * raw result follows the table for its operator, and a precision past 38 is cut back to 38 while
 * keeping at least 6 decimals for * and / (or as many integral digits as + and - need).
 *
 * `decimalResult('/', decimal(10,2), decimal(10,3))` → decimal(24,13);
 * `decimalResult('*', decimal(30,10), decimal(30,10))` → decimal(38,6).
 */
import { DynasqlError } from '../errors/index.js';
import { decimal, formatType, isDecimal, typeName, type SqlType } from './sql-type.js';

export const MAX_PRECISION = 38;

const FIXED: Record<string, [number, number]> = {
  bit: [1, 0], tinyint: [3, 0], smallint: [5, 0], int: [10, 0], bigint: [19, 0], money: [19, 4], smallmoney: [10, 4],
};

/** the (precision, scale) a type enters decimal arithmetic with; an integer literal keeps its digit count */
export function asDecimal(type: SqlType): { precision: number; scale: number } {
  if (isDecimal(type)) return { precision: type.precision ?? 18, scale: type.scale ?? 0 };
  const name = typeName(type);
  if (name === 'int' && type.precision !== undefined) return { precision: type.precision, scale: 0 };
  const fixed = FIXED[name];
  if (!fixed) throw new DynasqlError('DYNASQL_ERR_TYPE', `${formatType(type)} cannot be used as a decimal`);
  return { precision: fixed[0], scale: fixed[1] };
}

export type DecimalOp = '+' | '-' | '*' | '/' | '%' | 'union';

export function decimalResult(op: DecimalOp, left: SqlType, right: SqlType): SqlType {
  const { precision: p1, scale: s1 } = asDecimal(left);
  const { precision: p2, scale: s2 } = asDecimal(right);
  let p: number;
  let s: number;
  switch (op) {
    case '+': case '-':
      s = Math.max(s1, s2);
      p = s + Math.max(p1 - s1, p2 - s2) + 1;
      break;
    case '*':
      p = p1 + p2 + 1;
      s = s1 + s2;
      break;
    case '/':
      s = Math.max(6, s1 + p2 + 1);
      p = p1 - s1 + s2 + s;
      break;
    case '%':
      s = Math.max(s1, s2);
      p = Math.min(p1 - s1, p2 - s2) + s;
      break;
    case 'union':
      s = Math.max(s1, s2);
      p = s + Math.max(p1 - s1, p2 - s2);
      break;
  }
  if (p <= MAX_PRECISION) return decimal(p, s);
  // past 38 digits: keep the integral digits, give up decimals (but for * and / at least 6 of them)
  const integral = op === '+' || op === '-' || op === 'union' || op === '%' ? Math.max(p1 - s1, p2 - s2) : p - s;
  const scale = op === '*' || op === '/' ? Math.min(s, Math.max(MAX_PRECISION - integral, 6)) : Math.max(0, Math.min(s, MAX_PRECISION - integral));
  return decimal(MAX_PRECISION, scale);
}

/** the decimal type of a literal as written: `1.50` → decimal(3,2), `12` → decimal(2,0), `.5` → decimal(1,1) */
export function literalDecimal(text: string): SqlType {
  const digits = text.replace(/^[+-]/, '');
  const [whole = '', fraction = ''] = digits.split('.');
  const integral = whole.replace(/^0+/, '').length;
  const scale = fraction.length;
  return decimal(Math.max(integral + scale, 1), scale);
}
