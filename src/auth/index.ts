export type { AppTokenFunction, AppTokenRequest, AuthSchemeName, AuthSettings, AzureEnvironmentName } from './auth-settings.js';
export { AUTHORITY_HOSTS, authorityFor, resourceFor, scopesFor } from './authority.js';
export { createTokenProvider, type AuthEdges, type ClosableTokenProvider } from './create-token-provider.js';
export { completeCodeExchange, getAuthorizationUrl, type AuthorizationUrl, type ExchangedTokens } from './oauth-exchange.js';
export { RefreshingTokenProvider, REFRESH_MARGIN_MS, type AcquireToken, type AcquiredToken } from './refreshing-token-provider.js';
export { fileCachePlugin } from './token-cache-file.js';
export { loadCertificateCredential } from './certificate-credential.js';
