import type { Middleware } from '../context.js';
import type { LimitOptions } from './limit-options.js';
import { limitResponse } from './limit-responses.js';
import { ServiceProtectionLimiter } from './service-protection.js';

/**
 * Enforces the service-protection limits per caller: admits the request (adding Dataverse's
 * remaining-budget headers) and records its execution time when the response closes, or answers
 * 429 with Retry-After and the edition's documented error.
 *
 * The caller is `userOf(ctx)`: the token's object id when auth is on, otherwise the Authorization
 * header as sent (so tests can act as several users without auth), otherwise one anonymous user.
 */
export function limitMiddleware(options: LimitOptions, edition: string, now: () => number, userOf: (ctx: Parameters<Middleware>[0]) => string): Middleware {
  const limiter = new ServiceProtectionLimiter(options);
  return async (ctx, next) => {
    const decision = limiter.admit(userOf(ctx), now());
    if (!decision.admitted) {
      ctx.stats.throttled = (ctx.stats.throttled ?? 0) + 1;
      ctx.stats[`throttled.${decision.kind}`] = (ctx.stats[`throttled.${decision.kind}`] ?? 0) + 1;
      const response = limitResponse(decision.kind, options, edition, decision.retryAfterSeconds);
      const text = JSON.stringify(response.body);
      ctx.res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(text)) });
      ctx.res.end(text);
      return;
    }
    for (const [name, value] of Object.entries(decision.headers)) ctx.res.setHeader(name, value);
    ctx.res.once('close', () => decision.ticket.release(now()));
    await next();
  };
}
