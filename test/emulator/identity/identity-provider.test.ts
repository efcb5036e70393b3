import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { Agent, request } from 'undici';
import { createCertificate } from '../../../src/emulator/identity/certificate.js';
import { startIdentityProvider, type IdentityProvider } from '../../../src/emulator/identity/identity-server.js';
import { trustingNetworkClient, type TrustingNetworkClient } from '../../../src/emulator/identity/trusting-network-client.js';
import { decodeJwt } from '../../../src/emulator/identity/jwt.js';

const ORG = 'https://contoso.crm.dynamics.com';
const clientCert = createCertificate({ commonName: 'dynasql test client' });
let idp: IdentityProvider;
let net: TrustingNetworkClient;
let agent: Agent;

beforeAll(async () => {
  idp = await startIdentityProvider({
    clients: [
      { clientId: 'app', clientSecret: 's3cret' },
      { clientId: 'cert-app', certificatePem: clientCert.certPem },
      { clientId: 'cli', isPublic: true },
    ],
    users: [{ username: 'ana@contoso.test', password: 'pw', displayName: 'Ana' }],
  });
  net = trustingNetworkClient(idp.caCertificatePem);
  agent = new Agent({ connect: { ca: idp.caCertificatePem } });
});
afterAll(async () => {
  await net.close();
  await agent.close();
  await idp.close();
});

const msalSystem = () => ({ networkClient: net as never });
const known = () => [new URL(idp.authority).host];
const postForm = async (url: string, form: Record<string, string>) => {
  const r = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: r.statusCode, body: (await r.body.json()) as Record<string, any> };
};

