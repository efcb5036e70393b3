import type { EmulatorRequestContext, Middleware } from './context.js';
import type { EmulatorOptions } from './options.js';
import { authMiddleware } from './identity/auth-middleware.js';
import type { AuthOptions } from './identity/identity-options.js';
import type { IdentityProvider } from './identity/identity-server.js';
import { limitMiddleware } from './limits/limit-middleware.js';
import { limitsEnabled, validateLimitOptions, type LimitOptions } from './limits/limit-options.js';
import { FaultInjector } from './faults/fault-injector.js';
import { faultMiddleware } from './faults/fault-middleware.js';
import type { FaultOptions } from './faults/fault-options.js';
import { FinopsService } from './finops/finops-router.js';
import { createFinopsProfile } from './finops/profile.js';

/** What the server shares with the middleware: the stats record and, when auth is on, the running identity provider. */
export interface MiddlewareShared {
  stats: Record<string, number>;
  identity?: IdentityProvider;
  /** Clock for the limiter's windows (default Date.now). */
  now?: () => number;
}

const isControl = (ctx: EmulatorRequestContext) => ctx.rawUrl.startsWith('/_emulator/');

/** Skips `/_emulator/*` (reset, stats, requests, faults): tests must reach them under any fault or limit. */
const exceptControl = (middleware: Middleware): Middleware => (ctx, next) => (isControl(ctx) ? next() : middleware(ctx, next));

/**
 * The chain every request passes before the router, in this order:
 *   1. `GET|PUT /_emulator/faults`    read or replace the fault options at run time;
 *      `GET /_emulator/identity`      where to get tokens, and the CA certificate to trust (plain HTTP)
 *   2. concurrency stats              `concurrentPeak` in /_emulator/stats
 *   3. auth (when `auth` is set)      401 without a valid token from our identity provider
 *   4. limits (when `limits` is set)  429 with Retry-After past a service-protection limit
 *   5. faults                         latency, 5xx, resets, truncated or slow bodies, 429 bursts
 *   6. F&O service (edition finops)   answers `/data/…` itself; everything else goes on to the router
 * Limits come before faults so injected latency counts as execution time, as a slow server's would.
 */
export function createMiddleware(options: EmulatorOptions, shared: MiddlewareShared): Middleware[] {
  const edition = options.edition ?? 'dataverse';
  const now = shared.now ?? Date.now;
  const callers = new WeakMap<EmulatorRequestContext, string>();
  const injector = new FaultInjector(options.faults as FaultOptions | undefined);
  const chain: Middleware[] = [faultControl(injector), identityInfo(shared.identity), concurrencyStats()];

  const auth = options.auth as AuthOptions | undefined;
  if (auth) {
    if (!shared.identity) throw new Error('auth is on but no identity provider was started (startEmulator starts one with startIdentityProvider)');
    chain.push(exceptControl(authMiddleware(auth, shared.identity, callers)));
  }
  const limits = options.limits as LimitOptions | undefined;
  if (limits && limitsEnabled(validateLimitOptions(limits))) {
    const userOf = (ctx: EmulatorRequestContext) => callers.get(ctx) ?? ctx.user ?? ctx.req.headers.authorization ?? 'anonymous';
    chain.push(exceptControl(limitMiddleware(limits, edition, now, userOf)));
  }
  chain.push(exceptControl(faultMiddleware(injector, edition)));
  if (edition === 'finops') chain.push(new FinopsService(createFinopsProfile(options)).middleware());
  return chain;
}

/**
 * `GET /_emulator/identity`: the authorities and the CA certificate PEM, over the emulator's plain
 * HTTP, so a client in another process can trust the HTTPS provider without fetching over it first.
 *   {"authority":"https://127.0.0.1:PORT/<tenant>","adfsAuthority":"…/adfs","tenantId":"…","caCertificatePem":"-----BEGIN CERTIFICATE-----…"}
 * 404 when auth is off.
 */
function identityInfo(identity: IdentityProvider | undefined): Middleware {
  return async (ctx, next) => {
    if (ctx.rawUrl.split('?')[0] !== '/_emulator/identity') return next();
    const body = identity
      ? { authority: identity.authority, adfsAuthority: identity.adfsAuthority, tenantId: identity.tenantId, caCertificatePem: identity.caCertificatePem }
      : { error: { code: '', message: 'Auth is off: start the emulator with auth (--auth) to get an identity provider.' } };
    const text = JSON.stringify(body);
    ctx.res.writeHead(identity ? 200 : 404, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    ctx.res.end(text);
  };
}

function concurrencyStats(): Middleware {
  let inFlight = 0;
  return async (ctx, next) => {
    if (isControl(ctx)) return next();
    inFlight++;
    ctx.stats.concurrentPeak = Math.max(ctx.stats.concurrentPeak ?? 0, inFlight);
    ctx.res.once('close', () => inFlight--);
    await next();
  };
}

/** `GET /_emulator/faults` → the options in force and counts; `PUT` with a JSON body of FaultOptions replaces them (`{}` turns faults off). */
function faultControl(injector: FaultInjector): Middleware {
  return async (ctx, next) => {
    const path = ctx.rawUrl.split('?')[0];
    if (path !== '/_emulator/faults') return next();
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      ctx.res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      ctx.res.end(text);
    };
    if (ctx.method === 'GET') return reply(200, injector.state());
    if (ctx.method !== 'PUT') return reply(405, { error: { code: '', message: 'Use GET or PUT on /_emulator/faults.' } });
    try {
      injector.configure(JSON.parse(ctx.body || '{}'));
    } catch (error) {
      return reply(400, { error: { code: '', message: (error as Error).message } });
    }
    return reply(200, injector.state());
  };
}
