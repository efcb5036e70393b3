/**
 * The one frozen object every other module reads the connection's settings from.
 * Produced by `resolveOptions()` from a connection string or an options object.
 */

export type Edition =
  | 'Dataverse'
  | 'Sales'
  | 'CustomerService'
  | 'FieldService'
  | 'Marketing'
  | 'ProjectOperations'
  | 'FinOpsOnline'
  | 'FinOpsOnPremise';

/** The protocol family behind an edition: the Dataverse Web API or F&O's `/data/` OData. */
export type Platform = 'dataverse' | 'finops';

export type AuthScheme =
  | 'ClientSecret'
  | 'ClientCertificate'
  | 'AuthCode'
  | 'DeviceCode'
  | 'RefreshToken'
  | 'AccessToken'
  | 'ADFS'
  | 'None'
  | 'Custom';

/** Sovereign clouds: each has its own Entra authority host. */
export type AzureEnvironment = 'Global' | 'China' | 'USGovernment' | 'USGovernmentHigh' | 'USGovernmentDoD';

/** What an app's own token function receives (the `Custom` auth scheme). */
export interface TokenRequest {
  scopes: readonly string[];
  forceRefresh: boolean;
  signal?: AbortSignal;
}
/** A bearer token, optionally with its expiry (ms since the epoch) so it is refreshed in time. */
export type TokenResult = string | { token: string; expiresOnMs?: number };
export type CustomTokenFunction = (request: TokenRequest) => Promise<TokenResult>;

export interface ConnectionOptions {
  /** `https://contoso.crm.dynamics.com`, no trailing slash, no path for the online services */
  readonly organizationUrl: string;
  readonly edition: Edition;
  readonly platform: Platform;
  readonly apiVersion: '9.0' | '9.1' | '9.2';
  /** ends with `/`: `{org}/api/data/v9.0/` or `{org}/data/` */
  readonly serviceRoot: string;
  readonly isLoopback: boolean;

  readonly authScheme: AuthScheme;
  readonly azureTenant?: string;
  readonly azureEnvironment: AzureEnvironment;
  /** overrides the authority host of the Azure Environment (`https://login.example.test`); must be https */
  readonly authorityHost?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** a PEM text or a path to a PEM file holding the certificate and its private key */
  readonly certificate?: string;
  readonly certificatePassword?: string;
  /** SHA-256 (64 hex) or SHA-1 (40 hex) thumbprint; computed from the certificate when absent */
  readonly certificateThumbprint?: string;
  readonly redirectUri: string;
  readonly callbackPort: number;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly adfsServer?: string;
  readonly tokenCacheFile?: string;
  readonly tokenProvider?: CustomTokenFunction;

  readonly crossCompany: boolean;
  readonly includeFormattedValues: boolean;
  readonly includeNavigationProperties: boolean;
  readonly useDynamicStoredProcedures: boolean;
  readonly pageSize: number;
  readonly pushdown: boolean;
  /** `auto` (OData or FetchXML, whichever reads less per statement), `odata`, or `fetchxml` (Dataverse) */
  readonly remoteLanguage: 'auto' | 'odata' | 'fetchxml';
  /** integers come back as BigInt, not as a number (or a string past 2^53) */
  readonly useBigInt: boolean;

  readonly verbosity: 1 | 2 | 3 | 4 | 5;
  readonly logFile?: string;
  readonly logSink?: (line: string) => void;

  /** requests allowed at once; 1..52 */
  readonly maxConcurrency: number;
  /** a scan past its first page read as this many `createdon` ranges at once; `auto`: Max Concurrency's; `off`: page after page */
  readonly parallelReads: 'auto' | 'off' | number;
  /** token-bucket rate; undefined = no client-side rate limit beyond `nodes` */
  readonly requestsPerSecond?: number;
  /** the plain connector's model: each node allows 1 transaction per second */
  readonly nodes?: number;
  /** a Redis URL (`redis://host:6379/0`): every process of the same org and user shares one service-protection budget there */
  readonly throttleStore?: string;
  readonly requestTimeoutMs: number;
  /** 0 = none */
  readonly statementTimeoutMs: number;
  /** the most memory the local engine (joins, sorts … run locally) may use before spilling to disk; default 512MB */
  readonly localMemoryLimit?: string;
  /** where the local engine spills; default a folder of its own in the system's temp directory, removed at close */
  readonly localTempDirectory?: string;
  readonly maxRetries: number;
  readonly retryBudgetMs: number;
  readonly proxy?: string;
  readonly useEnvProxy: boolean;
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
  readonly caFile?: string;

  readonly readOnly: boolean;
  readonly allowUnsafeWrites: boolean;
  /** 0 = no cap */
  readonly maxRowsAffected: number;
  readonly atomic: boolean;
  readonly bypassPlugins: boolean;
  /** writes send `MSCRM.BypassBusinessLogicExecution: CustomSync,CustomAsync` (Dataverse) */
  readonly bypassBusinessLogic: boolean;
  readonly suppressDuplicateDetection: boolean;

  /** every secret value given in the settings, for the log redactor (never logged itself) */
  readonly secrets: readonly string[];
}
