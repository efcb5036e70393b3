import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynasqlError } from '../errors/index.js';

/** The identity provider sent the browser back with `?error=consent_required&error_description=AADSTS65001: …`. */
export class RedirectedSignInError extends Error {
  constructor(
    readonly errorCode: string,
    readonly errorMessage: string,
  ) {
    super(`Sign-in failed: ${errorCode}${errorMessage ? ` (${errorMessage})` : ''}.`);
  }
}

export interface RedirectResult {
  code: string;
  state: string | null;
}

export interface LoopbackListener {
  /** the redirect URI with the real port (when the configured port was 0) */
  redirectUri: string;
  /** resolves with the code once the browser comes back; rejects on an error reply, abort or timeout */
  result: Promise<RedirectResult>;
  close(): Promise<void>;
}

const DONE_PAGE = '<!doctype html><title>dynasql</title><p>Signed in. You can close this window and return to dynasql.</p>';
const FAILED_PAGE = '<!doctype html><title>dynasql</title><p>Sign-in failed. Return to dynasql for details.</p>';

/**
 * Listens on the loopback redirect URI (default http://localhost:33333) for the authorization code.
 * Only the redirect path answers; a reply whose `state` does not match is refused (CSRF), so a page
 * elsewhere cannot feed us a code.
 */
export async function listenForRedirect(redirectUri: string, expectedState: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<LoopbackListener> {
  const target = new URL(redirectUri);
  const path = target.pathname || '/';
  let settle!: { resolve: (r: RedirectResult) => void; reject: (e: unknown) => void };
  const result = new Promise<RedirectResult>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    const state = url.searchParams.get('state');
    const error = url.searchParams.get('error');
    if (state !== expectedState) {
      res.writeHead(400, { 'content-type': 'text/html' }).end(FAILED_PAGE);
      return;
    }
    if (error) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(FAILED_PAGE);
      // the caller names the cause (sign-in-errors.ts) from the OAuth error and its AADSTS description
      settle.reject(new RedirectedSignInError(error, (url.searchParams.get('error_description') ?? '').slice(0, 300)));
      return;
    }
    const code = url.searchParams.get('code');
    if (!code) {
      res.writeHead(400, { 'content-type': 'text/html' }).end(FAILED_PAGE);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(DONE_PAGE);
    settle.resolve({ code, state });
  });
  const host = target.hostname === 'localhost' ? '127.0.0.1' : target.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new DynasqlError('DYNASQL_ERR_AUTH', `Cannot listen for the sign-in redirect on ${target.host} (${error.code ?? error.message}); set Callback Port to a free port.`)),
    );
    server.listen(Number(target.port || 80), host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // keep the URI exactly as registered (`http://localhost:33333` has no trailing slash), only the port may change
  const pathPart = /^https?:\/\/[^/]+(\/.*)?$/i.exec(redirectUri)?.[1] ?? '';
  const actual = `${target.protocol}//${target.hostname}:${port}${pathPart}`;
  const timer = setTimeout(() => settle.reject(new DynasqlError('DYNASQL_ERR_TIMEOUT', `Timed out waiting for the browser sign-in to come back to ${actual}. If the browser showed an error such as AADSTS50011, register that address as a redirect URI of the app (Authentication › Mobile and desktop applications) or set Redirect Uri to one that is.`)), options.timeoutMs ?? 300_000);
  timer.unref();
  const onAbort = () => settle.reject(new DynasqlError('DYNASQL_ERR_CANCELLED', 'Sign-in was cancelled.'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    redirectUri: actual,
    result,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
