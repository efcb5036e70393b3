/** T-SQL's typing rules (src/types), one block per documented rule, with PostgreSQL where it differs. */
import { describe, expect, it } from 'vitest';
import {
  BIGINT, DATETIME, FLOAT, INT, MONEY, NULL, REAL, SMALLINT, TINYINT, aggregateType, arithmeticType, commonType, comparisonType,
  countType, decimal, decimalResult, higher, isnullType, literalType, namedType, nvarchar, numberLiteralType, resultType, valueType, varchar,
} from '../../src/types/index.js';

describe('type precedence', () => {
  it('the higher type wins; an untyped NULL never does', () => {
    expect(higher(INT, MONEY)).toBe(MONEY);
    expect(higher(decimal(10, 2), MONEY).name).toBe('decimal');
    expect(higher(FLOAT, decimal(38, 10))).toBe(FLOAT);
    expect(higher(varchar(3), INT)).toBe(INT);
    expect(higher(DATETIME, FLOAT)).toBe(DATETIME);
    expect(higher(NULL, varchar(3)).name).toBe('varchar');
  });
});

describe('integer arithmetic', () => {
  it('int / int is an int (T-SQL and PostgreSQL)', () => {
    expect(arithmeticType('/', INT, INT, 'tsql')).toEqual(INT);
    expect(arithmeticType('/', INT, INT, 'postgresql')).toEqual(INT);
  });
  it('the wider integer wins; tinyint + tinyint stays tinyint; bit counts as int', () => {
    expect(arithmeticType('+', BIGINT, INT, 'tsql')).toEqual(BIGINT);
    expect(arithmeticType('+', TINYINT, TINYINT, 'tsql')).toEqual(TINYINT);
    expect(arithmeticType('*', SMALLINT, INT, 'tsql')).toEqual(INT);
    expect(arithmeticType('+', { name: 'bit' }, { name: 'bit' }, 'tsql')).toEqual(INT);
  });
  it('a string meeting a number converts to the number', () => {
    expect(arithmeticType('+', varchar(1), INT, 'tsql')).toEqual(INT);
  });
  it('float contaminates; % of a float is refused', () => {
    expect(arithmeticType('*', decimal(10, 2), FLOAT, 'tsql')).toBe(FLOAT);
    expect(arithmeticType('+', REAL, REAL, 'tsql')).toBe(REAL);
    expect(() => arithmeticType('%', FLOAT, INT, 'tsql')).toThrow(/modulo/);
  });
});