describe('identity provider over HTTPS', () => {
  it('serves an OpenID configuration whose issuer is on the authority host, and a JWKS that verifies its tokens', async () => {
    const config = await net.sendGetRequestAsync<Record<string, string>>(`${idp.authority}/v2.0/.well-known/openid-configuration`);
    expect(config.body.issuer).toBe(`${idp.authority}/v2.0`);
    expect(config.body.token_endpoint).toBe(`${idp.authority}/oauth2/v2.0/token`);
    const jwks = await net.sendGetRequestAsync<{ keys: any[] }>(config.body.jwks_uri!);
    const { body } = await postForm(config.body.token_endpoint!, { grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cret', scope: `${ORG}/.default` });
    const jwt = decodeJwt(body.access_token)!;
    const jwk = jwks.body.keys.find((k) => k.kid === jwt.header.kid);
    expect(verify('sha256', jwt.signingInput, createPublicKey({ key: jwk, format: 'jwk' }), jwt.signature)).toBe(true);
    expect(jwt.payload).toMatchObject({ aud: ORG, appid: 'app', iss: `${idp.authority}/v2.0`, tid: idp.tenantId });
  });

  it('refuses TLS to a client that does not trust the test CA', async () => {
    await expect(request(`${idp.url}/ca.pem`)).rejects.toThrow(/certificate/i);
  });

  it('gives msal-node a token by client credentials with a secret, and refuses a wrong secret', async () => {
    const cca = new ConfidentialClientApplication({ auth: { clientId: 'app', clientSecret: 's3cret', authority: idp.authority, knownAuthorities: known() }, system: msalSystem() });
    const result = await cca.acquireTokenByClientCredential({ scopes: [`${ORG}/.default`] });
    expect(idp.tokens.verifyAccessToken(result!.accessToken, [ORG]).valid).toBe(true);
    const wrong = new ConfidentialClientApplication({ auth: { clientId: 'app', clientSecret: 'nope', authority: idp.authority, knownAuthorities: known() }, system: msalSystem() });
    await expect(wrong.acquireTokenByClientCredential({ scopes: [`${ORG}/.default`] })).rejects.toThrow(/AADSTS7000215/);
  });

  it('verifies a certificate assertion against the registered certificate', async () => {
    const ok = new ConfidentialClientApplication({
      auth: { clientId: 'cert-app', authority: idp.authority, knownAuthorities: known(), clientCertificate: { thumbprintSha256: clientCert.thumbprintSha256, privateKey: clientCert.keyPem } },
      system: msalSystem(),
    });
    const token = await ok.acquireTokenByClientCredential({ scopes: [`${ORG}/.default`] });
    expect(decodeJwt(token!.accessToken)!.payload.appid).toBe('cert-app');

    const impostor = createCertificate({ commonName: 'someone else' });
    const bad = new ConfidentialClientApplication({
      auth: { clientId: 'cert-app', authority: idp.authority, knownAuthorities: known(), clientCertificate: { thumbprintSha256: clientCert.thumbprintSha256, privateKey: impostor.keyPem } },
      system: msalSystem(),
    });
    await expect(bad.acquireTokenByClientCredential({ scopes: [`${ORG}/.default`] })).rejects.toThrow(/AADSTS700027/);
  });

  it('runs the authorization-code flow with PKCE, refusing a wrong verifier', async () => {
    const pca = new PublicClientApplication({ auth: { clientId: 'cli', authority: idp.authority, knownAuthorities: known() }, system: msalSystem() });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://localhost:53123/callback';
    const scopes = [`${ORG}/user_impersonation`];
    const authorizeUrl = await pca.getAuthCodeUrl({ scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256' });
    const redirect = await request(authorizeUrl, { dispatcher: agent });
    expect(redirect.statusCode).toBe(302);
    const code = new URL(String(redirect.headers.location)).searchParams.get('code')!;
    await expect(pca.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: 'wrong-verifier-wrong-verifier-wrong-verifier' })).rejects.toThrow(/AADSTS501481/);

    const again = new URL(String((await request(authorizeUrl, { dispatcher: agent })).headers.location)).searchParams.get('code')!;
    const result = await pca.acquireTokenByCode({ code: again, scopes, redirectUri, codeVerifier: verifier });
    expect(result.account?.username).toBe('ana@contoso.test');
    expect(decodeJwt(result.accessToken)!.payload).toMatchObject({ aud: ORG, upn: 'ana@contoso.test', scp: 'user_impersonation' });

    // refresh: msal-node uses the refresh_token grant when forced
    const refreshed = await pca.acquireTokenSilent({ account: result.account!, scopes, forceRefresh: true });
    expect(refreshed.accessToken).not.toBe(result.accessToken);
  });

  it('runs the interactive flow: msal-node 7 loopback with response_mode=form_post', async () => {
    const pca = new PublicClientApplication({ auth: { clientId: 'cli', authority: idp.authority, knownAuthorities: known() }, system: msalSystem() });
    // The test plays the user's browser: open the authorize URL, then submit its form to the loopback listener.
    const openBrowser = async (authorizeUrl: string) => {
      expect(new URL(authorizeUrl).searchParams.get('response_mode')).toBe('form_post');
      const page = await (await request(authorizeUrl, { dispatcher: agent })).body.text();
      const action = /action="([^"]+)"/.exec(page)![1]!.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));
      const fields = Object.fromEntries([...page.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      const posted = await request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
      await posted.body.text();
    };
    const result = await pca.acquireTokenInteractive({ scopes: [`${ORG}/user_impersonation`], openBrowser, successTemplate: 'signed in', errorTemplate: 'failed' });
    expect(result.account?.username).toBe('ana@contoso.test');
    expect(idp.tokens.verifyAccessToken(result.accessToken, [ORG]).valid).toBe(true);
  });

  it('runs the device-code flow: pending until the user approves', async () => {
    const pca = new PublicClientApplication({ auth: { clientId: 'cli', authority: idp.authority, knownAuthorities: known() }, system: msalSystem() });
    const result = await pca.acquireTokenByDeviceCode({
      scopes: [`${ORG}/user_impersonation`],
      deviceCodeCallback: (info) => {
        setTimeout(() => void net.sendGetRequestAsync(`${info.verificationUri}?user_code=${info.userCode}`), 1200);
      },
    });
    expect(result?.account?.username).toBe('ana@contoso.test');
  });

  it('answers the v1 and AD FS token endpoints by resource, and the password grant', async () => {
    const v1 = await postForm(`${idp.authority}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cret', resource: ORG });
    expect(v1.status).toBe(200);
    expect(v1.body.resource).toBe(ORG);
    const adfs = await postForm(`${idp.adfsAuthority}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cret', resource: 'https://ax.d365ffo.onprem.contoso.com' });
    expect(decodeJwt(adfs.body.access_token)!.payload).toMatchObject({ aud: 'https://ax.d365ffo.onprem.contoso.com', iss: `${idp.url}/adfs/services/trust` });
    const password = await postForm(`${idp.adfsAuthority}/oauth2/token`, { grant_type: 'password', client_id: 'cli', username: 'ana@contoso.test', password: 'pw', resource: 'https://ax.d365ffo.onprem.contoso.com' });
    expect(decodeJwt(password.body.access_token)!.payload.upn).toBe('ana@contoso.test');
    const wrong = await postForm(`${idp.adfsAuthority}/oauth2/token`, { grant_type: 'password', client_id: 'cli', username: 'ana@contoso.test', password: 'x', resource: ORG });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const msalAdfs = new ConfidentialClientApplication({ auth: { clientId: 'app', clientSecret: 's3cret', authority: idp.adfsAuthority, knownAuthorities: known() }, system: msalSystem() });
    const viaMsal = await msalAdfs.acquireTokenByClientCredential({ scopes: ['https://ax.d365ffo.onprem.contoso.com/.default'] });
    expect(decodeJwt(viaMsal!.accessToken)!.payload.iss).toBe(`${idp.url}/adfs/services/trust`);
    const adfsConfig = await net.sendGetRequestAsync<Record<string, string>>(`${idp.adfsAuthority}/.well-known/openid-configuration`);
    expect(adfsConfig.body.token_endpoint).toBe(`${idp.adfsAuthority}/oauth2/token`);
  });

  it('refuses client credentials without /.default and unknown grants', async () => {
    const noDefault = await postForm(`${idp.authority}/oauth2/v2.0/token`, { grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cret', scope: `${ORG}/user_impersonation` });
    expect(noDefault).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const unknown = await postForm(`${idp.authority}/oauth2/v2.0/token`, { grant_type: 'magic', client_id: 'app', client_secret: 's3cret' });
    expect(unknown).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });
});

describe('a given TLS certificate', () => {
  it('serves HTTPS with the certificate it was given, trusted through its CA', async () => {
    const ca = createCertificate({ commonName: 'my test CA', isCa: true });
    const server = createCertificate({ commonName: 'localhost', altNames: ['127.0.0.1'], issuer: ca });
    const given = await startIdentityProvider({ tls: { certPem: server.certPem, keyPem: server.keyPem, caPem: ca.certPem } });
    const client = trustingNetworkClient(ca.certPem);
    try {
      expect(given.caCertificatePem).toBe(ca.certPem);
      const config = await client.sendGetRequestAsync<Record<string, string>>(`${given.authority}/v2.0/.well-known/openid-configuration`);
      expect(config.status).toBe(200);
      await expect(startIdentityProvider({ tls: { certPem: server.certPem, keyPem: ca.keyPem } })).rejects.toThrow('the TLS private key does not match the certificate');
    } finally {
      await client.close();
      await given.close();
    }
  });
});

describe('token check', () => {
  it('refuses expired, foreign-audience and tampered tokens', async () => {
    let now = Date.now();
    const local = await startIdentityProvider({ tokenLifetimeSeconds: 60 }, () => now);
    try {
      const token = local.tokens.issueAccessToken({ clientId: 'dynasql-emulator-app' }, ORG, 'tenant');
      expect(local.tokens.verifyAccessToken(token, [`${ORG}/`])).toMatchObject({ valid: true });
      expect(local.tokens.verifyAccessToken(token, ['https://other.crm.dynamics.com'])).toEqual({ valid: false, reason: 'The access token was issued for a different audience.' });
      const [h, p, s] = token.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(token)!.payload, aud: 'x' })).toString('base64url')}.${s}`;
      expect(local.tokens.verifyAccessToken(forged, ['x']).valid).toBe(false);
      expect(local.tokens.verifyAccessToken(`${h}.${p}.`, [ORG]).valid).toBe(false);
      now += 61_000;
      expect(local.tokens.verifyAccessToken(token, [ORG])).toEqual({ valid: false, reason: 'The access token has expired.' });
      // a token from another provider instance (another key) is foreign
      expect(idp.tokens.verifyAccessToken(token, [ORG]).valid).toBe(false);
    } finally {
      await local.close();
    }
  });
});
