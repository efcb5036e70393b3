import { DynasqlError, closestName } from '../errors/index.js';
import type { AuthScheme, ConnectionOptions, Edition } from './connection-options.js';
import { parseConnectionSettings, quoteHint } from './connection-string.js';
import { inferEdition, isLoopbackHost, parseOrganizationUrl, platformOf, serviceRootOf } from './organization-url.js';
import { OBJECT_ONLY_FIELDS, findSetting, settingNames, type SettingSpec } from './settings.js';

/** What `resolveOptions` accepts: a connection string, or an object keyed by setting names or fields. */
export type ConnectionInput = string | Readonly<Record<string, unknown>>;

export interface ResolveContext {
  /** the environment to read HTTP(S)_PROXY / NO_PROXY from (default `process.env`) */
  env?: Readonly<Record<string, string | undefined>>;
}

const DEFAULTS = {
  apiVersion: '9.0',
  azureEnvironment: 'Global',
  callbackPort: 33333,
  crossCompany: false,
  includeFormattedValues: false,
  includeNavigationProperties: false,
  useDynamicStoredProcedures: false,
  pageSize: 5000,
  pushdown: true,
  remoteLanguage: 'auto',
  useBigInt: false,
  verbosity: 1,
  maxConcurrency: 8,
  parallelReads: 'auto',
  requestTimeoutMs: 120_000,
  statementTimeoutMs: 0,
  maxRetries: 8,
  retryBudgetMs: 300_000,
  useEnvProxy: true,
  readOnly: false,
  allowUnsafeWrites: false,
  maxRowsAffected: 0,
  atomic: false,
  bypassPlugins: false,
  bypassBusinessLogic: false,
  suppressDuplicateDetection: false,
} as const;

/**
 * Reads a connection string (`Organization URL=https://contoso.crm.dynamics.com;Auth Scheme=ClientSecret;...`)
 * or an options object into one frozen, validated `ConnectionOptions`.
 * Unknown settings fail with DYNASQL_ERR_CONFIG_UNKNOWN_SETTING and a did-you-mean; bad values with
 * DYNASQL_ERR_CONFIG naming the setting. Secret values never appear in either message.
 */
