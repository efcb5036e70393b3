import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorRequestContext, Middleware } from './context.js';
import { ODataError } from './errors.js';
import { handleOData } from './http/service.js';
import type { IdentityProvider } from './identity/identity-server.js';
import { createMiddleware } from './middleware.js';
import { maskHeaders, RequestLog } from './observability.js';
import type { EmulatorOptions } from './options.js';
import type { EmulatorState, ODataResponse } from './state.js';

const MAX_BODY = 64 * 1024 * 1024;

export interface EmulatorServer {
  server: Server;
  origin: string;
  port: number;
  stats: Record<string, number>;
  log: RequestLog;
}

/**
 * node:http server: every request goes through the issue-3 middleware (auth, throttling, faults)
 * and then the router: `/_emulator/*` for tests, the service root for OData.
 */
export async function listen(options: EmulatorOptions, getState: () => EmulatorState, reset: () => void, identity?: IdentityProvider): Promise<EmulatorServer> {
  const stats: Record<string, number> = { requests: 0, responses2xx: 0, responses4xx: 0, responses5xx: 0 };
  const log = new RequestLog(options.requestLogSize ?? 10_000);
  const middleware: Middleware[] = createMiddleware(options, { stats, identity });
  let origin = '';

  const router = async (ctx: EmulatorRequestContext, body: string) => {
    const { req, res } = ctx;
    const [path = '/', rawQuery = ''] = splitUrl(ctx.rawUrl);
    if (path.startsWith('/_emulator/')) return observability(ctx, path);
    const state = getState();
    const match = state.profile.matchRoot(path);
    if (match instanceof ODataError) return send(res, errorResponse(state, match));
    if (!match) return send(res, errorResponse(state, new ODataError(404, '0x80060888', `Resource not found for the segment '${path.split('/').filter(Boolean)[0] ?? ''}'.`)));
    const response = handleOData(state, {
      method: ctx.method, root: match.root, rest: match.rest, rawQuery, body, origin, user: ctx.user,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
    });
    send(res, response);
  };

  const observability = (ctx: EmulatorRequestContext, path: string) => {
    const { res, method } = ctx;
    if (path === '/_emulator/requests' && method === 'GET') return send(res, json(200, log.list()));
    if (path === '/_emulator/requests' && method === 'DELETE') {
      log.clear();
      return send(res, { status: 204, headers: {} });
    }
    if (path === '/_emulator/reset' && method === 'POST') {
      reset();
      return send(res, { status: 204, headers: {} });
    }
    if (path === '/_emulator/stats' && method === 'GET') return send(res, json(200, stats));
    if (path === '/_emulator/expire-change-tokens' && method === 'POST') {
      getState().changes.truncate();
      return send(res, { status: 204, headers: {} });
    }
    return send(res, json(404, { error: { code: '0x80060888', message: `Unknown emulator endpoint '${method} ${path}'.` } }));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const rawUrl = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!rawUrl.startsWith('/_emulator/')) {
        stats.requests = (stats.requests ?? 0) + 1;
        log.add({ method, url: rawUrl, headers: maskHeaders(req.headers), body, receivedAt: new Date().toISOString() });
      }
      res.on('finish', () => {
        const bucket = `responses${Math.floor(res.statusCode / 100)}xx`;
        if (!rawUrl.startsWith('/_emulator/')) stats[bucket] = (stats[bucket] ?? 0) + 1;
      });
      if (tooLarge) return send(res, json(413, { error: { code: '0x80060888', message: 'The request is too large.' } }));
      const ctx: EmulatorRequestContext = { req, res, rawUrl, method, receivedAt: Date.now(), stats, body };
      const chain = [...middleware, (c: EmulatorRequestContext) => router(c, body)];
      const run = (i: number): Promise<void> => (i < chain.length ? Promise.resolve(chain[i]!(ctx, () => run(i + 1))) : Promise.resolve());
      run(0).catch((error: unknown) => {
        if (!res.headersSent) send(res, json(500, { error: { code: '0x80040216', message: `Emulator error: ${(error as Error).message}` } }));
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  return { server, origin, port: address.port, stats, log };
}

function splitUrl(rawUrl: string): [string, string] {
  const q = rawUrl.indexOf('?');
  return q < 0 ? [rawUrl, ''] : [rawUrl.slice(0, q), rawUrl.slice(q + 1)];
}

function json(status: number, body: unknown): ODataResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

function errorResponse(state: EmulatorState, error: ODataError): ODataResponse {
  const { status, body } = state.profile.errorBody(error, 'read');
  return { status, headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' }, body: JSON.stringify(body) };
}

function send(res: ServerResponse, response: ODataResponse) {
  if (res.headersSent) return;
  const headers: Record<string, string> = { REQ_ID: randomUUID(), ...response.headers };
  if (response.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(response.body));
  res.writeHead(response.status, headers);
  res.end(response.body);
}
