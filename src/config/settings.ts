import { DynasqlError } from '../errors/index.js';

/**
 * The table of connection settings: the name users write, the aliases the established connectors use,
 * and how the text value is read. Keys compare case-insensitively with spaces, `_` and `-` ignored,
 * so `Organization URL`, `organizationUrl` and `organization_url` are one setting.
 */
export interface SettingSpec {
  /** the name shown in errors and docs */
  name: string;
  /** the ConnectionOptions field (or, for raw settings, the field they feed) */
  field: string;
  aliases?: string[];
  parse: (value: unknown, name: string) => unknown;
  /** a secret: its value is added to `secrets` and never echoed in errors */
  secret?: boolean;
}

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[\s_-]+/g, '');
}

function bad(name: string, expected: string, value?: unknown): DynasqlError {
  const shown = value === undefined ? '' : ` (got ${JSON.stringify(String(value)).slice(0, 60)})`;
  return new DynasqlError('DYNASQL_ERR_CONFIG', `Setting '${name}' must be ${expected}${shown}.`);
}

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string') throw bad(name, 'a string');
  return value;
};
const secretText = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') throw bad(name, 'a non-empty string');
  return value;
};

const bool = (value: unknown, name: string): boolean => {
  if (typeof value === 'boolean') return value;
  const v = String(value).trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  throw bad(name, 'true or false', value);
};

const integer = (min: number, max: number) => (value: unknown, name: string): number => {
  const n = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw bad(name, `a whole number from ${min} to ${max}`, value);
  return n;
};

const positiveNumber = (max: number) => (value: unknown, name: string): number => {
  const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > max) throw bad(name, `a number above 0 and at most ${max}`, value);
  return n;
};

/** seconds as written by users (`Timeout=30`, `Timeout=0.5`) → milliseconds */
const seconds = (allowZero: boolean) => (value: unknown, name: string): number => {
  const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0) || n > 86_400) {
    throw bad(name, `a number of seconds${allowZero ? ' (0 = none)' : ''} up to 86400`, value);
  }
  return Math.round(n * 1000);
};

const oneOf = <T extends string>(values: Record<string, T>) => (value: unknown, name: string): T => {
  const found = values[normaliseKey(String(value))];
  if (found === undefined) throw bad(name, `one of ${[...new Set(Object.values(values))].join(', ')}`, value);
  return found;
};

const EDITIONS = oneOf({
  dataverse: 'Dataverse',
  sales: 'Sales',
  customerservice: 'CustomerService',
  fieldservice: 'FieldService',
  marketing: 'Marketing',
  projectoperations: 'ProjectOperations',
  finopsonline: 'FinOpsOnline',
  finopsonpremise: 'FinOpsOnPremise',
  finopsonpremises: 'FinOpsOnPremise',
});

/** our names plus the CData-style names users bring from other connectors */
const AUTH_SCHEMES = oneOf({
  clientsecret: 'ClientSecret',
  azureserviceprincipal: 'ClientSecret',
  clientcertificate: 'ClientCertificate',
  azureserviceprincipalcert: 'ClientCertificate',
  authcode: 'AuthCode',
  azuread: 'AuthCode',
  oauth: 'AuthCode',
  devicecode: 'DeviceCode',
  refreshtoken: 'RefreshToken',
  accesstoken: 'AccessToken',
  adfs: 'ADFS',
  none: 'None',
});

/** the query language sent to Dataverse: the better per statement, or one forced (F&O has OData only) */
const REMOTE_LANGUAGES = oneOf({ auto: 'auto', odata: 'odata', fetchxml: 'fetchxml' });

const AZURE_ENVIRONMENTS = oneOf({
  global: 'Global',
  public: 'Global',
  china: 'China',
  usgovernment: 'USGovernment',
  usgovt: 'USGovernment',
  gcc: 'USGovernment',
  usgovernmenthigh: 'USGovernmentHigh',
  usgovthigh: 'USGovernmentHigh',
  gcchigh: 'USGovernmentHigh',
  usgovernmentdod: 'USGovernmentDoD',
  usgovtdod: 'USGovernmentDoD',
  dod: 'USGovernmentDoD',
});