export function resolveOptions(input: ConnectionInput, context: ResolveContext = {}): ConnectionOptions {
  const isSecret = (key: string) => findSetting(key)?.secret === true;
  const parsed = typeof input === 'string' ? parseConnectionSettings(input, isSecret) : undefined;
  const entries: Array<[string, unknown]> = parsed ? parsed.map((s) => [s.key, s.value]) : Object.entries(input ?? {});
  // an unquoted secret ends at the first ';': everything after it may be the rest of the secret, never echoed
  const openSecretAt = parsed ? parsed.findIndex((s, i) => !s.quoted && i < parsed.length - 1 && isSecret(s.key)) : -1;
  const openSecret = openSecretAt === -1 ? undefined : parsed![openSecretAt]!.key;
  const values: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  const secrets: string[] = [];
  for (const [index, [key, raw]] of entries.entries()) {
    if (raw === undefined) continue;
    const hidden = openSecret !== undefined && index > openSecretAt ? openSecret : undefined;
    const objectOnly = typeof input !== 'string' ? OBJECT_ONLY_FIELDS[key] : undefined;
    let spec: SettingSpec | undefined;
    let field: string;
    if (objectOnly) {
      field = key;
    } else {
      spec = findSetting(key);
      if (!spec && hidden !== undefined) {
        throw new DynasqlError('DYNASQL_ERR_CONFIG_UNKNOWN_SETTING', `Unknown setting after '${hidden}'. ${quoteHint(hidden)}`);
      }
      if (!spec) {
        const suggestion = closestName(key, settingNames());
        throw new DynasqlError(
          'DYNASQL_ERR_CONFIG_UNKNOWN_SETTING',
          `Unknown setting '${key}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
          { details: { setting: key, ...(suggestion ? { suggestion } : {}) } },
        );
      }
      field = spec.field;
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) {
      if (hidden !== undefined) throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting '${spec?.name ?? key}' is given twice. ${quoteHint(hidden)}`);
      throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting '${spec?.name ?? key}' is given twice ('${earlier}' and '${key}').`);
    }
    seen.set(field, key);
    let value: unknown;
    try {
      value = objectOnly ? objectOnly(raw, key) : spec!.parse(typeof raw === 'string' ? raw.trim() : raw, spec!.name);
    } catch (error) {
      if (hidden === undefined || !(error instanceof DynasqlError)) throw error;
      throw new DynasqlError(error.code, `Setting '${spec!.name}' has a value that is not valid. ${quoteHint(hidden)}`);
    }
    if (spec?.secret && typeof value === 'string' && value !== '') secrets.push(value);
    values[field] = value;
  }
  try {
    return Object.freeze(finish(values, secrets, context.env ?? process.env));
  } catch (error) {
    // checks across settings name hosts and versions: none of the text that came after an unquoted secret
    if (openSecret === undefined || !(error instanceof DynasqlError)) throw error;
    const tail = parsed!.slice(openSecretAt + 1).flatMap((s) => [s.key, s.value]).filter((t) => t !== '' && findSetting(t)?.name !== t);
    const message = tail.some((t) => error.message.includes(t)) ? 'The connection string is not valid.' : error.message;
    throw new DynasqlError(error.code, `${message} ${quoteHint(openSecret)}`);
  }
}

function str(values: Record<string, unknown>, field: string): string | undefined {
  const v = values[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function finish(values: Record<string, unknown>, secrets: string[], env: Readonly<Record<string, string | undefined>>): ConnectionOptions {
  const rawUrl = str(values, 'organizationUrl');
  if (!rawUrl) throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Organization URL' is required (e.g. Organization URL=https://contoso.crm.dynamics.com).`);
  const org = parseOrganizationUrl(rawUrl);
  const adfsServer = str(values, 'adfsServer');
  const edition = (values.edition as Edition | undefined) ?? inferEdition(org, adfsServer !== undefined);
  const platform = platformOf(edition);
  if (org.platformFromPath && org.platformFromPath !== platform) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Organization URL' points at a ${org.platformFromPath === 'finops' ? 'Finance & Operations' : 'Dataverse'} service root but Edition is ${edition}.`);
  }
  if (values.apiVersion !== undefined && org.apiVersionFromPath && values.apiVersion !== org.apiVersionFromPath) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'API Version' (${String(values.apiVersion)}) disagrees with the version in the Organization URL (${org.apiVersionFromPath}).`);
  }
  const apiVersion = (values.apiVersion ?? org.apiVersionFromPath ?? DEFAULTS.apiVersion) as ConnectionOptions['apiVersion'];

  const authScheme = (values.authScheme as AuthScheme | undefined) ?? defaultAuthScheme(values, edition, org.isLoopback);
  checkAuthSettings(authScheme, values, edition);
  if (values.tokenProvider !== undefined && values.authScheme !== undefined && authScheme !== 'Custom') {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `A tokenProvider function was given with Auth Scheme=${authScheme}; leave Auth Scheme out to use the function.`);
  }

  const authorityHost = str(values, 'authorityHost');
  if (authorityHost !== undefined) checkHttpsUrl('Authority Host', authorityHost, false);
  if (adfsServer !== undefined) checkHttpsUrl('ADFS Server', adfsServer, false);
  const callbackPort = (values.callbackPort as number | undefined) ?? DEFAULTS.callbackPort;
  const redirectUri = str(values, 'redirectUri') ?? `http://localhost:${callbackPort}`;
  checkRedirectUri(redirectUri);

  const proxy = str(values, 'proxy');
  if (proxy !== undefined) checkProxy(proxy, secrets);
  const throttleStore = str(values, 'throttleStore');
  // a Redis password is a secret too
  const storePassword = throttleStore === undefined ? '' : new URL(throttleStore).password;
  if (storePassword) secrets.push(decodeURIComponent(storePassword), storePassword);
  const pick = (name: string) => env[name] ?? env[name.toLowerCase()];
  const useEnvProxy = (values.useEnvProxy as boolean | undefined) ?? DEFAULTS.useEnvProxy;

  const thumbprint = str(values, 'certificateThumbprint');
  if (thumbprint !== undefined && !/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(thumbprint.replace(/[:\s]/g, ''))) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Certificate Thumbprint' must be 40 (SHA-1) or 64 (SHA-256) hex digits.`);
  }

  const options: ConnectionOptions = {
    ...DEFAULTS,
    ...values,
    organizationUrl: org.organizationUrl,
    edition,
    platform,
    apiVersion,
    serviceRoot: serviceRootOf(org.organizationUrl, platform, apiVersion),
    isLoopback: org.isLoopback,
    authScheme,
    azureEnvironment: (values.azureEnvironment ?? DEFAULTS.azureEnvironment) as ConnectionOptions['azureEnvironment'],
    callbackPort,
    redirectUri,
    verbosity: (values.verbosity ?? DEFAULTS.verbosity) as ConnectionOptions['verbosity'],
    useEnvProxy,
    ...(thumbprint !== undefined ? { certificateThumbprint: thumbprint.replace(/[:\s]/g, '').toLowerCase() } : {}),
    ...(useEnvProxy && proxy === undefined
      ? dropUndefined({ httpProxy: pick('HTTP_PROXY'), httpsProxy: pick('HTTPS_PROXY'), noProxy: pick('NO_PROXY') })
      : {}),
    secrets: Object.freeze([...new Set(secrets)]),
  } as ConnectionOptions;
  return options;
}

