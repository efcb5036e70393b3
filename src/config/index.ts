export type {
  AuthScheme,
  AzureEnvironment,
  ConnectionOptions,
  CustomTokenFunction,
  Edition,
  Platform,
  TokenRequest,
  TokenResult,
} from './connection-options.js';
export { parseConnectionString } from './connection-string.js';
export { isLoopbackHost, parseOrganizationUrl, serviceRootOf } from './organization-url.js';
export { resolveOptions, type ConnectionInput, type ResolveContext } from './resolve-options.js';
export { findSetting, SETTINGS, settingNames } from './settings.js';
