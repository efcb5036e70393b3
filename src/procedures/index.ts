export { BUILTIN_PROCEDURES, builtinName, withBuiltinProcedures, type BuiltinName } from './builtins.js';
export {
  findProcedures, lowerCall, lowerMatchedCall, matchArguments, procedureName, TARGET_PARAMETER,
  type CallArgument, type MatchedCall, type OperationRequest,
} from './lower-call.js';
export { decodeResult, type ProcedureColumn, type ProcedureResult } from './decode-result.js';
export { recordPath, type RecordPath } from './entity-reference.js';
export { parameterError } from './convert-value.js';
export { jsonText } from './json-text.js';
export { lowerRelationshipCall, type ReferenceRequest } from './relationship-call.js';
export { hasTableFunctions, replaceTableFunctions, type TableFunctionCall } from './table-functions.js';
