import { request } from 'undici';

/** A response read fully: status, lower-case headers, text and (when JSON) the parsed body. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

export async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0', ...(init.body !== undefined && !init.headers?.['Content-Type'] ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
    body: init.body,
  });
  const text = await res.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers, text, json };
}

export const get = (url: string, headers: Record<string, string> = {}) => call(url, { headers });
export const send = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });

/** `{"error":{"code","message"}}` of a reply. */
export const errorOf = (reply: Reply) => reply.json?.error as { code: string; message: string } | undefined;