function dropUndefined<T extends Record<string, string | undefined>>(o: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<Record<keyof T, string>>;
}

/** The scheme a user most likely means from what they supplied; loopback (the emulator) needs none. */
function defaultAuthScheme(values: Record<string, unknown>, edition: Edition, isLoopback: boolean): AuthScheme {
  if (values.tokenProvider !== undefined) return 'Custom';
  if (values.accessToken !== undefined) return 'AccessToken';
  if (values.clientSecret !== undefined) return edition === 'FinOpsOnPremise' ? 'ADFS' : 'ClientSecret';
  if (values.certificate !== undefined) return 'ClientCertificate';
  if (values.refreshToken !== undefined) return 'RefreshToken';
  if (isLoopback) return 'None';
  return 'AuthCode';
}

/** where the value of a sign-in setting comes from, for the error that asks for it */
const SETTING_HELP: Record<string, string> = {
  'Client Id': "the Application (client) ID of your app registration in Microsoft Entra ID (its Overview page); for AuthCode and DeviceCode the app needs 'Allow public client flows' and the Dynamics CRM user_impersonation permission",
  'Client Secret': "the Value of a secret from the app registration's Certificates & secrets page",
  'Azure Tenant': 'your tenant ID (a GUID) or a verified domain such as contoso.onmicrosoft.com, from the Overview page of Microsoft Entra ID',
  Certificate: "a PEM or PFX file holding the certificate and its private key, whose public part is uploaded to the app registration's Certificates & secrets page",
  'Refresh Token': 'a refresh token from EXEC GetOAuthAccessToken or an earlier AuthCode sign-in',
  'Access Token': 'a bearer token issued for the Organization URL',
  'ADFS Server': 'the AD FS address, e.g. https://adfs.contoso.com',
};

function checkAuthSettings(scheme: AuthScheme, values: Record<string, unknown>, edition: Edition): void {
  const need = (field: string, name: string) => {
    if (values[field] === undefined || values[field] === '') {
      const what = SETTING_HELP[name] ? ` ${SETTING_HELP[name]}` : '';
      throw new DynasqlError('DYNASQL_ERR_CONFIG', `Auth Scheme=${scheme} needs the setting '${name}':${what} (docs/getting-started.md shows each scheme's connection string).`);
    }
  };
  switch (scheme) {
    case 'ClientSecret':
      need('clientId', 'Client Id');
      need('clientSecret', 'Client Secret');
      need('azureTenant', 'Azure Tenant');
      break;
    case 'ClientCertificate':
      need('clientId', 'Client Id');
      need('certificate', 'Certificate');
      need('azureTenant', 'Azure Tenant');
      break;
    case 'AuthCode':
    case 'DeviceCode':
      need('clientId', 'Client Id');
      break;
    case 'RefreshToken':
      need('clientId', 'Client Id');
      need('refreshToken', 'Refresh Token');
      break;
    case 'AccessToken':
      need('accessToken', 'Access Token');
      break;
    case 'ADFS':
      need('clientId', 'Client Id');
      need('clientSecret', 'Client Secret');
      need('adfsServer', 'ADFS Server');
      if (edition !== 'FinOpsOnPremise') {
        throw new DynasqlError('DYNASQL_ERR_CONFIG', `Auth Scheme=ADFS is for Edition=FinOpsOnPremise (the edition here is ${edition}).`);
      }
      break;
    case 'Custom':
      need('tokenProvider', 'tokenProvider');
      break;
    case 'None':
      break;
  }
}

function checkHttpsUrl(name: string, value: string, allowLoopbackHttp: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting '${name}' is not an absolute URL.`);
  }
  if (url.protocol === 'https:') return;
  if (allowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
  throw new DynasqlError('DYNASQL_ERR_CONFIG_INSECURE_URL', `Setting '${name}' must be an https:// URL.`);
}

/** The loopback redirect the AuthCode flow listens on: http://localhost:PORT[/path] only. */
function checkRedirectUri(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Redirect URI' is not an absolute URL.`);
  }
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Redirect URI' must be a loopback http:// address (http://localhost:33333) that dynasql listens on.`);
  }
}

function checkProxy(value: string, secrets: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Proxy' is not a URL (expected http://host:port).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Proxy' must be an http:// or https:// URL.`);
  }
  // a proxy password is a secret too
  if (url.password) secrets.push(decodeURIComponent(url.password), url.password);
}

