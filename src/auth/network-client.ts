import type { INetworkModule, NetworkResponse } from '@azure/msal-node';
import { request, type Dispatcher } from 'undici';
import type { IdentityObserver } from './identity-observer.js';

/**
 * msal-node's HTTP client, over our undici dispatcher, so the identity provider is reached through the
 * same Proxy and trusted with the same CA File as the service (msal's default is Node's global fetch).
 * Failures are recorded on `observer` so a failed sign-in can name its cause (identity-observer.ts).
 */
export function msalNetworkClient(dispatcher: Dispatcher, timeoutMs = 60_000, observer?: IdentityObserver): INetworkModule {
  async function send<T>(method: 'GET' | 'POST', url: string, options?: { headers?: Record<string, string>; body?: string }, timeout?: number): Promise<NetworkResponse<T>> {
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(url, {
        method,
        ...(options?.headers ? { headers: options.headers } : {}),
        ...(options?.body !== undefined ? { body: options.body } : {}),
        dispatcher,
        signal: AbortSignal.timeout(timeout ?? timeoutMs),
      });
      text = await response.body.text();
    } catch (error) {
      observer?.recordTransportFailure(url, error);
      throw error;
    }
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
    observer?.recordReply(url, response.statusCode, body);
    return { status: response.statusCode, headers, body: body as T };
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
