export type * from './types.js';
export { DATAVERSE, FINOPS } from './editions.js';
export { capabilitiesFor, editionCapabilities, serviceRootPath, tableCapabilities } from './resolve-capabilities.js';
