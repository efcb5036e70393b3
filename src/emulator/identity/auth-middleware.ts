import type { EmulatorRequestContext, Middleware } from '../context.js';
import type { AuthOptions, RegisteredClient } from './identity-options.js';
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
        const refusal = applicationUserRefusal(identity.tokens.client(String(check.claims.appid ?? check.claims.azp ?? '')), check.userId, ctx.rawUrl.split('?')[0]!);
        if (refusal) return forbid(ctx, refusal);
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

/**
 * The service's 403 for an app whose application user is not set up. The messages follow what users
 * report from Dataverse; the documentation lists 403 for privilege errors (dataverse-protocol.md §0)
 * without the bodies, so the codes here are unverified: 0x80040220 for a missing privilege,
 * 0x80072560 for a caller who is not a user of the org, 0x8004e305 for a disabled one.
 */
function applicationUserRefusal(client: RegisteredClient | undefined, userId: string, path: string): { code: string; message: string } | undefined {
  const state = client?.applicationUser ?? 'ready';
  if (state === 'ready') return undefined;
  if (state === 'missing') return { code: '0x80072560', message: 'The user is not a member of the organization.' };
  if (state === 'disabled') return { code: '0x8004e305', message: `The user with SystemUserId=${userId} is disabled. Disabled users cannot access the system. Consider enabling this user.` };
  // reading the metadata needs no table privilege
  if (/\/\$metadata$|\/api\/data\/v[\d.]+\/?$|\/data\/?$/.test(path)) return undefined;
  return { code: '0x80040220', message: `Principal user (Id=${userId}, type=8, roleCount=0, privilegeCount=0, accessMode=4), is missing ${state.missingPrivilege} privilege.` };
}

function forbid(ctx: EmulatorRequestContext, refusal: { code: string; message: string }): void {
  const text = JSON.stringify({ error: refusal });
  ctx.res.writeHead(403, { 'content-type': 'application/json; odata.metadata=minimal', 'content-length': String(Buffer.byteLength(text)) });
  ctx.res.end(text);
}
