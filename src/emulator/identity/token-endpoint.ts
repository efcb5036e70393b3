import { createHash, X509Certificate } from 'node:crypto';
import { decodeJwt, verifyJwtSignature } from './jwt.js';
import type { RegisteredClient, RegisteredUser } from './identity-options.js';
import type { TokenService } from './token-service.js';

export interface TokenEndpointResult {
  status: number;
  body: Record<string, unknown>;
}

/** Which token endpoint was called: Entra v2 (`scope`), Entra v1 (`resource`) or AD FS (`resource`). */
export type TokenEndpointFlavour = 'v2' | 'v1' | 'adfs';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_CODE_URN = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * An OAuth error as Entra words it: `error`, an AADSTS `error_description`, `error_codes`.
 *   {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. …","error_codes":[7000215]}
 */
export function oauthError(status: number, error: string, aadsts: number | undefined, description: string): TokenEndpointResult {
  return {
    status,
    body: {
      error,
      error_description: aadsts ? `AADSTS${aadsts}: ${description}` : description,
      ...(aadsts ? { error_codes: [aadsts] } : {}),
      timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    },
  };
}

/**
 * The audience a token request names: v2 asks by scope (`https://org.crm.dynamics.com/.default`,
 * or `…/user_impersonation`), v1 and AD FS by `resource`. OpenID scopes are skipped.
 *
 *   audienceOf(new URLSearchParams('scope=https://org.crm.dynamics.com/.default openid'), 'v2') === 'https://org.crm.dynamics.com'
 */
export function audienceOf(form: URLSearchParams, flavour: TokenEndpointFlavour): string | undefined {
  // AD FS 2019 and v1 take `resource`; MSAL talking to AD FS sends a v2-style `scope` instead.
  if (flavour !== 'v2' && form.get('resource')) return form.get('resource')!;
  const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
  const resourceScope = scopes.find((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s));
  return resourceScope ? resourceScope.replace(/\/[^/]*$/, '') : undefined;
}

/**
 * Handles one POST to a token endpoint: authenticates the client (secret in the body or in Basic
 * auth, or a certificate-signed assertion), then runs the grant.
 */
export function handleTokenRequest(tokens: TokenService, form: URLSearchParams, authorization: string | undefined, endpointUrl: string, flavour: TokenEndpointFlavour): TokenEndpointResult {
  const grant = form.get('grant_type');
  const auth = authenticateClient(tokens, form, authorization, endpointUrl);
  if ('status' in auth) return auth;
  const { client, confidential } = auth;
  const issuer = flavour === 'adfs' ? 'adfs' : 'tenant';

  switch (grant) {
    case 'client_credentials': {
      if (!confidential) return oauthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      const audience = audienceOf(form, flavour);
      if (!audience) return missingAudience(flavour);
      if (flavour === 'v2' && !(form.get('scope') ?? '').split(' ').some((s) => s.endsWith('/.default'))) {
        return oauthError(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).');
      }
      return { status: 200, body: accessTokenBody(tokens, tokens.issueAccessToken({ clientId: client.clientId }, audience, issuer), flavour, audience) };
    }
    case 'password': {
      const user = tokens.user(form.get('username'));
      if (!user || user.password === undefined || user.password !== form.get('password')) {
        return oauthError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.');
      }
      return userTokens(tokens, client.clientId, user, form, flavour);
    }
    case 'authorization_code': {
      const code = form.get('code') ?? '';
      const entry = tokens.authorizationCodes.get(code);
      tokens.authorizationCodes.delete(code); // codes are single use, even when the redemption fails
      if (!redirectRegistered(client, form.get('redirect_uri') ?? '')) return redirectMismatch(client, form.get('redirect_uri') ?? '');
      if (!entry || entry.clientId !== client.clientId || entry.expiresAt <= tokens.now()) {
        return oauthError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired or was already used.');
      }
      if (entry.redirectUri !== (form.get('redirect_uri') ?? '')) return oauthError(400, 'invalid_grant', 50148, 'The redirect_uri does not match the one used in the authorization request.');
      if (entry.challenge !== undefined && !pkceMatches(entry.challenge, entry.method, form.get('code_verifier'))) {
        return oauthError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
      }
      if (entry.challenge === undefined && !confidential) return oauthError(400, 'invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.');
      return userTokens(tokens, client.clientId, entry.user, form, flavour, entry.scope, entry.nonce);
    }
    case 'device_code':
    case DEVICE_CODE_URN: {
      const deviceCode = form.get('device_code') ?? '';
      const entry = tokens.deviceCodes.get(deviceCode);
      if (!entry || entry.clientId !== client.clientId) return oauthError(400, 'invalid_grant', 70000, 'The provided value for the device code is not valid.');
      if (entry.expiresAt <= tokens.now()) {
        tokens.deviceCodes.delete(deviceCode);
        return oauthError(400, 'expired_token', 70019, 'Verification code expired.');
      }
      if (!entry.user) return oauthError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
      tokens.deviceCodes.delete(deviceCode);
      return userTokens(tokens, client.clientId, entry.user, form, flavour, entry.scope);
    }
    case 'refresh_token': {
      const refreshToken = form.get('refresh_token') ?? '';
      const entry = tokens.refreshTokens.get(refreshToken);
      if (!entry || entry.clientId !== client.clientId) return oauthError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      tokens.refreshTokens.delete(refreshToken); // rotated: each refresh token works once
      return userTokens(tokens, client.clientId, entry.user, form, flavour, entry.scope);
    }
    default:
      return oauthError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
  }
}

/** True when the client registered no redirect URIs (any is taken) or registered this one exactly. */
export function redirectRegistered(client: RegisteredClient, redirectUri: string): boolean {
  return client.redirectUris === undefined || client.redirectUris.includes(redirectUri);
}

export function redirectMismatch(client: RegisteredClient, redirectUri: string): TokenEndpointResult {
  return oauthError(400, 'invalid_request', 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'.`);
}

function missingAudience(flavour: TokenEndpointFlavour): TokenEndpointResult {
  return flavour === 'v2'
    ? oauthError(400, 'invalid_scope', 70011, "The provided request must include a 'scope' input parameter naming the resource, e.g. https://org.crm.dynamics.com/.default.")
    : oauthError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'resource'.");
}

function accessTokenBody(tokens: TokenService, accessToken: string, flavour: TokenEndpointFlavour, audience: string): Record<string, unknown> {
  const body: Record<string, unknown> = { token_type: 'Bearer', expires_in: tokens.lifetimeSeconds, ext_expires_in: tokens.lifetimeSeconds, access_token: accessToken };
  if (flavour !== 'v2') {
    body.resource = audience;
    body.expires_on = String(Math.floor(tokens.now() / 1000) + tokens.lifetimeSeconds);
  }
  return body;
}

function userTokens(tokens: TokenService, clientId: string, user: RegisteredUser, form: URLSearchParams, flavour: TokenEndpointFlavour, grantedScope?: string, nonce?: string): TokenEndpointResult {
  if (tokens.client(clientId)?.consentGranted === false) {
    // Entra's wording; the app's display name is its client id here
    return oauthError(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${clientId}' named '${clientId}'. Send an interactive authorization request for this user and resource.`);
  }
  const scope = grantedScope ?? form.get('scope') ?? '';
  const audience = audienceOf(flavour === 'v2' ? new URLSearchParams({ scope }) : form, flavour);
  if (!audience) return missingAudience(flavour);
  const body = accessTokenBody(tokens, tokens.issueAccessToken({ clientId, user }, audience, flavour === 'adfs' ? 'adfs' : 'tenant'), flavour, audience);
  body.refresh_token = tokens.issueRefreshToken(clientId, user, scope);
  if (flavour === 'v2') {
    body.scope = scope.split(' ').filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s)).join(' ');
    body.id_token = tokens.issueIdToken(clientId, user, nonce);
    body.client_info = tokens.clientInfo(user);
  }
  return { status: 200, body };
}

function pkceMatches(challenge: string, method: string | undefined, verifier: string | null): boolean {
  if (!verifier) return false;
  if ((method ?? 'plain') === 'plain') return verifier === challenge;
  return method === 'S256' && createHash('sha256').update(verifier).digest('base64url') === challenge;
}

type ClientAuth = { client: RegisteredClient; confidential: boolean } | TokenEndpointResult;

function authenticateClient(tokens: TokenService, form: URLSearchParams, authorization: string | undefined, endpointUrl: string): ClientAuth {
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  if (authorization?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  const assertion = form.get('client_assertion');
  if (assertion) return authenticateByAssertion(tokens, form, assertion, clientId, endpointUrl);
  const client = tokens.client(clientId);
  if (!client) {
    return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory '${tokens.tenantId}'.`);
  }
  if (secret !== null) {
    if (client.clientSecret === undefined || client.clientSecret !== secret) {
      return oauthError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    return { client, confidential: true };
  }
  if (!client.isPublic) return oauthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  return { client, confidential: false };
}

/**
 * Certificate credentials: the client signs a JWT (iss = sub = client id, aud = the token endpoint)
 * with the key of a certificate registered for it. We check the thumbprint header when present
 * (`x5t#S256`, or SHA-1 `x5t`), the signature against the registered certificate, and the claims.
 */
function authenticateByAssertion(tokens: TokenService, form: URLSearchParams, assertion: string, clientId: string | null, endpointUrl: string): ClientAuth {
  if (form.get('client_assertion_type') !== JWT_BEARER) {
    return oauthError(400, 'invalid_request', 50027, `client_assertion_type must be ${JWT_BEARER}.`);
  }
  const jwt = decodeJwt(assertion);
  if (!jwt) return oauthError(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  const issuer = typeof jwt.payload.iss === 'string' ? jwt.payload.iss : undefined;
  if (!issuer || jwt.payload.sub !== issuer || (clientId && clientId !== issuer)) {
    return oauthError(401, 'invalid_client', 700021, 'Client assertion application identifier does not match the client_id.');
  }
  const client = tokens.client(issuer);
  if (!client) return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${issuer}' was not found in the directory '${tokens.tenantId}'.`);
  if (!client.certificatePem) return oauthError(401, 'invalid_client', 700027, 'Client assertion contains an invalid signature. No certificate is registered for the application.');
  const certificate = new X509Certificate(client.certificatePem);
  const sha256 = createHash('sha256').update(certificate.raw).digest('base64url');
  const sha1 = createHash('sha1').update(certificate.raw).digest('base64url');
  const thumbprint256 = jwt.header['x5t#S256'];
  const thumbprint1 = jwt.header.x5t;
  if ((thumbprint256 !== undefined && thumbprint256 !== sha256) || (thumbprint256 === undefined && thumbprint1 !== undefined && thumbprint1 !== sha1)) {
    return oauthError(401, 'invalid_client', 700027, 'Client assertion contains an invalid signature. The key was not found.');
  }
  if (!verifyJwtSignature(jwt, certificate.publicKey)) {
    return oauthError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
  const nowSeconds = tokens.now() / 1000;
  if (typeof jwt.payload.exp !== 'number' || jwt.payload.exp <= nowSeconds) {
    return oauthError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
  }
  const audiences = Array.isArray(jwt.payload.aud) ? jwt.payload.aud : [jwt.payload.aud];
  if (!audiences.includes(endpointUrl)) {
    return oauthError(401, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${String(jwt.payload.aud)}'.`);
  }
  return { client, confidential: true };
}
