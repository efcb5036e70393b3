export { planQuery, type PlanOptions } from './plan-query.js';
export { forEachNode } from './rules/map-tree.js';
export { translateConjunct, type Translation } from './filter.js';
export { resolveParams, constantValue, type ParamValues } from './values.js';
export { type RemoteLanguage } from './remote-language.js';
export { MetadataReader, type ServiceMetadata, type MetadataNeed, type ChoiceOption, type AttributeKind } from './service-metadata.js';
