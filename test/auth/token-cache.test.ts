/**
 * Issue 22 item 5: a warm Token Cache File must not hide a wrong Client Secret. The cache is keyed by
 * a salted hash of the credential, so a changed secret signs in again (and fails when it is wrong),
 * while the right secret still reuses its cached token. Against the emulator's identity provider over HTTPS.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider } from '../../src/auth/index.js';
import { resolveOptions, type ConnectionOptions } from '../../src/config/index.js';
import { createCertificate, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DynasqlError } from '../../src/errors/index.js';
import { createExecutor } from '../../src/http/index.js';
import { connect } from '../../src/index.js';

const SECRET = 'app-secret-Kq7~bAR;s3cRet';
let emulator: RunningEmulator;
let dir: string;
let caFile: string;
const certificate = createCertificate({ commonName: 'dynasql-cache-app' });
const otherCertificate = createCertificate({ commonName: 'dynasql-cache-other' });

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    rows: 5,
    auth: { clients: [{ clientId: 'app', clientSecret: SECRET }, { clientId: 'cert-app', certificatePem: certificate.certPem }] },
  });
  dir = mkdtempSync(join(tmpdir(), 'dynasql-token-cache-'));
  caFile = join(dir, 'emulator-ca.pem');
  writeFileSync(caFile, emulator.identity!.caCertificatePem);
});
afterAll(async () => {
  await emulator?.close();
});

function settings(extra: Record<string, string>): ConnectionOptions {
  const identity = emulator.identity!;
  return resolveOptions({ 'Organization URL': emulator.origin, 'Authority Host': identity.url, 'Azure Tenant': identity.tenantId, 'CA File': caFile, ...extra }, { env: {} });
}

async function signInWith(options: ConnectionOptions): Promise<string> {
  const auth = createTokenProvider(options)!;
  const executor = createExecutor({ ...options, auth });
  try {
    const response = await executor.send({ method: 'GET', url: 'accounts?$select=name&$top=1' });
    expect(response.status).toBe(200);
    return await auth.getToken();
  } finally {
    await executor.close();
    await auth.close();
  }
}

describe('Token Cache File keyed by the credential', () => {
  it('a wrong Client Secret fails even with a warm cache; the right one still reuses its cached token', async () => {
    const cacheFile = join(dir, 'secret-cache.json');
    const client = (secret: string) => settings({ 'Auth Scheme': 'ClientSecret', 'Client Id': 'app', 'Client Secret': secret, 'Token Cache File': cacheFile });
    const first = await signInWith(client(SECRET));

    const wrong = await signInWith(client('wrong-secret-value')).catch((e: unknown) => e);
    expect(DynasqlError.is(wrong, 'DYNASQL_ERR_AUTH')).toBe(true);
    expect((wrong as Error).message).not.toContain('wrong-secret-value');

    // the same credential again: served from the cache, the very token of the first sign-in
    expect(await signInWith(client(SECRET))).toBe(first);

    // the file holds neither the secret nor its plain hash, and only its owner may read it
    const text = readFileSync(cacheFile, 'utf8');
    expect(text).not.toContain(SECRET);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      expect(text).not.toContain(createHash('sha256').update(SECRET).digest(encoding));
    }
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
  });

  it('through connect(): a wrong secret with a warm cache does not connect', async () => {
    const cacheFile = join(dir, 'connect-cache.json');
    const identity = emulator.identity!;
    const text = (secret: string) => ({
      organizationUrl: emulator.origin, authorityHost: identity.url, azureTenant: identity.tenantId, caFile,
      authScheme: 'ClientSecret' as const, clientId: 'app', clientSecret: secret, tokenCacheFile: cacheFile, cacheDir: join(dir, 'catalog'),
    });
    const conn = await connect(text(SECRET));
    expect((await conn.query('SELECT TOP 1 name FROM account')).rowCount).toBe(1);
    await conn.close();
    await expect(connect(text('wrong-secret-value'))).rejects.toMatchObject({ code: 'DYNASQL_ERR_AUTH' });
  });

  it('a changed certificate signs in again instead of using the cached token', async () => {
    const cacheFile = join(dir, 'cert-cache.json');
    const pem = (name: string, cert: ReturnType<typeof createCertificate>) => {
      const path = join(dir, name);
      writeFileSync(path, `${cert.certPem}\n${cert.keyPem}`, { mode: 0o600 });
      return path;
    };
    const right = pem('right.pem', certificate);
    const other = pem('other.pem', otherCertificate);
    const client = (path: string) => settings({ 'Auth Scheme': 'ClientCertificate', 'Client Id': 'cert-app', Certificate: path, 'Token Cache File': cacheFile });
    const first = await signInWith(client(right));
    const wrong = await signInWith(client(other)).catch((e: unknown) => e);
    expect(DynasqlError.is(wrong, 'DYNASQL_ERR_AUTH')).toBe(true);
    expect(await signInWith(client(right))).toBe(first);
  });
});
