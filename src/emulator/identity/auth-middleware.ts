import type { EmulatorRequestContext, Middleware } from '../context.js';
import type { AuthOptions } from './identity-options.js';
import type { IdentityProvider } from './identity-server.js';

/**
 * The API's bearer-token check when auth is on. Without a token, or with one that is expired, for
 * another audience, or not signed by this emulator's provider, the answer is 401 with an empty body
 * and the header the service sends, which tells clients where to get a token:
 *
 *   WWW-Authenticate: Bearer authorization_uri=https://127.0.0.1:PORT/<tenant>/oauth2/authorize, resource_id=http://127.0.0.1:PORT/
 *
 * (plus RFC 6750's `error="invalid_token"` and a description when a token was sent but refused).
 * Accepted audiences: `auth.audience` and the emulator's own origin as the request's Host names it.
 * The caller's object id is recorded for the limiter (`callerOf`).
 */
export function authMiddleware(options: AuthOptions, identity: IdentityProvider, callers: WeakMap<EmulatorRequestContext, string>): Middleware {
  const configured = options.audience === undefined ? [] : Array.isArray(options.audience) ? options.audience : [options.audience];
  return async (ctx, next) => {
    const origin = `http://${ctx.req.headers.host ?? '127.0.0.1'}`;
    const header = ctx.req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const resource = configured[0] ?? origin;
    let challenge = `Bearer authorization_uri=${identity.authority}/oauth2/authorize, resource_id=${resource.replace(/\/?$/, '/')}`;
    if (match) {
      const check = identity.tokens.verifyAccessToken(match[1]!, [...configured, origin]);
      if (check.valid) {
        callers.set(ctx, check.userId);
        return next();
      }
      challenge += `, error="invalid_token", error_description="${check.reason}"`;
    }
    ctx.stats.unauthorized = (ctx.stats.unauthorized ?? 0) + 1;
    ctx.res.writeHead(401, { 'www-authenticate': challenge, 'content-length': '0' });
    ctx.res.end();
  };
}
