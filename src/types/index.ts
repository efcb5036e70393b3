export * from './sql-type.js';
export { higher, precedence } from './precedence.js';
export { asDecimal, decimalResult, literalDecimal, MAX_PRECISION, type DecimalOp } from './decimal.js';
export { arithmeticType, comparisonType, concatenationType, negationType, pipesConcatenationType, type ArithmeticOp } from './operators.js';
export { commonType, isnullType } from './combine.js';
export { aggregateType, averageSumType, countType, type SumLike } from './aggregates.js';
export { literalType, numberLiteralType, type LiteralKind } from './literals.js';
export { namedType, valueType } from './named-types.js';
