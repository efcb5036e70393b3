/**
 * Each auth scheme end to end: a connection string through resolveOptions, createTokenProvider, the
 * executor, the emulator's API with its auth on, and the emulator's identity provider over HTTPS with its
 * test certificate authority (given as the CA File setting).
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeCodeExchange, createTokenProvider, getAuthorizationUrl } from '../../src/auth/index.js';
import { resolveOptions, type ConnectionOptions, type CustomTokenFunction } from '../../src/config/index.js';
import { createCertificate, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DynasqlError } from '../../src/errors/index.js';
import { createExecutor } from '../../src/http/index.js';

let emulator: RunningEmulator;
let dir: string;
let caFile: string;
let browser: Agent;
const certificate = createCertificate({ commonName: 'dynasql-test-app' });

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    rows: 10,
    auth: {
      clients: [
        { clientId: 'app', clientSecret: 'app-secret-value' },
        { clientId: 'cert-app', certificatePem: certificate.certPem },
        { clientId: 'cli', isPublic: true },
      ],
      deviceCodeIntervalSeconds: 1,
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'dynasql-auth-'));
  caFile = join(dir, 'emulator-ca.pem');
  writeFileSync(caFile, emulator.identity!.caCertificatePem);
  browser = new Agent({ connect: { ca: emulator.identity!.caCertificatePem } });
});
afterAll(async () => {
  await browser.close();
  await emulator.close();
});

function settings(extra: string): ConnectionOptions {
  const identity = emulator.identity!;
  return resolveOptions(`Organization URL=${emulator.origin};Authority Host=${identity.url};Azure Tenant=${identity.tenantId};CA File=${caFile};${extra}`, { env: {} });
}

/** reads one account through the executor with the given options' token provider */
async function readWith(options: ConnectionOptions, edges: Parameters<typeof createTokenProvider>[1] = {}) {
  const auth = createTokenProvider(options, edges);
  const executor = createExecutor({ ...options, ...(auth ? { auth } : {}) });
  try {
    const response = await executor.send({ method: 'GET', url: 'accounts?$select=name&$top=1' });
    return { status: response.status, token: await auth?.getToken() };
  } finally {
    await executor.close();
    await auth?.close();
  }
}

/** plays the user's browser: follow the authorize URL's redirect back to our loopback listener */
async function signInAsUser(url: string): Promise<void> {
  const answer = await request(url, { dispatcher: browser });
  await answer.body.dump();
  const location = answer.headers.location;
  if (answer.statusCode !== 302 || typeof location !== 'string') throw new Error(`authorize answered ${answer.statusCode}`);
  const back = await request(location);
  await back.body.dump();
}

