/**
 * A loopback OData server with Dataverse-style service-protection limits and seeded faults, standing
 * in for the emulator's limits (issue 3) until `startEmulator` lands: a sliding window of requests, a
 * concurrency limit, 429 with Retry-After and `x-ms-ratelimit-burst-remaining-xrm-requests`, and per
 * request a chance of 503, a reset before answering, a reset after a write committed, or a 429 burst.
 * Serves `GET /api/data/v9.2/rows` (numbered rows, paged with $skiptoken) and `POST .../rows` (create with client id).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LimitedServerOptions {
  requestsPerWindow?: number;
  windowMs?: number;
  concurrentRequests?: number;
  /** per-request probability of each fault (0..1) */
  faultRate?: number;
  seed?: number;
  rows?: number;
  /** delay of each answer, ms */
  latencyMs?: number;
  /** Retry-After of a fault burst's 429s, seconds (fractions keep tests quick; the service sends whole seconds) */
  burstRetryAfterSeconds?: number;
}

export interface LimitedServer {
  url: string;
  stats: { requests: number; served: number; throttled: number; faults: number; peakConcurrency: number; firstServedAt: number; lastServedAt: number };
  records: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** mulberry32: a small seeded PRNG so a run's faults can be replayed */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startLimitedServer(options: LimitedServerOptions = {}): Promise<LimitedServer> {
  const windowMs = options.windowMs ?? 300_000;
  const perWindow = options.requestsPerWindow ?? Infinity;
  const maxConcurrent = options.concurrentRequests ?? Infinity;
  const faultRate = options.faultRate ?? 0;
  const random = seeded(options.seed ?? 1);
  const totalRows = options.rows ?? 1000;
  const arrivals: number[] = [];
  let inFlight = 0;
  let burstLeft = 0;
  const stats = { requests: 0, served: 0, throttled: 0, faults: 0, peakConcurrency: 0, firstServedAt: 0, lastServedAt: 0 };
  const records = new Map<string, Record<string, unknown>>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = status === 204 ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...(text ? { 'content-length': String(Buffer.byteLength(text)) } : {}), ...headers });
    res.end(text);
  };
  const throttle = (res: ServerResponse, code: string, message: string, retryAfterS: number) => {
    stats.throttled++;
    send(res, 429, { error: { code, message } }, { 'retry-after': String(retryAfterS) });
  };

  const server = createServer(async (req, res) => {
    stats.requests++;
    let body = '';
    for await (const chunk of req) body += chunk;
    const now = performance.now();
    while (arrivals.length > 0 && arrivals[0]! <= now - windowMs) arrivals.shift();
    if (inFlight >= maxConcurrent) return throttle(res, '0x80072326', `Number of concurrent requests exceeded the limit of ${maxConcurrent}.`, 1);
    if (arrivals.length >= perWindow) {
      const wait = arrivals[0]! + windowMs - now;
      return throttle(res, '0x80072322', `Number of requests exceeded the limit of ${perWindow} over time window of ${windowMs / 1000} seconds.`, Math.max(1, Math.ceil(wait / 1000)));
    }
    arrivals.push(now);
    if (stats.firstServedAt === 0) stats.firstServedAt = now;
    stats.lastServedAt = now;
    // faults, drawn in request order from the seed
    if (burstLeft > 0) {
      burstLeft--;
      stats.faults++;
      return throttle(res, '0x80072322', 'burst', options.burstRetryAfterSeconds ?? 1);
    }
    const draw = random();
    const isWrite = req.method !== 'GET';
    let fault: 'none' | '503' | 'reset' | 'burst' | 'resetAfterWrite' = 'none';
    if (draw < faultRate) {
      const kind = Math.floor((draw / faultRate) * 4);
      fault = (['503', 'reset', 'burst', 'resetAfterWrite'] as const)[kind]!;
      if (fault === 'resetAfterWrite' && !isWrite) fault = 'reset';
      stats.faults++;
    }
    if (fault === '503') return send(res, 503, { error: { code: '', message: 'Service Unavailable' } });
    if (fault === 'reset') return void res.socket?.destroy();
    if (fault === 'burst') {
      burstLeft = 2;
      return throttle(res, '0x80072322', 'burst', options.burstRetryAfterSeconds ?? 1);
    }
    inFlight++;
    stats.peakConcurrency = Math.max(stats.peakConcurrency, inFlight);
    try {
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      const url = new URL(req.url!, 'http://x');
      const remaining = String(Math.max(0, perWindow === Infinity ? 5999 : perWindow - arrivals.length));
      if (req.method === 'GET' && url.pathname.endsWith('/rows')) {
        const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(String(req.headers.prefer ?? ''))?.[1] ?? 5000);
        const from = Number(url.searchParams.get('$skiptoken') ?? 0);
        const to = Math.min(totalRows, from + pageSize);
        const value = Array.from({ length: to - from }, (_, i) => ({ rowid: from + i, name: `row ${from + i}` }));
        const next = to < totalRows ? `http://${req.headers.host}/api/data/v9.2/rows?$skiptoken=${to}` : undefined;
        stats.served++;
        return send(res, 200, { value, ...(next ? { '@odata.nextLink': next } : {}) }, { 'x-ms-ratelimit-burst-remaining-xrm-requests': remaining });
      }
      if (req.method === 'POST' && url.pathname.endsWith('/rows')) {
        const record = JSON.parse(body) as { rowid: string };
        if (records.has(record.rowid)) return send(res, 412, { error: { code: '0x80040237', message: 'A record with matching key values already exists.' } });
        records.set(record.rowid, record);
        stats.served++;
        if (fault === 'resetAfterWrite') return void res.socket?.destroy();
        return send(res, 204, undefined, { 'odata-entityid': `rows(${record.rowid})` });
      }
      stats.served++;
      send(res, 200, { value: [] }, { 'x-ms-ratelimit-burst-remaining-xrm-requests': remaining });
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
