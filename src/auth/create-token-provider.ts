import {
  ConfidentialClientApplication,
  CryptoProvider,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
} from '@azure/msal-node';
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { DynasqlError } from '../errors/index.js';
import type { Logger, TokenProvider } from '../http/index.js';
import { systemClock, type Clock } from '../util/index.js';
import { adfsClientCredentialsToken } from './adfs-token.js';
import type { AuthSettings } from './auth-settings.js';
import { resourceFor, scopesFor } from './authority.js';
import { loadCertificateCredential } from './certificate-credential.js';
import { listenForRedirect } from './loopback-redirect.js';
import { identityTransport, msalConfiguration } from './msal-app.js';
import { signInError } from './sign-in-errors.js';
import { RefreshingTokenProvider, type AcquiredToken } from './refreshing-token-provider.js';

/** Edges of the auth flows, injectable for tests and apps; each has a production default. */
export interface AuthEdges {
  /** opens the sign-in page (AuthCode); default: print the URL and let the user open it */
  openBrowser?: (url: string) => Promise<void> | void;
  /** shows a message to the user (device code instructions, the sign-in URL); default stderr */
  print?: (message: string) => void;
  /** the dispatcher used to reach the identity provider; default one built from the settings */
  dispatcher?: Dispatcher;
  logger?: Logger;
  clock?: Clock;
}

/** A token provider with a way to release what it holds (the identity provider's connections). */
export interface ClosableTokenProvider extends TokenProvider {
  close(): Promise<void>;
}

/**
 * The token provider for the connection's Auth Scheme, or undefined for `None` (the emulator).
 *
 *   const auth = createTokenProvider(options);
 *   const executor = createExecutor({ ...options, ...(auth ? { auth } : {}) });
 */
export function createTokenProvider(settings: AuthSettings, edges: AuthEdges = {}): ClosableTokenProvider | undefined {
  const clock = edges.clock ?? systemClock;
  if (settings.authScheme === 'None') return undefined;
  if (settings.authScheme === 'AccessToken') {
    const token = settings.accessToken!;
    // given as is: nothing to refresh; a 401 then surfaces as DYNASQL_ERR_AUTH
    return { getToken: async () => token, close: async () => undefined };
  }
  if (settings.authScheme === 'Custom') {
    const fn = settings.tokenProvider!;
    const scopes = scopesFor(settings, 'confidential');
    const provider = new RefreshingTokenProvider(async ({ forceRefresh, signal }) => {
      const result = await fn({ scopes, forceRefresh, ...(signal ? { signal } : {}) });
      return typeof result === 'string' ? { token: result } : { token: result.token, ...(result.expiresOnMs !== undefined ? { expiresOnMs: result.expiresOnMs } : {}) };
    }, clock);
    return Object.assign(provider, { close: async () => undefined });
  }
  const flows = createMsalFlows(settings, edges);
  const provider = new RefreshingTokenProvider((request) => flows.acquire(request), clock);
  return Object.assign(provider, { close: () => flows.close() });
}

interface MsalFlows {
  acquire(request: { forceRefresh: boolean; signal?: AbortSignal }): Promise<AcquiredToken>;
  close(): Promise<void>;
}

export function toAcquired(result: AuthenticationResult | null): AcquiredToken {
  if (!result?.accessToken) throw new DynasqlError('DYNASQL_ERR_AUTH', 'The identity provider returned no access token.');
  return { token: result.accessToken, ...(result.expiresOn ? { expiresOnMs: result.expiresOn.getTime() } : {}) };
}

