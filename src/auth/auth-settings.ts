import type { LogLevel } from '../http/index.js';

/**
 * What the auth module reads. The names are ConnectionOptions' own, so the connection passes its
 * options straight in: `createTokenProvider(options)`.
 */
export type AuthSchemeName = 'ClientSecret' | 'ClientCertificate' | 'AuthCode' | 'DeviceCode' | 'RefreshToken' | 'AccessToken' | 'ADFS' | 'None' | 'Custom';
export type AzureEnvironmentName = 'Global' | 'China' | 'USGovernment' | 'USGovernmentHigh' | 'USGovernmentDoD';

export interface AppTokenRequest {
  scopes: readonly string[];
  forceRefresh: boolean;
  signal?: AbortSignal;
}
export type AppTokenFunction = (request: AppTokenRequest) => Promise<string | { token: string; expiresOnMs?: number }>;

export interface AuthSettings {
  organizationUrl: string;
  platform: 'dataverse' | 'finops';
  authScheme: AuthSchemeName;
  azureTenant?: string;
  azureEnvironment?: AzureEnvironmentName;
  authorityHost?: string;
  clientId?: string;
  clientSecret?: string;
  certificate?: string;
  certificatePassword?: string;
  certificateThumbprint?: string;
  redirectUri?: string;
  callbackPort?: number;
  accessToken?: string;
  refreshToken?: string;
  adfsServer?: string;
  tokenCacheFile?: string;
  tokenProvider?: AppTokenFunction;
  // transport for the identity provider: the same proxy and CA as the service
  caFile?: string;
  proxy?: string;
  useEnvProxy?: boolean;
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
  requestTimeoutMs?: number;
  // logging
  verbosity?: LogLevel;
  logFile?: string;
  logSink?: (line: string) => void;
  secrets?: readonly string[];
}
