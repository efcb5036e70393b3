/**
 * MCP over streamable HTTP (`dynasql mcp --http PORT`): one endpoint, `POST /mcp`, stateless (each
 * request gets its own McpServer and transport over the shared connection, so nothing is kept
 * between requests and any number of clients may call at once).
 *
 * Access: a bearer token is checked before the request reaches MCP, comparing SHA-256 digests of the
 * given and the expected token with `timingSafeEqual`, so the time taken says nothing about how much
 * of a guess was right. A wrong or missing token gets 401 and is never logged or echoed. Bound to
 * a loopback address the token is optional, but the Host header must then name a loopback host, so a
 * web page cannot reach the server by pointing a DNS name of its own at 127.0.0.1 (DNS rebinding).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isLoopbackHost } from '../config/index.js';
import type { McpContext } from './context.js';
import { createMcpServer } from './server.js';

export const MCP_PATH = '/mcp';

export interface McpHttpOptions {
  host: string;
  port: number;
  /** required unless `host` is a loopback address */
  token?: string;
}

export interface McpHttpServer {
  /** `http://127.0.0.1:8808/mcp` */
  url: string;
  close(): Promise<void>;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** `Authorization: Bearer <token>` holds the expected token; constant time in the token's content */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(expected)) && given !== '';
}

/** `127.0.0.1:8808` → `127.0.0.1`; `[::1]:8808` → `[::1]` */
function hostnameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

export async function startMcpHttpServer(ctx: McpContext, options: McpHttpOptions): Promise<McpHttpServer> {
  const loopback = isLoopbackHost(options.host);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
      refuse(res, 401, 'Unauthorized: send Authorization: Bearer <token>.', { 'WWW-Authenticate': 'Bearer realm="dynasql"' });
      return;
    }
    if (loopback && !isLoopbackHost(hostnameOf(req.headers.host))) {
      refuse(res, 403, 'Forbidden: this server answers only requests addressed to a loopback host.');
      return;
    }
    if (new URL(req.url ?? '/', 'http://x').pathname !== MCP_PATH) {
      refuse(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}.`);
      return;
    }
    if (req.method !== 'POST') {
      // stateless: no session to stream to (GET) or to end (DELETE)
      refuse(res, 405, 'Method not allowed: this server is stateless; send requests with POST.', { Allow: 'POST' });
      return;
    }
    const server = createMcpServer(ctx);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${MCP_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
