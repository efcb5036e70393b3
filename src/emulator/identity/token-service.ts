import { createHash, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { decodeJwt, keyIdOf, signJwt, verifyJwtSignature } from './jwt.js';
import { DEFAULT_CLIENTS, DEFAULT_USERS, TENANT_ID, type AuthOptions, type RegisteredClient, type RegisteredUser } from './identity-options.js';

/** Who a token speaks for: an application on its own, or a user through an application. */
export interface Principal {
  clientId: string;
  user?: RegisteredUser;
}

export type TokenCheck =
  | { valid: true; claims: Record<string, unknown>; userId: string }
  | { valid: false; reason: string };

/** Strips one trailing slash so `https://org.crm.dynamics.com/` and `…com` name the same audience. */
export const normalizeAudience = (aud: string) => aud.replace(/\/$/, '').toLowerCase();

/** A stable GUID-shaped id derived from a name, for principals registered without an object id. */
export function objectIdFor(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Issues and checks the provider's tokens: RS256 JWTs signed with a key made at start, so only this
 * emulator's tokens pass its own check. Holds the short-lived state of the interactive flows
 * (authorization codes, device codes, refresh tokens). The clock is injectable for expiry tests.
 *
 *   const tokens = new TokenService({}); tokens.baseUrl = 'https://127.0.0.1:8443';
 *   const jwt = tokens.issueAccessToken({ clientId: 'app' }, 'https://org.crm.dynamics.com', 'tenant');
 *   tokens.verifyAccessToken(jwt, ['https://org.crm.dynamics.com']).valid === true
 */
export class TokenService {
  readonly tenantId: string;
  readonly clients: RegisteredClient[];
  readonly users: RegisteredUser[];
  readonly lifetimeSeconds: number;
  readonly keyId: string;
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;
  /** The provider's https origin, known once it listens; issuers are derived from it. */
  baseUrl = '';

  readonly authorizationCodes = new Map<string, { clientId: string; redirectUri: string; challenge?: string; method?: string; scope: string; user: RegisteredUser; nonce?: string; expiresAt: number }>();
  readonly deviceCodes = new Map<string, { clientId: string; userCode: string; scope: string; user?: RegisteredUser; expiresAt: number }>();
  readonly refreshTokens = new Map<string, { clientId: string; user: RegisteredUser; scope: string }>();

  constructor(options: AuthOptions, readonly now: () => number = Date.now) {
    this.tenantId = options.tenantId ?? TENANT_ID;
    this.clients = options.clients ?? DEFAULT_CLIENTS;
    this.users = options.users ?? DEFAULT_USERS;
    this.lifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.keyId = keyIdOf(publicKey);
  }

  /** Entra-style issuer of tokens from the tenant endpoints. */
  get tenantIssuer(): string {
    return `${this.baseUrl}/${this.tenantId}/v2.0`;
  }

  /** AD FS issues its access tokens as `…/adfs/services/trust`. */
  get adfsIssuer(): string {
    return `${this.baseUrl}/adfs/services/trust`;
  }

  client(clientId: string | null | undefined): RegisteredClient | undefined {
    return clientId ? this.clients.find((c) => c.clientId === clientId) : undefined;
  }

  user(username: string | null | undefined): RegisteredUser | undefined {
    return username ? this.users.find((u) => u.username.toLowerCase() === username.toLowerCase()) : undefined;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', alg: 'RS256', kid: this.keyId, n: jwk.n, e: jwk.e }] };
  }

  /** `lifetimeSeconds` overrides the configured lifetime (tests make expired tokens with a negative one). */
  issueAccessToken(principal: Principal, audience: string, flavour: 'tenant' | 'adfs', lifetimeSeconds = this.lifetimeSeconds): string {
    const nowSeconds = Math.floor(this.now() / 1000);
    const client = this.client(principal.clientId);
    const user = principal.user;
    const claims: Record<string, unknown> = {
      aud: audience,
      iss: flavour === 'adfs' ? this.adfsIssuer : this.tenantIssuer,
      iat: nowSeconds,
      nbf: Math.min(nowSeconds, nowSeconds + lifetimeSeconds),
      exp: nowSeconds + lifetimeSeconds,
      appid: principal.clientId,
      azp: principal.clientId,
      tid: this.tenantId,
      oid: user ? (user.objectId ?? objectIdFor(user.username)) : (client?.objectId ?? objectIdFor(`app:${principal.clientId}`)),
      ver: '1.0',
      uti: randomBytes(12).toString('base64url'),
    };
    claims.sub = claims.oid;
    if (user) {
      claims.upn = user.username;
      claims.unique_name = user.username;
      claims.name = user.displayName ?? user.username;
      // Delegated tokens for Dynamics carry this one scope whether `/user_impersonation` or `/.default` was asked.
      claims.scp = 'user_impersonation';
    } else {
      claims.idtyp = 'app';
    }
    return signJwt({ kid: this.keyId }, claims, this.privateKey);
  }

  issueIdToken(clientId: string, user: RegisteredUser, nonce?: string): string {
    const nowSeconds = Math.floor(this.now() / 1000);
    const oid = user.objectId ?? objectIdFor(user.username);
    return signJwt({ kid: this.keyId }, {
      aud: clientId, iss: this.tenantIssuer, iat: nowSeconds, nbf: nowSeconds, exp: nowSeconds + this.lifetimeSeconds,
      sub: oid, oid, tid: this.tenantId, preferred_username: user.username, name: user.displayName ?? user.username, ver: '2.0',
      ...(nonce ? { nonce } : {}),
    }, this.privateKey);
  }

  issueRefreshToken(clientId: string, user: RegisteredUser, scope: string): string {
    const token = randomBytes(32).toString('base64url');
    this.refreshTokens.set(token, { clientId, user, scope });
    return token;
  }

  /** MSAL's `client_info`: base64url JSON naming the user and tenant (its cache key). */
  clientInfo(user: RegisteredUser): string {
    return Buffer.from(JSON.stringify({ uid: user.objectId ?? objectIdFor(user.username), utid: this.tenantId })).toString('base64url');
  }

  /**
   * The API's check: our signature, our issuer, an accepted audience, not expired (60 s of leeway
   * on nbf only, none on exp, so an expired token fails at once in tests).
   */
  verifyAccessToken(token: string, acceptedAudiences: string[]): TokenCheck {
    const jwt = decodeJwt(token);
    if (!jwt) return { valid: false, reason: 'The access token is not a well-formed JWT.' };
    if (jwt.header.kid !== this.keyId || !verifyJwtSignature(jwt, this.publicKey) || jwt.header.alg !== 'RS256') {
      return { valid: false, reason: 'The access token signature is not valid.' };
    }
    const claims = jwt.payload;
    if (claims.iss !== this.tenantIssuer && claims.iss !== this.adfsIssuer) return { valid: false, reason: 'The access token was issued by an unknown issuer.' };
    const nowSeconds = this.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return { valid: false, reason: 'The access token has expired.' };
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + 60) return { valid: false, reason: 'The access token is not valid yet.' };
    const audiences = new Set(acceptedAudiences.map(normalizeAudience));
    if (typeof claims.aud !== 'string' || !audiences.has(normalizeAudience(claims.aud))) {
      return { valid: false, reason: 'The access token was issued for a different audience.' };
    }
    return { valid: true, claims, userId: String(claims.oid ?? claims.sub) };
  }

  newUserCode(): string {
    const letters = 'BCDFGHJKLMNPQRSTVWXZ';
    return Array.from(randomBytes(9), (b) => letters[b % letters.length]).join('');
  }

  newId(): string {
    return randomUUID();
  }
}
