/**
 * A failed sign-in names its cause and what to do, never msal's raw text ("endpoints_resolution_error
 * … See https://aka.ms/msal.js.errors#…"), and never a secret. Each cause is produced for real: the
 * emulator's identity provider (unknown tenant, wrong secret, consent missing, unregistered redirect,
 * a confidential app used for device code), its HTTPS server without the CA File (an untrusted
 * certificate), and a loopback port nobody listens on (an unreachable authority).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeCodeExchange, createTokenProvider, getAuthorizationUrl, type AuthEdges } from '../../src/auth/index.js';
import { listenForRedirect, RedirectedSignInError } from '../../src/auth/loopback-redirect.js';
import { signInError } from '../../src/auth/sign-in-errors.js';
import { resolveOptions } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DynasqlError } from '../../src/errors/index.js';

const SECRET = 'app-secret-Xq7-value';
const WRONG_SECRET = 'wrong-secret-Zr9-value';
let emulator: RunningEmulator;
let caFile: string;
let browser: Agent;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    rows: 5,
    auth: {
      clients: [
        { clientId: 'app', clientSecret: SECRET },
        { clientId: 'cli', isPublic: true },
        { clientId: 'no-consent', isPublic: true, consentGranted: false },
        { clientId: 'strict-redirect', isPublic: true, redirectUris: ['http://localhost:33998/registered'] },
      ],
      deviceCodeIntervalSeconds: 1,
    },
  });
  caFile = join(mkdtempSync(join(tmpdir(), 'dynasql-signin-')), 'ca.pem');
  writeFileSync(caFile, emulator.identity!.caCertificatePem);
  browser = new Agent({ connect: { ca: emulator.identity!.caCertificatePem } });
});
afterAll(async () => {
  await browser.close();
  await emulator.close();
});

function options(extra: string, { trusted = true, tenant = emulator.identity!.tenantId, host = emulator.identity!.url } = {}) {
  return resolveOptions(`Organization URL=${emulator.origin};Authority Host=${host};Azure Tenant=${tenant};${trusted ? `CA File=${caFile};` : ''}${extra}`, { env: {} });
}

/** the error a first token request fails with */
async function signInFailure(extra: string, how: Parameters<typeof options>[1] = {}, edges: AuthEdges = {}): Promise<DynasqlError> {
  const provider = createTokenProvider(options(extra, how), { print: () => undefined, ...edges })!;
  try {
    await provider.getToken();
  } catch (error) {
    expect(error).toBeInstanceOf(DynasqlError);
    return error as DynasqlError;
  } finally {
    await provider.close();
  }
  throw new Error('the sign-in succeeded');
}

function expectActionable(error: DynasqlError, cause: string, advice: RegExp): void {
  expect(error.code).toBe('DYNASQL_ERR_AUTH');
  expect(error.details?.cause).toBe(cause);
  expect(error.message).toMatch(advice);
  expect(error.message).not.toMatch(/aka\.ms|endpoints_resolution_error|Correlation ID/);
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toContain(WRONG_SECRET);
}

