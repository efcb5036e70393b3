import { LogLevel as MsalLogLevel, type Configuration } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import { createDispatcher, createLogger, type Logger } from '../http/index.js';
import type { AuthSettings } from './auth-settings.js';
import { authorityFor } from './authority.js';
import { IdentityObserver } from './identity-observer.js';
import { msalNetworkClient } from './network-client.js';
import { credentialKeyMaterial, fileCachePlugin } from './token-cache-file.js';

export interface IdentityTransport {
  dispatcher: Dispatcher;
  owned: boolean;
  logger: Logger;
  /** what the identity provider's answers showed, for naming a failed sign-in's cause */
  observer: IdentityObserver;
}

export function identityTransport(settings: AuthSettings, edges: { dispatcher?: Dispatcher; logger?: Logger }): IdentityTransport {
  const logger = edges.logger ?? createLogger(settings);
  const observer = new IdentityObserver();
  if (edges.dispatcher) return { dispatcher: edges.dispatcher, owned: false, logger, observer };
  const dispatcher = createDispatcher(
    {
      maxConcurrency: 4,
      requestTimeoutMs: settings.requestTimeoutMs ?? 60_000,
      ...pick(settings, ['caFile', 'proxy', 'useEnvProxy', 'httpProxy', 'httpsProxy', 'noProxy']),
    },
    logger,
  );
  return { dispatcher, owned: true, logger, observer };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function msalConfiguration(settings: AuthSettings, transport: IdentityTransport, extraAuth: Record<string, unknown>): Configuration {
  const { dispatcher, logger, observer } = transport;
  const { authority, knownAuthorities } = authorityFor(settings);
  return {
    auth: { clientId: settings.clientId!, authority, ...(knownAuthorities.length > 0 ? { knownAuthorities } : {}), ...extraAuth },
    ...(settings.tokenCacheFile ? { cache: { cachePlugin: fileCachePlugin(settings.tokenCacheFile, cacheCredential(settings, authority, extraAuth)) } } : {}),
    system: {
      networkClient: msalNetworkClient(dispatcher, settings.requestTimeoutMs, observer),
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
