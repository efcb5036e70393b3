import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { certificateFromPem, createLoopbackTlsCertificates } from './certificate.js';
import type { AuthOptions } from './identity-options.js';
import { handleTokenRequest, oauthError, redirectMismatch, redirectRegistered, type TokenEndpointFlavour } from './token-endpoint.js';
import { TokenService } from './token-service.js';

/** A running identity provider. `authority` is what msal-node takes; `caCertificatePem` what its HTTP client must trust. */
export interface IdentityProvider {
  /** https origin, e.g. `https://127.0.0.1:53211`. */
  url: string;
  /** Entra-style authority: `${url}/${tenantId}`. */
  authority: string;
  /** AD FS authority for FinOpsOnPremise: `${url}/adfs`. */
  adfsAuthority: string;
  tenantId: string;
  /** PEM of the certificate that signed the provider's TLS certificate (or of that certificate when given without a CA). */
  caCertificatePem: string;
  tokens: TokenService;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;

/**
 * Starts the OAuth 2.0 / OpenID Connect provider over HTTPS on 127.0.0.1. Paths follow Entra ID
 * (`/{tenant}/v2.0/.well-known/openid-configuration`, `/{tenant}/oauth2/v2.0/token`, `…/authorize`,
 * `…/devicecode`, `/{tenant}/discovery/v2.0/keys`, v1 `/{tenant}/oauth2/token`) and AD FS
 * (`/adfs/.well-known/openid-configuration`, `/adfs/oauth2/token`, `/adfs/discovery/keys`).
 * The emulator plays the user: `…/authorize` signs in the default (or `login_hint`) user at once, and
 * `GET /devicelogin?user_code=…` approves a device code. `GET /ca.pem` serves the CA certificate.
 */
export async function startIdentityProvider(options: AuthOptions, now: () => number = Date.now): Promise<IdentityProvider> {
  const tokens = new TokenService(options, now);
  let caPem: string;
  let tls: { cert: string; key: string };
  if (options.tls) {
    certificateFromPem(options.tls.certPem, options.tls.keyPem);
    tls = { cert: options.tls.certPem, key: options.tls.keyPem };
    caPem = options.tls.caPem ?? options.tls.certPem;
  } else {
    const made = createLoopbackTlsCertificates();
    tls = { cert: made.server.certPem, key: made.server.keyPem };
    caPem = made.ca.certPem;
  }
  const server: Server = createServer(tls, (req, res) => {
    route(tokens, options, caPem, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: 'The identity provider failed to handle the request.' });
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  tokens.baseUrl = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: tokens.baseUrl,
    authority: `${tokens.baseUrl}/${tokens.tenantId}`,
    adfsAuthority: `${tokens.baseUrl}/adfs`,
    tenantId: tokens.tenantId,
    caCertificatePem: caPem,
    tokens,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function route(tokens: TokenService, options: AuthOptions, caPem: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', tokens.baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const base = tokens.baseUrl;
  const tenant = `${base}/${tokens.tenantId}`;
  const segments = path.split('/').filter(Boolean);

  if (path === '/ca.pem') return sendText(res, 200, 'application/x-pem-file', caPem);
  if (path === '/devicelogin') return approveDeviceCode(tokens, url, res);

  if (segments[0] === 'adfs') {
    const rest = segments.slice(1).join('/');
    if (rest === '.well-known/openid-configuration') return sendJson(res, 200, discovery(`${base}/adfs`, `${base}/adfs/oauth2`, `${base}/adfs/discovery/keys`));
    if (rest === 'discovery/keys') return sendJson(res, 200, tokens.jwks());
    if (rest === 'oauth2/token') return tokenEndpoint(tokens, req, res, `${base}/adfs/oauth2/token`, 'adfs');
    if (rest === 'oauth2/authorize') return authorize(tokens, url, res);
    return sendJson(res, 404, { error: 'not_found' });
  }

  if (segments[0] !== tokens.tenantId && segments[0] !== 'common' && segments[0] !== 'organizations') {
    return sendJson(res, 400, oauthError(400, 'invalid_tenant', 90002, `Tenant '${segments[0] ?? ''}' not found.`).body);
  }
  const rest = segments.slice(1).join('/');
  switch (rest) {
    case 'v2.0/.well-known/openid-configuration':
    case '.well-known/openid-configuration':
      return sendJson(res, 200, discovery(`${tenant}/v2.0`, `${tenant}/oauth2/v2.0`, `${tenant}/discovery/v2.0/keys`));
    case 'discovery/v2.0/keys':
    case 'discovery/keys':
      return sendJson(res, 200, tokens.jwks());
    case 'oauth2/v2.0/token':
      return tokenEndpoint(tokens, req, res, `${tenant}/oauth2/v2.0/token`, 'v2');
    case 'oauth2/token':
      return tokenEndpoint(tokens, req, res, `${tenant}/oauth2/token`, 'v1');
    case 'oauth2/v2.0/authorize':
    case 'oauth2/authorize':
      return authorize(tokens, url, res);
    case 'oauth2/v2.0/devicecode':
    case 'oauth2/devicecode':
      return deviceCode(tokens, options, req, res);
    default:
      return sendJson(res, 404, { error: 'not_found' });
  }
}

/**
 * The OpenID configuration. msal-node checks that `issuer` is on the authority's host, then uses the
 * endpoints as given.
 */
function discovery(issuer: string, endpoints: string, jwksUri: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${endpoints}/authorize`,
    token_endpoint: `${endpoints}/token`,
    device_authorization_endpoint: `${endpoints}/devicecode`,
    end_session_endpoint: `${endpoints}/logout`,
    jwks_uri: jwksUri,
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'password', 'urn:ietf:params:oauth:grant-type:device_code'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    code_challenge_methods_supported: ['plain', 'S256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
  };
}

async function tokenEndpoint(tokens: TokenService, req: IncomingMessage, res: ServerResponse, endpointUrl: string, flavour: TokenEndpointFlavour): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'invalid_request', error_description: 'The token endpoint takes POST.' });
  const form = await readForm(req);
  if (!form) return sendJson(res, 400, oauthError(400, 'invalid_request', 900144, 'The request body must be application/x-www-form-urlencoded and at most 64 KB.').body);
  const result = handleTokenRequest(tokens, form, req.headers.authorization, endpointUrl, flavour);
  return sendJson(res, result.status, result.body);
}

/**
 * Signs the user in without a page: the code goes back to `redirect_uri`, by redirect
 * (`response_mode=query`, the default) or by an auto-submitting form (`form_post`, which msal-node 7's
 * loopback listener insists on).
 */
function authorize(tokens: TokenService, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const client = tokens.client(q.get('client_id'));
  const redirectUri = q.get('redirect_uri');
  if (!client || !redirectUri || q.get('response_type') !== 'code') {
    return sendJson(res, 400, oauthError(400, 'invalid_request', 900144, 'authorize needs a registered client_id, a redirect_uri and response_type=code.').body);
  }
  // Entra never redirects to an unregistered address: the user sees the error page instead
  if (!redirectRegistered(client, redirectUri)) return sendJson(res, 400, redirectMismatch(client, redirectUri).body);
  const user = tokens.user(q.get('login_hint')) ?? tokens.users[0];
  if (!user) return sendJson(res, 400, oauthError(400, 'invalid_request', 50034, 'No user is registered with the emulator.').body);
  const code = tokens.newId();
  tokens.authorizationCodes.set(code, {
    clientId: client.clientId, redirectUri, scope: q.get('scope') ?? '', user,
    challenge: q.get('code_challenge') ?? undefined, method: q.get('code_challenge_method') ?? undefined,
    nonce: q.get('nonce') ?? undefined, expiresAt: tokens.now() + 10 * 60 * 1000,
  });
  const state = q.get('state');
  if (q.get('response_mode') === 'form_post') {
    const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    const html = `<!doctype html><html><body onload="document.forms[0].submit()"><form method="POST" action="${escapeHtml(redirectUri)}">${field('code', code)}${state !== null ? field('state', state) : ''}${field('client_info', tokens.clientInfo(user))}</form></body></html>`;
    return sendText(res, 200, 'text/html; charset=utf-8', html);
  }
  const target = new URL(redirectUri);
  target.searchParams.set('code', code);
  if (state !== null) target.searchParams.set('state', state);
  target.searchParams.set('client_info', tokens.clientInfo(user));
  res.writeHead(302, { location: target.toString() });
  res.end();
}

async function deviceCode(tokens: TokenService, options: AuthOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = req.method === 'POST' ? await readForm(req) : undefined;
  const client = tokens.client(form?.get('client_id'));
  if (!form || !client) return sendJson(res, 400, oauthError(400, 'invalid_client', 700016, 'The device code request needs a registered client_id.').body);
  const userCode = tokens.newUserCode();
  const device = tokens.newId();
  const expiresIn = 900;
  tokens.deviceCodes.set(device, { clientId: client.clientId, userCode, scope: form.get('scope') ?? '', expiresAt: tokens.now() + expiresIn * 1000 });
  const verificationUri = `${tokens.baseUrl}/devicelogin`;
  return sendJson(res, 200, {
    user_code: userCode, device_code: device, verification_uri: verificationUri, expires_in: expiresIn,
    interval: options.deviceCodeIntervalSeconds ?? 1,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
  });
}

/** The user's side of the device flow: `GET /devicelogin?user_code=ABC&username=…` approves the code. */
function approveDeviceCode(tokens: TokenService, url: URL, res: ServerResponse): void {
  const userCode = url.searchParams.get('user_code');
  const user = tokens.user(url.searchParams.get('username')) ?? tokens.users[0];
  for (const entry of tokens.deviceCodes.values()) {
    if (entry.userCode === userCode && user) {
      entry.user = user;
      return sendText(res, 200, 'text/plain; charset=utf-8', `Signed in as ${user.username}. You may close this window.\n`);
    }
  }
  sendText(res, 404, 'text/plain; charset=utf-8', `No pending sign-in has the code ${userCode === null ? '(none)' : JSON.stringify(userCode)}.\n`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
