import type { IncomingHttpHeaders } from 'node:http';

/** One request as received, for `GET /_emulator/requests`; secrets are masked. */
export interface RecordedRequest {
  method: string;
  /** The URL exactly as received, still percent-encoded. */
  url: string;
  headers: Record<string, string | string[]>;
  body: string;
  receivedAt: string;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-ms-client-secret']);

export function maskHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (!SECRET_HEADERS.has(name)) {
      out[name] = value;
      continue;
    }
    // Keep the scheme so tests can see a bearer token was sent: `Bearer ***`.
    const mask = (v: string) => (/^(\w+)\s/.test(v) ? `${/^(\w+)\s/.exec(v)![1]} ***` : '***');
    out[name] = Array.isArray(value) ? value.map(mask) : mask(value);
  }
  return out;
}

/** A bounded log: the newest `capacity` requests. */
export class RequestLog {
  private entries: RecordedRequest[] = [];
  constructor(private readonly capacity: number) {}
  add(entry: RecordedRequest) {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }
  list(): RecordedRequest[] {
    return [...this.entries];
  }
  clear() {
    this.entries = [];
  }
}