describe('decimal precision and scale', () => {
  it('+ - * / % follow the documented formulas', () => {
    expect(decimalResult('+', decimal(10, 2), decimal(10, 3))).toEqual(decimal(12, 3));
    expect(decimalResult('*', decimal(10, 2), decimal(10, 3))).toEqual(decimal(21, 5));
    expect(decimalResult('/', decimal(10, 2), decimal(10, 3))).toEqual(decimal(24, 13));
    expect(decimalResult('%', decimal(10, 2), decimal(5, 3))).toEqual(decimal(5, 3));
    expect(decimalResult('/', INT, decimal(5, 2))).toEqual(decimal(18, 6));
  });
  it('past 38 digits: (30,20)*(30,20) is (38,17), (30,10)*(30,10) is (38,6)', () => {
    expect(decimalResult('*', decimal(30, 20), decimal(30, 20))).toEqual(decimal(38, 17));
    expect(decimalResult('*', decimal(30, 10), decimal(30, 10))).toEqual(decimal(38, 6));
    expect(decimalResult('+', decimal(38, 10), decimal(38, 10))).toEqual(decimal(38, 10));
    expect(decimalResult('/', decimal(38, 10), decimal(38, 10))).toEqual(decimal(38, 6));
  });
  it('an integer literal enters with its digit count: 1.0 / 3 is decimal(7,6)', () => {
    const three = numberLiteralType('3', 'tsql');
    expect(arithmeticType('/', numberLiteralType('1.0', 'tsql'), three, 'tsql')).toEqual(decimal(7, 6));
  });
  it('a column of money divided by an int is money; money with a decimal is a decimal', () => {
    expect(arithmeticType('/', MONEY, INT, 'tsql')).toBe(MONEY);
    expect(arithmeticType('/', MONEY, MONEY, 'tsql')).toBe(MONEY);
    expect(arithmeticType('*', MONEY, decimal(5, 2), 'tsql').name).toBe('decimal');
  });
  it('PostgreSQL numeric division: a scale per value, kept at 20 decimals where the integral digits allow', () => {
    expect(arithmeticType('/', decimal(10, 2), INT, 'postgresql')).toEqual({ name: 'numeric', precision: 38, scale: 20 });
    // a quotient's integral digits: 36 of decimal(38,2), 2 more from the divisor's scale: 16 decimals do not fit either; 16 kept
    expect(arithmeticType('/', decimal(38, 2), decimal(10, 2), 'postgresql')).toEqual({ name: 'numeric', precision: 38, scale: 16 });
    // what + - * make of a quotient stays value-scaled (a later division reads its scale from its digits)
    expect(arithmeticType('*', arithmeticType('/', INT, decimal(3, 1), 'postgresql'), INT, 'postgresql').name).toBe('numeric');
    expect(arithmeticType('/', MONEY, INT, 'postgresql').name).toBe('numeric');
    expect(arithmeticType('/', MONEY, INT, 'tsql')).toBe(MONEY);
    expect(arithmeticType('+', decimal(10, 2), decimal(10, 4), 'postgresql')).toEqual(decimal(38, 4));
  });
});

describe('strings and dates', () => {
  it('string + string concatenates: nvarchar if either is, lengths add up to the cap', () => {
    expect(arithmeticType('+', varchar(3), nvarchar(10), 'tsql')).toEqual({ name: 'nvarchar', length: 13 });
    expect(arithmeticType('+', nvarchar(3000), nvarchar(3000), 'tsql')).toEqual({ name: 'nvarchar', length: 4000 });
    expect(arithmeticType('+', varchar(3), { name: 'nvarchar' }, 'tsql')).toEqual({ name: 'nvarchar' });
    expect(() => arithmeticType('-', varchar(3), varchar(3), 'tsql')).toThrow(/subtract/);
  });
  it('datetime + a number is a datetime; datetime2 takes no arithmetic', () => {
    expect(arithmeticType('+', DATETIME, INT, 'tsql')).toBe(DATETIME);
    expect(() => arithmeticType('+', { name: 'datetime2' }, INT, 'tsql')).toThrow(/cannot combine/);
  });
  it('comparisons convert the lower type; unrelated types are refused', () => {
    expect(comparisonType({ name: 'datetime2' }, varchar(10)).name).toBe('datetime2');
    expect(comparisonType(INT, varchar(1))).toBe(INT);
    expect(() => comparisonType({ name: 'date' }, INT)).toThrow(/compared/);
  });
});

describe('aggregates', () => {
  it('T-SQL: SUM/AVG of int are int, of bigint bigint, of money money, of decimal (38,s) / (38,max(s,6))', () => {
    expect(aggregateType('SUM', TINYINT, 'tsql')).toEqual(INT);
    expect(aggregateType('AVG', INT, 'tsql')).toEqual(INT);
    expect(aggregateType('AVG', BIGINT, 'tsql')).toEqual(BIGINT);
    expect(aggregateType('SUM', MONEY, 'tsql')).toBe(MONEY);
    expect(aggregateType('SUM', decimal(10, 2), 'tsql')).toEqual(decimal(38, 2));
    expect(aggregateType('AVG', decimal(10, 2), 'tsql')).toEqual(decimal(38, 6));
    expect(aggregateType('AVG', FLOAT, 'tsql')).toBe(FLOAT);
    expect(() => aggregateType('SUM', varchar(3), 'tsql')).toThrow(/number/);
  });
  it('PostgreSQL: AVG of an int is numeric, SUM of an int a bigint; COUNT is a bigint', () => {
    // a scale per value (PostgreSQL's numeric division), kept at 20 decimals where the integral digits allow
    expect(aggregateType('AVG', INT, 'postgresql')).toEqual({ name: 'numeric', precision: 38, scale: 20 });
    expect(aggregateType('AVG', BIGINT, 'postgresql')).toEqual({ name: 'numeric', precision: 38, scale: 16 });
    expect(aggregateType('AVG', decimal(10, 2), 'postgresql')).toEqual({ name: 'numeric', precision: 38, scale: 20 });
    expect(aggregateType('SUM', INT, 'postgresql')).toBe(BIGINT);
    expect(countType('COUNT', 'postgresql')).toBe(BIGINT);
    expect(countType('COUNT', 'tsql')).toBe(INT);
  });
});

