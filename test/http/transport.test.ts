/**
 * TLS and proxies over real sockets: a loopback HTTPS server with a certificate from a test authority
 * (trusted only through the CA File setting) and a loopback CONNECT proxy.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificate } from '../../src/emulator/index.js';
import { createExecutor, type ExecutorSettings } from '../../src/http/index.js';

let https: HttpsServer;
let proxy: HttpServer;
let origin: string;
let proxyUrl: string;
let caFile: string;
const tunnels: string[] = [];
const proxyAuth: Array<string | undefined> = [];

beforeAll(async () => {
  const ca = createCertificate({ commonName: 'dynasql test CA', isCa: true, keyType: 'ec' });
  const leaf = createCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1', 'localhost'], issuer: ca, keyType: 'ec' });
  caFile = join(mkdtempSync(join(tmpdir(), 'dynasql-tls-')), 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  https = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  origin = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  // a CONNECT proxy that records what it tunnels to
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(req.url!);
    proxyAuth.push(req.headers['proxy-authorization']);
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  https.closeAllConnections();
  proxy.closeAllConnections();
  await new Promise((r) => https.close(r));
  await new Promise((r) => proxy.close(r));
});

function executor(settings: Partial<ExecutorSettings>) {
  return createExecutor({ serviceRoot: `${origin}/api/data/v9.2/`, maxConcurrency: 2, maxRetries: 0, retryBudgetMs: 1000, requestTimeoutMs: 5000, ...settings });
}

describe('TLS', () => {
  it('refuses a certificate it cannot verify (checks are always on)', async () => {
    const e = executor({});
    await expect(e.send({ method: 'GET', url: 'accounts' })).rejects.toMatchObject({ code: 'DYNASQL_ERR_NETWORK' });
    await e.close();
  });

  it('trusts the CA File, and logs the TLS details at verbosity 5', async () => {
    const lines: string[] = [];
    const e = executor({ caFile, verbosity: 5, logSink: (l) => lines.push(l) });
    expect((await e.send({ method: 'GET', url: 'accounts' })).status).toBe(200);
    await e.close();
    expect(lines.join('\n')).toMatch(/connected https:\/\/127\.0\.0\.1:\d+ .*TLS TLSv1\.[23] .* authorized=true; server certificate CN=127\.0\.0\.1 issuer CN=dynasql test CA/);
  });
});

describe('proxies', () => {
  it('tunnels through the Proxy setting, with its credentials', async () => {
    tunnels.length = 0;
    const e = executor({ caFile, proxy: proxyUrl.replace('http://', 'http://user:pa55@') });
    expect((await e.send({ method: 'GET', url: 'accounts' })).status).toBe(200);
    await e.close();
    expect(tunnels).toEqual([new URL(origin).host]);
    expect(proxyAuth.at(-1)).toBe(`Basic ${Buffer.from('user:pa55').toString('base64')}`);
  });

  it('uses HTTPS_PROXY from the environment, and NO_PROXY to bypass it', async () => {
    tunnels.length = 0;
    const viaEnv = executor({ caFile, httpsProxy: proxyUrl, isLoopback: false });
    expect((await viaEnv.send({ method: 'GET', url: 'accounts' })).status).toBe(200);
    await viaEnv.close();
    expect(tunnels).toHaveLength(1);
    const bypass = executor({ caFile, httpsProxy: proxyUrl, noProxy: '127.0.0.1', isLoopback: false });
    expect((await bypass.send({ method: 'GET', url: 'accounts' })).status).toBe(200);
    await bypass.close();
    expect(tunnels).toHaveLength(1);
  });
});
