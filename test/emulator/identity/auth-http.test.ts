import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { request } from 'undici';
import { startEmulator, trustingNetworkClient, type RunningEmulator } from '../../../src/emulator/index.js';
import { startIdentityProvider, type IdentityProvider } from '../../../src/emulator/identity/identity-server.js';
import type { TrustingNetworkClient } from '../../../src/emulator/identity/trusting-network-client.js';

let emulator: RunningEmulator;
let net: TrustingNetworkClient;
let stranger: IdentityProvider;

beforeAll(async () => {
  emulator = await startEmulator({ auth: { audience: 'https://contoso.crm.dynamics.com' } });
  net = trustingNetworkClient(emulator.identity!.caCertificatePem);
  stranger = await startIdentityProvider({});
});
afterAll(async () => {
  await net.close();
  await stranger.close();
  await emulator.close();
});

const read = async (token?: string) => {
  const res = await request(`${emulator.url}accounts?$select=name&$top=2`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers as Record<string, string>, text };
};

describe('API auth with the emulator identity provider', () => {
  it('reads accounts with a token msal-node got by client credentials', async () => {
    const identity = emulator.identity!;
    const cca = new ConfidentialClientApplication({
      auth: { clientId: 'dynasql-emulator-app', clientSecret: 'dynasql-emulator-secret', authority: identity.authority, knownAuthorities: [new URL(identity.authority).host] },
      system: { networkClient: net as never },
    });
    // The emulator's own origin is an accepted audience, as is the configured org URL.
    for (const org of [emulator.origin, 'https://contoso.crm.dynamics.com']) {
      const result = await cca.acquireTokenByClientCredential({ scopes: [`${org}/.default`] });
      const reply = await read(result!.accessToken);
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.text).value).toHaveLength(2);
    }
  });

  it('answers 401 with the authority in WWW-Authenticate when no token is sent', async () => {
    const reply = await read();
    expect(reply.status).toBe(401);
    expect(reply.text).toBe('');
    expect(reply.headers['www-authenticate']).toBe(`Bearer authorization_uri=${emulator.identity!.authority}/oauth2/authorize, resource_id=https://contoso.crm.dynamics.com/`);
  });

  it('refuses an expired token', async () => {
    const expired = emulator.identity!.tokens.issueAccessToken({ clientId: 'dynasql-emulator-app' }, emulator.origin, 'tenant', -5);
    const reply = await read(expired);
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toContain('error="invalid_token", error_description="The access token has expired."');
  });

  it('refuses a token from another identity provider and one for another org', async () => {
    const foreign = stranger.tokens.issueAccessToken({ clientId: 'dynasql-emulator-app' }, emulator.origin, 'tenant');
    expect((await read(foreign)).status).toBe(401);
    const otherOrg = emulator.identity!.tokens.issueAccessToken({ clientId: 'dynasql-emulator-app' }, 'https://fabrikam.crm.dynamics.com', 'tenant');
    const reply = await read(otherOrg);
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toContain('The access token was issued for a different audience.');
    expect((await read('not-a-jwt')).status).toBe(401);
  });

  it('tells clients where to get tokens and which CA to trust, over plain HTTP', async () => {
    const res = await request(`${emulator.origin}/_emulator/identity`);
    expect(await res.body.json()).toEqual({
      authority: emulator.identity!.authority, adfsAuthority: emulator.identity!.adfsAuthority, tenantId: emulator.identity!.tenantId,
      caCertificatePem: expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n/),
    });
  });

  it('leaves the control endpoints open and counts refusals', async () => {
    const res = await request(`${emulator.origin}/_emulator/stats`);
    const stats = (await res.body.json()) as Record<string, number>;
    expect(res.statusCode).toBe(200);
    expect(stats.unauthorized).toBeGreaterThanOrEqual(4);
  });
});