/** a loopback port with nothing listening: listen, note the port, close */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('sign-in errors by cause', () => {
  it('unknown tenant: names the tenant and where to find the right one', async () => {
    const error = await signInFailure(`Auth Scheme=ClientSecret;Client Id=app;Client Secret=${SECRET}`, { tenant: 'contoso.onmicrosoft.co' });
    expectActionable(error, 'unknown-tenant', /the tenant 'contoso\.onmicrosoft\.co' does not exist \(AADSTS90002\)\. Set Azure Tenant/);
    expect(error.serviceCode).toBe('AADSTS90002');
  });

  it('unreachable authority: names the host and the proxy settings', async () => {
    const port = await closedPort();
    const error = await signInFailure(`Auth Scheme=ClientSecret;Client Id=app;Client Secret=${SECRET}`, { host: `https://127.0.0.1:${port}` });
    expectActionable(error, 'unreachable-authority', new RegExp(`cannot reach the identity provider at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. .*Proxy`));
    expect(error.details?.transportCode).toBe('ECONNREFUSED');
  });

  it('untrusted certificate (no CA File for a private CA): says to set CA File', async () => {
    const error = await signInFailure(`Auth Scheme=ClientSecret;Client Id=app;Client Secret=${SECRET}`, { trusted: false });
    expectActionable(error, 'untrusted-certificate', /presented a certificate this machine does not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. .*set CA File/);
  });

  it('wrong client secret: the Value, not the Secret ID; the secret appears nowhere, even at Verbosity 5', async () => {
    const log: string[] = [];
    // the logger is built from the settings: Verbosity 5 (msal's own log included) into logSink
    const settings = { ...options(`Auth Scheme=ClientSecret;Client Id=app;Client Secret=${WRONG_SECRET};Verbosity=5`), logSink: (line: string) => log.push(line) };
    const logged = createTokenProvider(settings, { print: () => undefined })!;
    const error = await logged.getToken().then(
      () => undefined,
      (e: unknown) => e as DynasqlError,
    );
    await logged.close();
    expect(error).toBeDefined();
    expectActionable(error!, 'wrong-client-secret', /the client secret is wrong \(AADSTS7000215\)\. Use the secret's Value .*not its Secret ID/);
    expect(log.length).toBeGreaterThan(0);
    expect(log.join('\n')).not.toContain(WRONG_SECRET);
    expect(JSON.stringify(error!.details)).not.toContain(WRONG_SECRET);
  });

  it('unknown client id: names the id and the Overview page', async () => {
    const error = await signInFailure(`Auth Scheme=ClientSecret;Client Id=not-registered;Client Secret=${SECRET}`);
    expectActionable(error, 'unknown-client', /no application with Client Id 'not-registered' is registered in this tenant \(AADSTS700016\)/);
  });

  it('consent missing (DeviceCode, approved by the user): API permissions and admin consent', async () => {
    const error = await signInFailure('Auth Scheme=DeviceCode;Client Id=no-consent', {}, {
      print: (message) => {
        const code = /enter the code (\S+)/.exec(message)?.[1];
        const page = /open the page (\S+)/.exec(message)?.[1];
        void request(`${page}?user_code=${code}`, { dispatcher: browser }).then((r) => r.body.dump());
      },
    });
    expectActionable(error, 'consent-missing', /no consent to use Dynamics CRM .*\(AADSTS65001\)\. .*API permissions.*user_impersonation.*Grant admin consent/);
  });

  it('DeviceCode with an app that is not a public client: "Allow public client flows"', async () => {
    const error = await signInFailure('Auth Scheme=DeviceCode;Client Id=app', {}, {
      print: (message) => {
        const code = /enter the code (\S+)/.exec(message)?.[1];
        const page = /open the page (\S+)/.exec(message)?.[1];
        void request(`${page}?user_code=${code}`, { dispatcher: browser }).then((r) => r.body.dump());
      },
    });
    expectActionable(error, 'public-client-flows-off', /\(AADSTS7000218\)\. Turn on "Allow public client flows"/);
  });

  it('redirect URI not registered: the authorize page refuses, the code redemption names the address to register', async () => {
    const settings = options('Client Id=strict-redirect;Redirect URI=http://localhost:33997/other');
    const { url } = await getAuthorizationUrl(settings);
    const page = await request(url, { dispatcher: browser });
    expect(page.statusCode).toBe(400); // Entra shows its error page and never redirects to an unregistered address
    expect(await page.body.text()).toContain('AADSTS50011');
    const error = await completeCodeExchange(settings, { code: 'any', codeVerifier: 'v'.repeat(43) }).then(
      () => undefined,
      (e: unknown) => e as DynasqlError,
    );
    expectActionable(error!, 'redirect-not-registered', /the redirect URI http:\/\/localhost:33997\/other is not registered .*\(AADSTS50011\)\. Add it exactly .*Mobile and desktop applications/);
  });

  it('interactive: an error the browser brings back (consent_required with AADSTS65001) is named like the others', () => {
    const settings = options('Auth Scheme=AuthCode;Client Id=cli');
    const error = signInError(new RedirectedSignInError('consent_required', 'AADSTS65001: The user or administrator has not consented to use the application.'), 'AuthCode sign-in', settings);
    expectActionable(error, 'consent-missing', /^AuthCode sign-in failed: the application has no consent .*\(AADSTS65001\)/);
  });

  it('interactive: a browser that never comes back times out naming the redirect URI to register', async () => {
    const listener = await listenForRedirect('http://localhost:0', 'state', { timeoutMs: 50 });
    try {
      await expect(listener.result).rejects.toThrow(/Timed out waiting for the browser sign-in to come back to http:\/\/localhost:\d+\. .*AADSTS50011, register that address as a redirect URI/);
    } finally {
      await listener.close();
    }
  });
});
