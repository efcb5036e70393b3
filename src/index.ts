/**
 * dynasql's public API. Everything an app needs is exported here and nowhere else.
 *
 * `connect` and `startPgServer` load the driver (SQL parsers, HTTP client, sign-in) and the Postgres
 * adapter when first called, not when this module is imported, so `import 'dynasql'` stays cheap
 * (bench/import-cost.ts measures it) for apps that import it at start and connect later, or never.
 */
import type { ConnectInput } from './connection/index.js';
import type { ConnectedConnection } from './connection/types.js';
import type { PgServer, PgServerOptions } from './pgwire/index.js';

export { DynasqlError, ERROR_CODES, type ErrorCode, type SqlPosition } from './errors/index.js';
export type { ConnectEdges, ConnectInput } from './connection/index.js';
export type * from './connection/types.js';
export type * from './catalog/types.js';
export { schemaNameForOrg } from './pgwire/catalog-mirror.js';
export type { PgServer, PgServerOptions, PgServerUser } from './pgwire/index.js';

/**
 * Opens a connection from a connection string or a settings object:
 * `await connect('Organization URL=https://contoso.crm.dynamics.com;Auth Scheme=ClientSecret;…')`.
 */
export async function connect(input: ConnectInput): Promise<ConnectedConnection> {
  const driver = await import('./connection/connect.js');
  return driver.connect(input);
}

/** The Postgres wire-protocol adapter (`dynasql serve`): serves a connection to any Postgres client. */
export async function startPgServer(options: PgServerOptions): Promise<PgServer> {
  const adapter = await import('./pgwire/server.js');
  return adapter.startPgServer(options);
}
