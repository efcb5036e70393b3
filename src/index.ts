/**
 * dynasql's public API. Everything an app needs is exported here and nowhere else.
 */
export { DynasqlError, ERROR_CODES, type ErrorCode, type SqlPosition } from './errors/index.js';
export { connect, type ConnectEdges, type ConnectInput } from './connection/index.js';
export type * from './connection/types.js';
export type * from './catalog/types.js';
/** The Postgres wire-protocol adapter (`dynasql serve`): serves a connection to any Postgres client. */
export { startPgServer, schemaNameForOrg, type PgServer, type PgServerOptions, type PgServerUser } from './pgwire/index.js';