describe('CASE / COALESCE / ISNULL', () => {
  it('the highest precedence wins, decimals widen, strings take the longest', () => {
    expect(commonType([INT, decimal(5, 2)], 'tsql')).toEqual(decimal(12, 2));
    expect(commonType([varchar(3), nvarchar(10)], 'tsql')).toEqual(nvarchar(10));
    expect(commonType([NULL, MONEY], 'tsql')).toBe(MONEY);
    expect(commonType([NULL], 'tsql')).toEqual(INT);
    expect(() => commonType([INT, { name: 'date' }], 'tsql')).toThrow(/combined/);
  });
  it('decimals meet by T-SQL\'s union rule, and as numeric keeping the larger scale in the PostgreSQL dialect (KNOWN #42)', () => {
    expect(commonType([MONEY, decimal(12, 1)], 'tsql')).toEqual(decimal(19, 4));
    expect(commonType([MONEY, decimal(38, 1)], 'tsql')).toEqual(decimal(38, 1));
    expect(commonType([MONEY, decimal(38, 1)], 'postgresql')).toEqual(decimal(38, 4));
    expect(commonType([INT, decimal(38, 2)], 'postgresql')).toEqual(decimal(38, 2));
  });
  it('an integer literal\'s digit count stays with the literal (KNOWN #44)', () => {
    const literal = { name: 'int', precision: 4 };
    expect(isnullType(literal, BIGINT)).toEqual(INT);
    expect(commonType([literal, NULL], 'tsql')).toEqual(INT);
  });
  it('ISNULL has its first argument type', () => {
    expect(isnullType(varchar(3), varchar(10))).toEqual(varchar(3));
    expect(isnullType(NULL, MONEY)).toBe(MONEY);
  });
});

describe('literals, names and values', () => {
  it('T-SQL: an int up to 2^31-1, then decimal; PostgreSQL: then bigint', () => {
    expect(literalType('number', '2147483647', 'tsql')).toEqual({ name: 'int', precision: 10 });
    expect(literalType('number', '2147483649', 'tsql')).toEqual(decimal(10, 0));
    expect(literalType('number', '2147483649', 'postgresql')).toBe(BIGINT);
    expect(literalType('number', '1.50', 'tsql')).toEqual(decimal(3, 2));
    expect(literalType('number', '1e3', 'tsql')).toBe(FLOAT);
    expect(literalType('string', 'abc', 'tsql')).toEqual(varchar(3));
  });
  it('named types and parameter values', () => {
    expect(namedType('NUMERIC', undefined, 10, 2)).toEqual(decimal(10, 2));
    expect(namedType('varchar')).toEqual(varchar(30));
    expect(valueType(12.5)).toBe(FLOAT);
    expect(valueType(12)).toBe(INT);
    expect(valueType('ab')).toEqual(nvarchar(2));
  });
  it('result types as clients see them', () => {
    expect(resultType({ name: 'int', precision: 3 })).toEqual(INT);
    expect(resultType({ name: 'boolean' })).toEqual({ name: 'bit' });
    expect(resultType(MONEY)).toEqual({ name: 'money', precision: 19, scale: 4 });
  });
});
