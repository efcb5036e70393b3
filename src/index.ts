/**
 * dynasql's public API. Everything an app needs is exported here and nowhere else.
 *
 * `connect` and `startPgServer` load the driver (SQL parsers, HTTP client, sign-in) and the Postgres
 * adapter when first called, not when this module is imported, so `import 'dynasql'` stays cheap
 * (bench/import-cost.ts measures it) for apps that import it at start and connect later, or never.
 */
import type { ConnectEdges } from './connection/index.js';
import type { Connection, ConnectionSettings } from './connection/types.js';
import type { PgServer, PgServerOptions } from './pgwire/index.js';

export { DynasqlError, ERROR_CODES, type ErrorCode, type SqlPosition } from './errors/index.js';
export type { ConnectEdges } from './connection/index.js';
export type { CustomTokenFunction, TokenRequest, TokenResult } from './config/index.js';

/** what `connect()` takes: a connection string, or the settings as an object (with the injectable edges) */
export type ConnectInput = string | (ConnectionSettings & ConnectEdges);
export type * from './connection/types.js';
export type * from './catalog/types.js';
export { schemaNameForOrg } from './pgwire/catalog-mirror.js';
export type { PgServer, PgServerOptions, PgServerUser } from './pgwire/index.js';

/**
 * Opens a connection from a connection string or a settings object:
 * `await connect('Organization URL=https://contoso.crm.dynamics.com;Auth Scheme=ClientSecret;…')`, or
 * `await connect({ organizationUrl: 'https://contoso.crm.dynamics.com', authScheme: 'ClientSecret', … })`.
 */
export async function connect(input: ConnectInput): Promise<Connection> {
  const driver = await import('./connection/connect.js');
  // the driver reads any key case- and space-insensitively; the type above is what apps may write
  return driver.connect(input as Parameters<typeof driver.connect>[0]);
}

/** The Postgres wire-protocol adapter (`dynasql serve`): serves a connection to any Postgres client. */
export async function startPgServer(options: PgServerOptions): Promise<PgServer> {
  const adapter = await import('./pgwire/server.js');
  return adapter.startPgServer(options);
}