function createMsalFlows(settings: AuthSettings, edges: AuthEdges): MsalFlows {
  const transport = identityTransport(settings, edges);
  const { dispatcher, owned, logger, observer } = transport;
  const clock = edges.clock ?? systemClock;
  const print = edges.print ?? ((message: string) => process.stderr.write(`${message}\n`));
  const close = async () => {
    if (owned) await dispatcher.close();
  };
  const scheme = settings.authScheme;
  const note = (result: AcquiredToken, how: string) => {
    logger.log(2, `token acquired by ${how}${result.expiresOnMs ? `, valid ${Math.round((result.expiresOnMs - clock.now()) / 1000)} s` : ''}`);
    return result;
  };

  if (scheme === 'ClientSecret' || scheme === 'ClientCertificate' || scheme === 'ADFS') {
    const credential =
      scheme === 'ClientCertificate'
        ? { clientCertificate: loadCertificateCredential(settings.certificate!, settings.certificatePassword, settings.certificateThumbprint) }
        : { clientSecret: settings.clientSecret! };
    const scopes = scopesFor(settings, 'confidential');
    let app: ConfidentialClientApplication | undefined;
    let adfsFallback = false;
    return {
      async acquire({ forceRefresh, signal }) {
        if (scheme === 'ADFS' && adfsFallback) return note(await adfsPost(signal), 'AD FS token POST');
        observer.reset();
        try {
          app ??= new ConfidentialClientApplication(msalConfiguration(settings, transport, credential));
          return note(toAcquired(await app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh })), `client credentials (${scheme})`);
        } catch (error) {
          if (scheme !== 'ADFS') throw signInError(error, 'Client credentials sign-in', settings, observer);
          // AD FS 2016, or an AD FS msal will not talk to: the plain v1 POST with `resource`
          logger.log(2, `msal did not accept the AD FS authority (${(error as { errorCode?: string }).errorCode ?? 'error'}); using the plain token POST`);
          adfsFallback = true;
          return note(await adfsPost(signal), 'AD FS token POST');
        }
      },
      close,
    };
    function adfsPost(signal?: AbortSignal): Promise<AcquiredToken> {
      return adfsClientCredentialsToken(
        { adfsServer: settings.adfsServer!, clientId: settings.clientId!, clientSecret: settings.clientSecret!, resource: resourceFor(settings) },
        dispatcher,
        () => clock.now(),
        signal,
      ).catch((error: unknown) => {
        throw signInError(error, 'AD FS sign-in', settings);
      });
    }
  }

  // user flows: a public client (or a confidential one when a secret is given with a refresh token)
  const app: PublicClientApplication | ConfidentialClientApplication =
    settings.clientSecret !== undefined
      ? new ConfidentialClientApplication(msalConfiguration(settings, transport, { clientSecret: settings.clientSecret }))
      : new PublicClientApplication(msalConfiguration(settings, transport, {}));
  const scopes = scopesFor(settings, settings.clientSecret !== undefined ? 'confidential' : 'public');
  let account: AccountInfo | undefined;

  /** a first sign-in, or one after the cached account could not be renewed silently */
  async function signIn(signal?: AbortSignal): Promise<AuthenticationResult | null> {
    // the given refresh token (msal then keeps the newer ones it receives in its cache); never a browser
    if (scheme === 'RefreshToken') return app.acquireTokenByRefreshToken({ refreshToken: settings.refreshToken!, scopes });
    if (scheme === 'DeviceCode' && app instanceof PublicClientApplication) {
      return app.acquireTokenByDeviceCode({ scopes, deviceCodeCallback: (response) => print(response.message) });
    }
    if (scheme === 'AuthCode') {
      return authorizationCodeSignIn(app, settings, scopes, { openBrowser: edges.openBrowser, print, ...(signal ? { signal } : {}) });
    }
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Auth Scheme=${scheme} needs a public client (leave Client Secret out).`);
  }

  return {
    async acquire({ forceRefresh, signal }) {
      observer.reset();
      try {
        account ??= (await app.getTokenCache().getAllAccounts())[0];
        if (account) {
          try {
            const result = await app.acquireTokenSilent({ account, scopes, forceRefresh });
            return note(toAcquired(result), forceRefresh ? 'refresh token (forced)' : 'cache or refresh token');
          } catch (error) {
            observer.reset();
            logger.log(2, `silent token renewal failed (${(error as { errorCode?: string }).errorCode ?? 'error'}); signing in again`);
          }
        }
        const result = await signIn(signal);
        if (result?.account) account = result.account;
        return note(toAcquired(result), scheme);
      } catch (error) {
        throw signInError(error, `${scheme} sign-in`, settings, observer);
      }
    },
    close,
  };
}

/**
 * The authorization code grant with PKCE: listen on the loopback redirect, open (or print) the sign-in
 * URL, wait for the code, redeem it with the verifier.
 */
export async function authorizationCodeSignIn(
  app: PublicClientApplication | ConfidentialClientApplication,
  settings: AuthSettings,
  scopes: string[],
  edges: { openBrowser?: ((url: string) => Promise<void> | void) | undefined; print: (message: string) => void; signal?: AbortSignal },
): Promise<AuthenticationResult> {
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const state = randomUUID();
  const listener = await listenForRedirect(settings.redirectUri ?? `http://localhost:${settings.callbackPort ?? 33333}`, state, edges.signal ? { signal: edges.signal } : {});
  try {
    const url = await app.getAuthCodeUrl({ scopes, redirectUri: listener.redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state });
    if (edges.openBrowser) await edges.openBrowser(url);
    else edges.print(`To sign in, open this address in a browser:\n${url}\n(If the page shows AADSTS50011, add ${listener.redirectUri} as a redirect URI of the app: Authentication › Mobile and desktop applications.)`);
    const { code } = await listener.result;
    return await app.acquireTokenByCode({ code, scopes, redirectUri: listener.redirectUri, codeVerifier: verifier });
  } finally {
    await listener.close();
  }
}
