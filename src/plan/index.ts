export type * from './logical.js';
export type * from './physical.js';
export { functionKind, knownFunctionNames, type FunctionKind } from './functions.js';
export { explainPlan } from './explain.js';
export { outputName } from './output-name.js';
export { PlanCache, parameterKey, type PlanScope } from './plan-cache.js';