const API_VERSIONS = (value: unknown, name: string): string => {
  const v = String(value).trim().replace(/^v/i, '');
  if (v === '9' || v === '9.0') return '9.0';
  if (v === '9.1' || v === '9.2') return v;
  throw bad(name, '9.0, 9.1 or 9.2', value);
};

const VERBOSITY = integer(1, 5);

/**
 * `Parallel Reads`: `Auto` (as many ranges as Max Concurrency allows), `Off` (page after page), or
 * the number of ranges a scan past its first page is read as at once (2..64).
 */
const PARALLEL_READS = (value: unknown, name: string): 'auto' | 'off' | number => {
  const v = normaliseKey(String(value));
  if (v === 'auto') return 'auto';
  if (v === 'off' || v === 'false' || v === 'no') return 'off';
  return integer(2, 64)(value, name);
};

const MEMORY_UNITS: Record<string, string> = { kb: 'KB', mb: 'MB', gb: 'GB', tb: 'TB', kib: 'KiB', mib: 'MiB', gib: 'GiB', tib: 'TiB' };

/** `512MB`, `2 gb`, `1.5GiB` → `512MB`, `2GB`, `1.5GiB`: a size for the local engine */
const memorySize = (value: unknown, name: string): string => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(String(value));
  const unit = m ? MEMORY_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || !unit || Number(m[1]) <= 0) throw bad(name, 'a size such as 512MB or 2GB', value);
  return `${m[1]}${unit}`;
};

/**
 * `redis://host:6379/0` or `rediss://…` (TLS), with an optional `user:password@`: where processes share
 * the service-protection budget. The value is never echoed: it may hold the Redis password.
 */
const redisUrl = (value: unknown, name: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(String(value).trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname || !/^\/?(\d{1,2})?$/.test(url.pathname) || url.search || url.hash) {
    throw bad(name, 'a Redis URL such as redis://host:6379/0 (rediss:// for TLS)');
  }
  return url.href;
};

