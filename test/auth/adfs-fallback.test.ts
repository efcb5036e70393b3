/**
 * AD FS 2016 has no discovery msal-node accepts: the provider then falls back to the plain OAuth2 v1
 * token POST with `resource`. A loopback HTTPS server plays such an AD FS (discovery answers 404).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTokenProvider } from '../../src/auth/index.js';
import { resolveOptions } from '../../src/config/index.js';
import { createCertificate } from '../../src/emulator/index.js';

let server: Server;
let adfs: string;
let caFile: string;
const forms: URLSearchParams[] = [];
const paths: string[] = [];

beforeAll(async () => {
  const ca = createCertificate({ commonName: 'adfs test CA', isCa: true, keyType: 'ec' });
  const leaf = createCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1'], issuer: ca, keyType: 'ec' });
  caFile = join(mkdtempSync(join(tmpdir(), 'dynasql-adfs-')), 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, async (req, res) => {
    paths.push(req.url!);
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method === 'POST' && req.url === '/adfs/oauth2/token') {
      const form = new URLSearchParams(body);
      forms.push(form);
      if (form.get('client_secret') !== 'adfs-secret-1') return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client","error_description":"MSIS9607: bad credentials"}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'adfs-plain-token', token_type: 'bearer', expires_in: 3600 }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  adfs = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it('falls back to the plain token POST with `resource` when msal rejects the AD FS authority', async () => {
  const options = resolveOptions(`Url=https://ax.contoso.com;Edition=FinOpsOnPremise;ADFS Server=${adfs};Client Id=ax-client;Client Secret=adfs-secret-1;CA File=${caFile}`, { env: {} });
  const auth = createTokenProvider(options)!;
  try {
    expect(await auth.getToken()).toBe('adfs-plain-token');
    expect(paths.some((p) => p.includes('.well-known'))).toBe(true); // msal tried discovery first
    const form = forms.at(-1)!;
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', client_id: 'ax-client', client_secret: 'adfs-secret-1', resource: 'https://ax.contoso.com' });
  } finally {
    await auth.close();
  }
});

it('reports an AD FS refusal as DYNASQL_ERR_AUTH without the secret', async () => {
  const options = resolveOptions(`Url=https://ax.contoso.com;Edition=FinOpsOnPremise;ADFS Server=${adfs};Client Id=ax-client;Client Secret=wrong-secret-9;CA File=${caFile}`, { env: {} });
  const auth = createTokenProvider(options)!;
  try {
    const error = await auth.getToken().catch((e: Error & { code?: string }) => e);
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_AUTH' });
    expect((error as Error).message).toContain('MSIS9607');
    expect((error as Error).message).not.toContain('wrong-secret-9');
  } finally {
    await auth.close();
  }
});
