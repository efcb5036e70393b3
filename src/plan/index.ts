export type * from './logical.js';
export type * from './physical.js';
export {
  DATE_PARTS, datePart, functionDef, functionKind, functionTable, knownFunctionNames,
  type DatePart, type FunctionDef, type FunctionKind, type LocalArg, type LocalCall, type LocalForms,
} from './functions.js';
export { containsAggregate } from './aggregates.js';
export {
  FISCAL_FUNCTIONS, FISCAL_PERIODS, FiscalSettingsNeeded, checkFiscal, decodeFiscal, encodeFiscal, fiscalYearStart, type FiscalSettings,
} from './fiscal.js';
export { CURRENT_USER_ID, SERVICE_PREDICATES, type ServicePredicate } from './service-predicates.js';
export { explainPlan } from './explain.js';
export { outputName } from './output-name.js';
export { PlanCache, parameterKey, type PlanScope } from './plan-cache.js';
export { resultColumns, type TypedResultColumn } from './result-columns.js';
