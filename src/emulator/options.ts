/** Options of `startEmulator()` and the `dynasql emulator` command. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Which service to imitate; default 'dataverse'. */
  edition?: 'dataverse' | 'finops';
  /** EDMX text to serve instead of the built-in schema (tables without seed data start empty). */
  metadataXml?: string;
  /** Scales the large tables: the number of accounts (others follow). Default 100. */
  rows?: number;
  /** Seed of the deterministic data generator. Default 1. */
  seed?: number;
  /** Rows an aggregate ($apply) may read before the 0x8004E023 error. Default 50,000 as the service. */
  aggregateLimit?: number;
  /** Requests kept for GET /_emulator/requests (oldest dropped first). Default 10,000. */
  requestLogSize?: number;
  /** The clock used for createdon/modifiedon and date query functions (Today, LastXDays, ...). */
  now?: () => Date;
  /** Service-protection limits (issue 3 narrows this type in src/emulator/limits/). */
  limits?: unknown;
  /** Fault injection (issue 3 narrows this type in src/emulator/faults/). */
  faults?: unknown;
  /** Authentication (issue 3 narrows this type in src/emulator/identity/). */
  auth?: unknown;
}
