/**
 * A small multipart/mixed codec for OData $batch (protocol §4): pure functions over text.
 *
 *   --batch_1
 *   Content-Type: application/http
 *
 *   GET /api/data/v9.2/accounts HTTP/1.1
 *   Accept: application/json
 *
 *   --batch_1--
 */
export interface MimePart {
  headers: Record<string, string>; // lower-case names
  body: string;
}

export interface HttpMessage {
  /** Request: `GET /api/data/v9.2/accounts`; response: `HTTP/1.1 200 OK`. */
  startLine: string;
  headers: Record<string, string>;
  body: string;
}

/** `multipart/mixed; boundary="batch_x"` → `batch_x`. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/mixed\b/i.test(contentType.trim())) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** Splits a multipart body into its parts; undefined when the closing delimiter is missing. */
export function parseMultipart(body: string, boundary: string): MimePart[] | undefined {
  const delimiter = `--${boundary}`;
  const lines = body.split(/\r?\n/);
  const parts: MimePart[] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(parsePart(current));
      if (trimmed.endsWith('--')) {
        closed = true;
        break;
      }
      current = [];
    } else if (current) current.push(line);
  }
  return closed ? parts : undefined;
}

function parsePart(lines: string[]): MimePart {
  const blank = lines.findIndex((l) => l.trim() === '');
  const headerLines = blank < 0 ? lines : lines.slice(0, blank);
  const bodyLines = blank < 0 ? [] : lines.slice(blank + 1);
  return { headers: parseHeaders(headerLines), body: bodyLines.join('\r\n') };
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The embedded HTTP message of an `application/http` part. */
export function parseHttpMessage(text: string): HttpMessage {
  const lines = text.replace(/^(\r?\n)+/, '').split(/\r?\n/);
  const startLine = (lines.shift() ?? '').trim();
  const blank = lines.findIndex((l) => l.trim() === '');
  const headerLines = blank < 0 ? lines : lines.slice(0, blank);
  const body = blank < 0 ? '' : lines.slice(blank + 1).join('\r\n').replace(/(\r\n)+$/, '');
  return { startLine, headers: parseHeaders(headerLines), body };
}

/** One response part, or a nested change set of parts. */
export type ResponsePart =
  | { kind: 'http'; contentId?: string; status: number; statusText: string; headers: Record<string, string>; body?: string }
  | { kind: 'changeset'; boundary: string; parts: ResponsePart[] };

export function encodeMultipart(boundary: string, parts: ResponsePart[]): string {
  const out: string[] = [];
  for (const part of parts) {
    out.push(`--${boundary}`);
    if (part.kind === 'changeset') {
      out.push(`Content-Type: multipart/mixed; boundary=${part.boundary}`, '', encodeMultipart(part.boundary, part.parts));
      continue;
    }
    out.push('Content-Type: application/http', 'Content-Transfer-Encoding: binary');
    if (part.contentId !== undefined) out.push(`Content-ID: ${part.contentId}`);
    out.push('', `HTTP/1.1 ${part.status} ${part.statusText}`);
    for (const [name, value] of Object.entries(part.headers)) out.push(`${name}: ${value}`);
    out.push('', part.body ?? '');
  }
  out.push(`--${boundary}--`, '');
  return out.join('\r\n');
}
