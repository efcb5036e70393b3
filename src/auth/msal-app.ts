import { LogLevel as MsalLogLevel, type Configuration } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import { DynasqlError } from '../errors/index.js';
import { createDispatcher, createLogger, type Logger } from '../http/index.js';
import type { AuthSettings } from './auth-settings.js';
import { authorityFor } from './authority.js';
import { msalNetworkClient } from './network-client.js';
import { credentialKeyMaterial, fileCachePlugin } from './token-cache-file.js';

/** msal errors carry `errorCode` and a message that never holds the secret itself; keep both. */
export function authError(error: unknown, what: string): DynasqlError {
  if (error instanceof DynasqlError) return error;
  const code = (error as { errorCode?: string })?.errorCode;
  const message = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 400) : String(error);
  return new DynasqlError('DYNASQL_ERR_AUTH', `${what} failed${code ? ` (${code})` : ''}: ${message}`, { cause: error, ...(code ? { serviceCode: code } : {}) });
}

export function identityTransport(settings: AuthSettings, edges: { dispatcher?: Dispatcher; logger?: Logger }): { dispatcher: Dispatcher; owned: boolean; logger: Logger } {
  const logger = edges.logger ?? createLogger(settings);
  if (edges.dispatcher) return { dispatcher: edges.dispatcher, owned: false, logger };
  const dispatcher = createDispatcher(
    {
      maxConcurrency: 4,
      requestTimeoutMs: settings.requestTimeoutMs ?? 60_000,
      ...pick(settings, ['caFile', 'proxy', 'useEnvProxy', 'httpProxy', 'httpsProxy', 'noProxy']),
    },
    logger,
  );
  return { dispatcher, owned: true, logger };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function msalConfiguration(settings: AuthSettings, dispatcher: Dispatcher, logger: Logger, extraAuth: Record<string, unknown>): Configuration {
  const { authority, knownAuthorities } = authorityFor(settings);
  return {
    auth: { clientId: settings.clientId!, authority, ...(knownAuthorities.length > 0 ? { knownAuthorities } : {}), ...extraAuth },
    ...(settings.tokenCacheFile ? { cache: { cachePlugin: fileCachePlugin(settings.tokenCacheFile, cacheCredential(settings, authority, extraAuth)) } } : {}),
    system: {
      networkClient: msalNetworkClient(dispatcher, settings.requestTimeoutMs),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: logger.enabled(5) ? MsalLogLevel.Info : MsalLogLevel.Error,
        loggerCallback: (level, message, containsPii) => {
          if (!containsPii) logger.log(level === MsalLogLevel.Error ? 1 : 5, `msal: ${message}`);
        },
      },
    },
  };
}


/** the credential behind the tokens: a changed secret, certificate or refresh token is another cache entry */
function cacheCredential(settings: AuthSettings, authority: string, extraAuth: Record<string, unknown>): string {
  const certificate = extraAuth.clientCertificate as { thumbprintSha256?: string; thumbprint?: string } | undefined;
  return credentialKeyMaterial({
    scheme: settings.authScheme,
    clientId: settings.clientId,
    authority,
    clientSecret: typeof extraAuth.clientSecret === 'string' ? extraAuth.clientSecret : undefined,
    certificate: certificate?.thumbprintSha256 ?? certificate?.thumbprint,
    refreshToken: settings.refreshToken,
  });
}