export const SETTINGS: readonly SettingSpec[] = [
  { name: 'Organization URL', field: 'organizationUrl', aliases: ['URL', 'Org URL', 'Environment URL', 'Resource'], parse: text },
  { name: 'Edition', field: 'edition', parse: EDITIONS },
  { name: 'API Version', field: 'apiVersion', parse: API_VERSIONS },
  { name: 'Auth Scheme', field: 'authScheme', aliases: ['Authentication'], parse: AUTH_SCHEMES },
  { name: 'Azure Tenant', field: 'azureTenant', aliases: ['Tenant', 'Tenant Id'], parse: text },
  { name: 'Azure Environment', field: 'azureEnvironment', aliases: ['Cloud'], parse: AZURE_ENVIRONMENTS },
  { name: 'Authority Host', field: 'authorityHost', aliases: ['Azure Authority Host', 'Authority'], parse: text },
  { name: 'Client Id', field: 'clientId', aliases: ['OAuth Client Id', 'Application Id', 'App Id'], parse: text },
  { name: 'Client Secret', field: 'clientSecret', aliases: ['OAuth Client Secret'], parse: secretText, secret: true },
  { name: 'Certificate', field: 'certificate', aliases: ['Client Certificate', 'Certificate Path', 'OAuth JWT Cert'], parse: text, secret: true },
  { name: 'Certificate Password', field: 'certificatePassword', parse: secretText, secret: true },
  { name: 'Certificate Thumbprint', field: 'certificateThumbprint', aliases: ['Thumbprint'], parse: text },
  { name: 'Redirect URI', field: 'redirectUri', aliases: ['Callback URL', 'Redirect URL'], parse: text },
  { name: 'Callback Port', field: 'callbackPort', parse: integer(0, 65535) },
  { name: 'Access Token', field: 'accessToken', aliases: ['OAuth Access Token'], parse: secretText, secret: true },
  { name: 'Refresh Token', field: 'refreshToken', aliases: ['OAuth Refresh Token'], parse: secretText, secret: true },
  { name: 'ADFS Server', field: 'adfsServer', parse: text },
  { name: 'Token Cache File', field: 'tokenCacheFile', aliases: ['OAuth Settings Location'], parse: text },
  { name: 'Cross Company', field: 'crossCompany', parse: bool },
  { name: 'Include Formatted Values', field: 'includeFormattedValues', parse: bool },
  { name: 'Include Navigation Properties', field: 'includeNavigationProperties', parse: bool },
  { name: 'Use Dynamic Stored Procedures', field: 'useDynamicStoredProcedures', parse: bool },
  { name: 'Page Size', field: 'pageSize', aliases: ['Pagesize', 'Max Page Size'], parse: integer(1, 50_000) },
  { name: 'Pushdown', field: 'pushdown', aliases: ['Push Down'], parse: bool },
  { name: 'Remote Language', field: 'remoteLanguage', aliases: ['Query Language'], parse: REMOTE_LANGUAGES },
  { name: 'Use BigInt', field: 'useBigInt', aliases: ['BigInt'], parse: bool },
  { name: 'Verbosity', field: 'verbosity', parse: VERBOSITY },
  { name: 'Log File', field: 'logFile', aliases: ['Logfile'], parse: text },
  { name: 'Max Concurrency', field: 'maxConcurrency', aliases: ['Max Concurrent Requests', 'Concurrency'], parse: integer(1, 52) },
  { name: 'Parallel Reads', field: 'parallelReads', aliases: ['Partitioned Reads'], parse: (value, name) => {
    try {
      return PARALLEL_READS(value, name);
    } catch {
      throw bad(name, 'Auto, Off or a whole number from 2 to 64', value);
    }
  } },
  { name: 'Requests Per Second', field: 'requestsPerSecond', aliases: ['Rate Limit'], parse: positiveNumber(10_000) },
  { name: 'Nodes', field: 'nodes', aliases: ['Node Count'], parse: integer(1, 100) },
  { name: 'Throttle Store', field: 'throttleStore', aliases: ['Shared Throttle'], parse: redisUrl },
  { name: 'Timeout', field: 'requestTimeoutMs', aliases: ['Request Timeout'], parse: seconds(false) },
  { name: 'Statement Timeout', field: 'statementTimeoutMs', aliases: ['Command Timeout'], parse: seconds(true) },
  { name: 'Local Memory Limit', field: 'localMemoryLimit', parse: memorySize },
  { name: 'Local Temp Directory', field: 'localTempDirectory', parse: text },
  { name: 'Max Retries', field: 'maxRetries', aliases: ['Retries'], parse: integer(0, 100) },
  { name: 'Retry Budget', field: 'retryBudgetMs', parse: seconds(false) },
  { name: 'Proxy', field: 'proxy', aliases: ['Proxy Server', 'Proxy URL'], parse: text },
  { name: 'Use Env Proxy', field: 'useEnvProxy', aliases: ['Proxy Auto Detect'], parse: bool },
  { name: 'CA File', field: 'caFile', aliases: ['SSL Server Cert', 'CA'], parse: text },
  { name: 'Read Only', field: 'readOnly', aliases: ['Readonly'], parse: bool },
  { name: 'Allow Unsafe Writes', field: 'allowUnsafeWrites', parse: bool },
  { name: 'Max Rows Affected', field: 'maxRowsAffected', parse: integer(0, 1_000_000_000) },
  { name: 'Atomic', field: 'atomic', aliases: ['Transaction'], parse: bool },
  { name: 'Bypass Plugins', field: 'bypassPlugins', aliases: ['Bypass Custom Plugins'], parse: bool },
  { name: 'Bypass Business Logic', field: 'bypassBusinessLogic', parse: bool },
  { name: 'Suppress Duplicate Detection', field: 'suppressDuplicateDetection', parse: bool },
];

/** Settings only an options object can carry (functions), never a connection string. */
export const OBJECT_ONLY_FIELDS: Readonly<Record<string, (value: unknown, name: string) => unknown>> = {
  tokenProvider: (value, name) => {
    if (typeof value !== 'function') throw bad(name, 'a function returning a token');
    return value;
  },
  logSink: (value, name) => {
    if (typeof value !== 'function') throw bad(name, 'a function taking one log line');
    return value;
  },
};

const BY_KEY = new Map<string, SettingSpec>();
for (const spec of SETTINGS) {
  for (const n of [spec.name, spec.field, ...(spec.aliases ?? [])]) BY_KEY.set(normaliseKey(n), spec);
}

export function findSetting(key: string): SettingSpec | undefined {
  return BY_KEY.get(normaliseKey(key));
}

/** every name a user may write, for did-you-mean suggestions */
export function settingNames(): string[] {
  return SETTINGS.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
}
