import { ConfidentialClientApplication, CryptoProvider, PublicClientApplication } from '@azure/msal-node';
import { randomUUID } from 'node:crypto';
import { DynasqlError } from '../errors/index.js';
import type { AuthSettings } from './auth-settings.js';
import { scopesFor } from './authority.js';
import type { AuthEdges } from './create-token-provider.js';
import { identityTransport, msalConfiguration } from './msal-app.js';
import { signInError } from './sign-in-errors.js';

/**
 * The two halves of the authorization code grant, for the `GetOAuthAccessToken` procedure and for apps
 * that run the browser step themselves (CData's InitiateOAuth=OFF model):
 *
 *   const { url, codeVerifier, state } = await getAuthorizationUrl(options);       // show url to the user
 *   const tokens = await completeCodeExchange(options, { code, codeVerifier });   // code from the redirect
 */
export interface AuthorizationUrl {
  url: string;
  /** keep it: completeCodeExchange needs it (PKCE) */
  codeVerifier: string;
  state: string;
  redirectUri: string;
}

export interface ExchangedTokens {
  accessToken: string;
  /** present when the identity provider issued one (it is read from msal's cache) */
  refreshToken?: string;
  expiresOnMs?: number;
}

type CodeSettings = AuthSettings;

function app(settings: CodeSettings, edges: AuthEdges) {
  if (!settings.clientId) throw new DynasqlError('DYNASQL_ERR_CONFIG', `The authorization code grant (GetOAuthAccessToken) needs the setting 'Client Id' in the connection: the Application (client) ID of your app registration in Microsoft Entra ID (docs/getting-started.md).`);
  const transport = identityTransport(settings, edges);
  const { dispatcher, owned } = transport;
  const client =
    settings.clientSecret !== undefined
      ? new ConfidentialClientApplication(msalConfiguration(settings, transport, { clientSecret: settings.clientSecret }))
      : new PublicClientApplication(msalConfiguration(settings, transport, {}));
  const scopes = scopesFor(settings, settings.clientSecret !== undefined ? 'confidential' : 'public');
  return { client, scopes, observer: transport.observer, close: async () => (owned ? dispatcher.close() : undefined) };
}

function redirectOf(settings: CodeSettings, given?: string): string {
  return given ?? settings.redirectUri ?? `http://localhost:${settings.callbackPort ?? 33333}`;
}

export async function getAuthorizationUrl(settings: CodeSettings, options: { redirectUri?: string; state?: string } = {}, edges: AuthEdges = {}): Promise<AuthorizationUrl> {
  const { client, scopes, observer, close } = app(settings, edges);
  try {
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const state = options.state ?? randomUUID();
    const redirectUri = redirectOf(settings, options.redirectUri);
    const url = await client.getAuthCodeUrl({ scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state });
    return { url, codeVerifier: verifier, state, redirectUri };
  } catch (error) {
    throw signInError(error, 'Building the sign-in URL', settings, observer);
  } finally {
    await close();
  }
}

export async function completeCodeExchange(
  settings: CodeSettings,
  options: { code: string; codeVerifier: string; redirectUri?: string },
  edges: AuthEdges = {},
): Promise<ExchangedTokens> {
  const { client, scopes, observer, close } = app(settings, edges);
  try {
    const result = await client.acquireTokenByCode({ code: options.code, scopes, redirectUri: redirectOf(settings, options.redirectUri), codeVerifier: options.codeVerifier });
    if (!result?.accessToken) throw new DynasqlError('DYNASQL_ERR_AUTH', 'The identity provider returned no access token.');
    const refreshToken = firstRefreshToken(client.getTokenCache().serialize());
    return {
      accessToken: result.accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      ...(result.expiresOn ? { expiresOnMs: result.expiresOn.getTime() } : {}),
    };
  } catch (error) {
    throw signInError(error, 'Redeeming the authorization code', settings, observer);
  } finally {
    await close();
  }
}

/** msal keeps refresh tokens to itself; its serialised cache (`RefreshToken: { key: { secret } }`) has them. */
function firstRefreshToken(serialised: string): string | undefined {
  try {
    const cache = JSON.parse(serialised) as { RefreshToken?: Record<string, { secret?: string }> };
    return Object.values(cache.RefreshToken ?? {})[0]?.secret;
  } catch {
    return undefined;
  }
}