describe('auth schemes against the emulator identity provider', () => {
  it('the API refuses a request without a token (401 → DYNASQL_ERR_AUTH)', async () => {
    await expect(readWith(resolveOptions(`Organization URL=${emulator.origin}`, { env: {} }))).rejects.toMatchObject({ code: 'DYNASQL_ERR_AUTH', status: 401 });
  });

  it('ClientSecret (client credentials)', async () => {
    const result = await readWith(settings('Auth Scheme=ClientSecret;Client Id=app;Client Secret=app-secret-value'));
    expect(result.status).toBe(200);
  });

  it('logs the sign-in at verbosity 5 (msal included) without the secret or the token', async () => {
    const lines: string[] = [];
    const options = resolveOptions(
      {
        'Organization URL': emulator.origin,
        'Authority Host': emulator.identity!.url,
        'Azure Tenant': emulator.identity!.tenantId,
        'CA File': caFile,
        'Auth Scheme': 'ClientSecret',
        'Client Id': 'app',
        'Client Secret': 'app-secret-value',
        Verbosity: 5,
        logSink: (line: string) => lines.push(line),
      },
      { env: {} },
    );
    const { token } = await readWith(options);
    const text = lines.join('\n');
    expect(text).toContain('token acquired by client credentials');
    expect(text).toContain('msal:');
    expect(text).toMatch(/connected https:\/\/127\.0\.0\.1/);
    expect(text).not.toContain('app-secret-value');
    expect(text).not.toContain(token!);
    expect(text).not.toContain(token!.split('.')[2]!);
  });

  it('ClientSecret with a wrong secret fails with DYNASQL_ERR_AUTH that does not echo the secret', async () => {
    const error = await readWith(settings('Auth Scheme=ClientSecret;Client Id=app;Client Secret=wrong-secret-value')).catch((e: unknown) => e);
    expect(DynasqlError.is(error, 'DYNASQL_ERR_AUTH')).toBe(true);
    expect((error as Error).message).not.toContain('wrong-secret-value');
  });

  it('ClientCertificate (a signed client assertion), from a PEM file', async () => {
    const pem = join(dir, 'app.pem');
    writeFileSync(pem, `${certificate.certPem}\n${certificate.keyPem}`, { mode: 0o600 });
    const result = await readWith(settings(`Auth Scheme=ClientCertificate;Client Id=cert-app;Certificate=${pem}`));
    expect(result.status).toBe(200);
  });

  it('AuthCode with PKCE: opens the browser, listens on the loopback redirect, caches the account', async () => {
    const cacheFile = join(dir, 'authcode-cache.json');
    const opened: string[] = [];
    const options = settings(`Auth Scheme=AuthCode;Client Id=cli;Callback Port=0;Token Cache File=${cacheFile}`);
    const result = await readWith(options, { openBrowser: async (url) => (opened.push(url), signInAsUser(url)) });
    expect(result.status).toBe(200);
    expect(opened).toHaveLength(1);
    const url = new URL(opened[0]!);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+$/);
    expect(url.searchParams.get('scope')).toContain(`${emulator.origin}/user_impersonation`);
    // the cache file is private, and a new connection signs in from it without the browser
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(cacheFile, 'utf8')).toContain('RefreshToken');
    const again = await readWith(options, { openBrowser: () => Promise.reject(new Error('the browser should not open')) });
    expect(again.status).toBe(200);
  });

  it('DeviceCode: prints the instructions and polls until the user approves', async () => {
    const printed: string[] = [];
    const result = await readWith(settings('Auth Scheme=DeviceCode;Client Id=cli'), {
      print: (message) => {
        printed.push(message);
        const code = /enter the code (\S+)/.exec(message)?.[1];
        const page = /open the page (\S+)/.exec(message)?.[1];
        void request(`${page}?user_code=${code}&username=admin@contoso.test`, { dispatcher: browser }).then((r) => r.body.dump());
      },
    });
    expect(result.status).toBe(200);
    expect(printed[0]).toMatch(/enter the code/);
  });

  it('getAuthorizationUrl + completeCodeExchange (for GetOAuthAccessToken), then RefreshToken and AccessToken', async () => {
    const options = settings('Client Id=cli;Redirect URI=http://localhost:33999/cb');
    const { url, codeVerifier, state } = await getAuthorizationUrl(options);
    expect(new URL(url).searchParams.get('state')).toBe(state);
    const answer = await request(url, { dispatcher: browser });
    await answer.body.dump();
    const code = new URL(String(answer.headers.location)).searchParams.get('code')!;
    const tokens = await completeCodeExchange(options, { code, codeVerifier });
    expect(tokens.accessToken).toMatch(/^eyJ/);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresOnMs).toBeGreaterThan(Date.now());

    const byRefresh = await readWith(settings(`Auth Scheme=RefreshToken;Client Id=cli;Refresh Token=${tokens.refreshToken}`));
    expect(byRefresh.status).toBe(200);
    const byAccess = await readWith(resolveOptions(`Organization URL=${emulator.origin};Access Token=${tokens.accessToken}`, { env: {} }));
    expect(byAccess.status).toBe(200);
    await expect(readWith(resolveOptions(`Organization URL=${emulator.origin};Access Token=not-a-token`, { env: {} }))).rejects.toMatchObject({ code: 'DYNASQL_ERR_AUTH' });
  });

  it("Custom: the app's own token function, asked again with forceRefresh after a 401", async () => {
    const calls: boolean[] = [];
    const good = (await readWith(settings('Auth Scheme=ClientSecret;Client Id=app;Client Secret=app-secret-value'))).token!;
    const tokenProvider: CustomTokenFunction = async ({ forceRefresh, scopes }) => {
      calls.push(forceRefresh);
      expect(scopes).toEqual([`${emulator.origin}/.default`]);
      return forceRefresh ? good : 'stale-token';
    };
    const options = resolveOptions({ organizationUrl: emulator.origin, tokenProvider }, { env: {} });
    const result = await readWith(options);
    expect(result.status).toBe(200);
    expect(calls.slice(0, 2)).toEqual([false, true]);
  });

  it('ADFS (FinOpsOnPremise): client credentials against the AD FS endpoint', async () => {
    const identity = emulator.identity!;
    const options = resolveOptions(
      `Organization URL=${emulator.origin};Edition=FinOpsOnPremise;ADFS Server=${identity.url};Client Id=app;Client Secret=app-secret-value;CA File=${caFile}`,
      { env: {} },
    );
    expect(options.authScheme).toBe('ADFS');
    const auth = createTokenProvider(options)!;
    try {
      const token = await auth.getToken();
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { aud: string; iss: string };
      expect(payload.aud.replace(/\/$/, '')).toBe(emulator.origin);
      expect(payload.iss).toContain('/adfs');
      // the API accepts it (the Dataverse root serves here; the token is what is under test)
      const executor = createExecutor({ ...options, serviceRoot: emulator.url, auth });
      expect((await executor.send({ method: 'GET', url: 'accounts?$top=1' })).status).toBe(200);
      await executor.close();
    } finally {
      await auth.close();
    }
  });
});
