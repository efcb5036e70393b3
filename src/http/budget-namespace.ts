import { createHash } from 'node:crypto';

/**
 * Whose budget a request spends: the service counts its limits per user, so processes share one
 * budget when they call the same org as the same user. The Redis keys carry a hash of both, never
 * the token nor a name:
 *
 *   budgetPrefix('https://contoso.crm.dynamics.com/api/data/v9.2/', tokenIdentity(token))
 *   // → 'dynasql:budget:{3f1c…}:' (the braces keep one budget's keys on one Redis Cluster node)
 */
export function budgetPrefix(serviceRoot: string, identity: string): string {
  const origin = new URL(serviceRoot).origin.toLowerCase();
  const hash = createHash('sha256').update(`${origin}\n${identity}`).digest('hex').slice(0, 32);
  return `dynasql:budget:{${hash}}:`;
}

/**
 * The user a bearer token stands for: its tenant and object id (the service's own notion of the
 * caller), read from the token's claims without checking them (the service does that); a token
 * that is not a JWT stands for itself, hashed. Refreshed tokens of one user give the same identity.
 */
export function tokenIdentity(token: string): string {
  const claims = jwtClaims(token);
  const who = claims?.oid ?? claims?.sub ?? claims?.appid;
  if (typeof who === 'string') return `${typeof claims?.tid === 'string' ? claims.tid : ''}/${who}`;
  return `token:${createHash('sha256').update(token).digest('hex')}`;
}

function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
