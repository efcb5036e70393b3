import { request, type Dispatcher } from 'undici';
import { DynasqlError } from '../errors/index.js';
import type { AcquiredToken } from './refreshing-token-provider.js';

/**
 * The plain OAuth2 v1 client-credentials POST to AD FS (`/adfs/oauth2/token` with `resource`), for
 * AD FS 2016 and any AD FS msal-node will not accept as an authority (dataverse-protocol.md §10).
 *
 *   POST https://adfs.contoso.com/adfs/oauth2/token
 *   grant_type=client_credentials&client_id=…&client_secret=…&resource=https://ax.contoso.com
 */
export async function adfsClientCredentialsToken(
  settings: { adfsServer: string; clientId: string; clientSecret: string; resource: string },
  dispatcher: Dispatcher,
  now: () => number,
  signal?: AbortSignal,
): Promise<AcquiredToken> {
  const base = settings.adfsServer.replace(/\/+$/, '').replace(/\/adfs$/i, '');
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
    resource: settings.resource,
  }).toString();
  const response = await request(`${base}/adfs/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    dispatcher,
    ...(signal ? { signal } : {}),
  });
  const text = await response.body.text();
  let json: { access_token?: string; expires_in?: number | string; error?: string; error_description?: string } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // handled below
  }
  if (response.statusCode !== 200 || typeof json.access_token !== 'string') {
    const reason = json.error ? `${json.error}${json.error_description ? `: ${json.error_description.slice(0, 300)}` : ''}` : `HTTP ${response.statusCode}`;
    throw new DynasqlError('DYNASQL_ERR_AUTH', `AD FS refused the token request (${reason}).`, { status: response.statusCode });
  }
  const expiresIn = Number(json.expires_in);
  return { token: json.access_token, ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresOnMs: now() + expiresIn * 1000 } : {}) };
}
