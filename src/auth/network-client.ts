import type { INetworkModule, NetworkResponse } from '@azure/msal-node';
import { request, type Dispatcher } from 'undici';

/**
 * msal-node's HTTP client, over our undici dispatcher, so the identity provider is reached through the
 * same Proxy and trusted with the same CA File as the service (msal's default is Node's global fetch).
 */
export function msalNetworkClient(dispatcher: Dispatcher, timeoutMs = 60_000): INetworkModule {
  async function send<T>(method: 'GET' | 'POST', url: string, options?: { headers?: Record<string, string>; body?: string }, timeout?: number): Promise<NetworkResponse<T>> {
    const response = await request(url, {
      method,
      ...(options?.headers ? { headers: options.headers } : {}),
      ...(options?.body !== undefined ? { body: options.body } : {}),
      dispatcher,
      signal: AbortSignal.timeout(timeout ?? timeoutMs),
    });
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    let body: unknown = {};
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        // msal reads error members from the body; a non-JSON answer becomes an empty object
        body = {};
      }
    }
    return { status: response.statusCode, headers, body: body as T };
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
