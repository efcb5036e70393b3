/**
 * A small node:http server for the executor's tests, used until the emulator's limits and faults can
 * stand in: each test gives a handler; the server counts requests and the concurrency peak.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  peakConcurrency: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void | Promise<void>;

export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  let inFlight = 0;
  const state: LoopbackServer = {
    url: '',
    requests: [],
    peakConcurrency: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = createServer(async (req, res) => {
    inFlight++;
    state.peakConcurrency = Math.max(state.peakConcurrency, inFlight);
    res.once('close', () => inFlight--);
    let body = '';
    for await (const chunk of req) body += chunk;
    state.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    try {
      await handler(req, res, body, state.requests.length);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || status === 304) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Ends the connection without an answer, as a reset does. */
export function reset(res: ServerResponse): void {
  res.socket?.destroy();
}
