/**
 * The emulator's identity provider and the API's token check. With `auth` set, the emulator starts
 * an OAuth 2.0 / OpenID Connect provider over HTTPS beside the API, and the API answers 401 to any
 * request without an unexpired bearer token that this provider issued for the org URL.
 *
 *   startEmulator({ auth: {} })                      // defaults: one confidential client, one user
 *   startEmulator({ auth: { audience: 'https://contoso.crm.dynamics.com',
 *                           clients: [{ clientId: 'app', clientSecret: 's3cret' }] } })
 */
export interface AuthOptions {
  /** Tenant id used in authority paths, e.g. `https://127.0.0.1:PORT/<tenantId>` (default TENANT_ID below). */
  tenantId?: string;
  /**
   * The org URL(s) tokens must be issued for (the token's `aud`, the scope before `/.default`).
   * The emulator's own origin (`http://127.0.0.1:PORT`, as the request's Host names it) is always accepted.
   */
  audience?: string | string[];
  /** Applications that may ask for tokens (default: DEFAULT_CLIENTS). */
  clients?: RegisteredClient[];
  /** Users for the authorization-code, device-code and password flows (default: DEFAULT_USERS). */
  users?: RegisteredUser[];
  /** Lifetime of access tokens in seconds (default 3600, like the service's ~60 minutes). */
  tokenLifetimeSeconds?: number;
  /** Poll interval the device-code flow asks for, in seconds (default 1; Entra says 5). */
  deviceCodeIntervalSeconds?: number;
  /** The HTTPS certificate; by default a test authority and a loopback certificate are made at start. */
  tls?: { certPem: string; keyPem: string; caPem?: string };
  /** Where the provider listens (default 127.0.0.1, a free port). */
  host?: string;
  port?: number;
}

export interface RegisteredClient {
  clientId: string;
  /** A shared secret (client credentials with `client_secret`). */
  clientSecret?: string;
  /** A PEM certificate whose key signs the client's assertions (client credentials with `client_assertion`). */
  certificatePem?: string;
  /** A public client (device code, authorization code with PKCE) has no credential. */
  isPublic?: boolean;
  /** The service principal's object id, the `oid` of its app-only tokens (default: derived from clientId). */
  objectId?: string;
  /**
   * Redirect URIs registered for the app. When given, `…/authorize` shows an error page (no redirect,
   * as Entra does) and the code redemption answers AADSTS50011 for any other `redirect_uri`; when
   * left out, any redirect URI is accepted.
   */
  redirectUris?: string[];
  /**
   * `false`: nobody consented to the app's delegated permission on the org (API permissions without
   * "Grant admin consent"), so every grant that signs a user in answers AADSTS65001. Default true.
   */
  consentGranted?: boolean;
  /**
   * How the org sees the app's application user, for the 403s of a badly set-up app (default 'ready'):
   * 'missing' (never created in the environment), 'disabled', or a privilege none of its security roles
   * grants (`{ missingPrivilege: 'prvReadAccount' }`: every request but `$metadata` and the service
   * document answers 403, as an app user without a role on the tables would meet).
   */
  applicationUser?: 'ready' | 'missing' | 'disabled' | { missingPrivilege: string };
}

export interface RegisteredUser {
  username: string;
  password?: string;
  objectId?: string;
  displayName?: string;
}

export const TENANT_ID = '7e1b5d3c-0000-4000-8000-e0a1a7e5d000';
export const DEFAULT_CLIENTS: RegisteredClient[] = [
  { clientId: 'dynasql-emulator-app', clientSecret: 'dynasql-emulator-secret' },
  { clientId: 'dynasql-emulator-cli', isPublic: true },
];
export const DEFAULT_USERS: RegisteredUser[] = [
  { username: 'admin@contoso.test', password: 'emulator', objectId: '0e5e1a3b-52a4-4e7c-9a8e-6d3f7a2c1b01', displayName: 'Emulator Admin' },
];
