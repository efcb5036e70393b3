/** The Postgres wire-protocol adapter: `startPgServer` serves a dynasql connection to Postgres clients. */
export { startPgServer, type PgServer, type PgServerOptions, type PgServerUser } from './server.js';
export { schemaNameForOrg } from './catalog-mirror.js';
