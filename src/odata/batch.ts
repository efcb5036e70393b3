/**
 * OData `$batch` multipart/mixed encoding and decoding (protocol §4), as pure functions over text.
 * A batch holds either independent requests or one change set (atomic: all or nothing).
 *
 *   encodeBatch([{ method: 'DELETE', url: 'https://org/api/data/v9.2/accounts(…)' }], { boundary: 'batch_1' })
 *   // --batch_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n
 *   // DELETE https://org/api/data/v9.2/accounts(…) HTTP/1.1\r\n\r\n\r\n--batch_1--\r\n
 *
 * `decodeBatchResponse(contentType, body)` returns the parts in order, change-set parts flattened
 * (each keeps the Content-ID it was sent with).
 */

export interface BatchPartRequest {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'GET';
  /** absolute URL (the service accepts absolute or server-relative request lines) */
  url: string;
  headers?: Record<string, string>;
  /** JSON text */
  body?: string;
  /** lets later parts of a change set refer to this one as `$<id>` */
  contentId?: string;
}

export interface BatchEncodeOptions {
  /** `batch_<id>`; a change set uses `changeset_<id>` */
  boundary: string;
  /** put every request in one change set (atomic); its boundary */
  changeSetBoundary?: string;
}

export interface BatchPartResponse {
  contentId?: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CRLF = '\r\n';

export function batchContentType(boundary: string): string {
  return `multipart/mixed; boundary=${boundary}`;
}

export function encodeBatch(requests: readonly BatchPartRequest[], options: BatchEncodeOptions): string {
  const out: string[] = [];
  if (options.changeSetBoundary) {
    out.push(`--${options.boundary}`, `Content-Type: ${batchContentType(options.changeSetBoundary)}`, '');
    for (const request of requests) out.push(`--${options.changeSetBoundary}`, ...encodePart(request));
    out.push(`--${options.changeSetBoundary}--`);
  } else {
    for (const request of requests) out.push(`--${options.boundary}`, ...encodePart(request));
  }
  out.push(`--${options.boundary}--`, '');
  return out.join(CRLF);
}

function encodePart(request: BatchPartRequest): string[] {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (request.contentId !== undefined) lines.push(`Content-ID: ${request.contentId}`);
  lines.push('', `${request.method} ${request.url} HTTP/1.1`);
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  if (request.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json; type=entry';
  }
  for (const [name, value] of Object.entries(headers)) {
    // header values come from the driver, never from row data; a line break would forge a header
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`A batch header may not contain a line break (${name})`);
    lines.push(`${name}: ${value}`);
  }
  lines.push('', request.body ?? '');
  return lines;
}

/** `multipart/mixed; boundary="batchresponse_x"` → `batchresponse_x` */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/mixed\b/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** The parts of a `$batch` response; undefined when the body is not a complete multipart message. */
export function decodeBatchResponse(contentType: string | undefined, body: string): BatchPartResponse[] | undefined {
  const boundary = boundaryOf(contentType);
  if (!boundary) return undefined;
  const parts = splitMultipart(body, boundary);
  if (!parts) return undefined;
  const out: BatchPartResponse[] = [];
  for (const part of parts) {
    const nested = boundaryOf(part.headers['content-type']);
    if (nested) {
      const inner = splitMultipart(part.body, nested);
      if (!inner) return undefined;
      for (const p of inner) out.push(decodeHttpPart(p));
    } else {
      out.push(decodeHttpPart(part));
    }
  }
  return out;
}

interface MimePart { headers: Record<string, string>; body: string }

function splitMultipart(body: string, boundary: string): MimePart[] | undefined {
  const delimiter = `--${boundary}`;
  const parts: MimePart[] = [];
  let current: string[] | undefined;
  for (const line of body.split(/\r?\n/)) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(mimePart(current));
      if (trimmed.endsWith('--')) return parts;
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  return undefined;
}

function mimePart(lines: string[]): MimePart {
  const blank = lines.findIndex((l) => l.trim() === '');
  const head = blank < 0 ? lines : lines.slice(0, blank);
  const rest = blank < 0 ? [] : lines.slice(blank + 1);
  return { headers: headerMap(head), body: rest.join(CRLF) };
}

function headerMap(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function decodeHttpPart(part: MimePart): BatchPartResponse {
  const lines = part.body.replace(/^(\r?\n)+/, '').split(/\r?\n/);
  const statusLine = lines.shift() ?? '';
  const status = Number(/^HTTP\/\d\.\d\s+(\d{3})/.exec(statusLine.trim())?.[1] ?? NaN);
  const blank = lines.findIndex((l) => l.trim() === '');
  const headers = headerMap(blank < 0 ? lines : lines.slice(0, blank));
  const body = blank < 0 ? '' : lines.slice(blank + 1).join(CRLF).trim();
  const contentId = part.headers['content-id'];
  return { ...(contentId !== undefined ? { contentId } : {}), status: Number.isFinite(status) ? status : 0, headers, body };
}
