import { Agent, request } from 'undici';

/** Shape of msal-node's `system.networkClient` (INetworkModule), declared here so the emulator needs no MSAL types. */
export interface TrustingNetworkClient {
  sendGetRequestAsync<T>(url: string, options?: { headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string>; body: T }>;
  sendPostRequestAsync<T>(url: string, options?: { headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string>; body: T }>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

/**
 * An HTTP client for msal-node that trusts the emulator's test CA (msal-node refuses http
 * authorities, and Node's fetch does not know our certificate). Pass it as `system.networkClient`:
 *
 *   const net = trustingNetworkClient(emulator.identity.caCertificatePem);
 *   new ConfidentialClientApplication({ auth: { clientId, clientSecret, authority: emulator.identity.authority,
 *     knownAuthorities: [new URL(emulator.identity.authority).host] }, system: { networkClient: net } });
 */
export function trustingNetworkClient(caCertificatePem: string): TrustingNetworkClient {
  const dispatcher = new Agent({ connect: { ca: caCertificatePem } });
  async function send<T>(method: 'GET' | 'POST', url: string, options?: { headers?: Record<string, string>; body?: string }) {
    const response = await request(url, { method, headers: options?.headers, body: options?.body, dispatcher });
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    return { status: response.statusCode, headers, body: body as T };
  }
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
    close: () => dispatcher.close(),
  };
}
