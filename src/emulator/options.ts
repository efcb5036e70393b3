import type { FaultOptions } from './faults/fault-options.js';
import type { AuthOptions } from './identity/identity-options.js';
import type { LimitOptions } from './limits/limit-options.js';

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
  /**
   * Keeps each seed row once built in every table (default: only in tables of up to 5,000 rows; the rows of
   * bigger ones are built anew on every read). A benchmark that reads a big table many times over, or in
   * ranges that each scan it (partitioned reads), then builds each row once, for memory: the emulator
   * process grew to about 0.8 GB with 200,000 accounts read.
   */
  keepSeedRows?: boolean;
  /** Adds the randomized differential test's string spellings and cents to the seed (see seed/fuzz-variants.ts). Default off. */
  fuzzData?: boolean;
  /**
   * An org with more than one currency: EUR and JPY beside the base currency USD, about one record in
   * seven in one of them, its money's `_base` twins divided by its exchange rate, and aggregates of
   * money columns computed over those base values as the service is reported to (currency.ts).
   * Default off: one currency, USD.
   */
  multiCurrency?: boolean;
  /** Seed of the deterministic data generator. Default 1. */
  seed?: number;
  /** Rows an aggregate ($apply) may read before the 0x8004E023 error. Default 50,000 as the service. */
  aggregateLimit?: number;
  /** Requests kept for GET /_emulator/requests (oldest dropped first). Default 10,000. */
  requestLogSize?: number;
  /**
   * The organization's fiscal settings (Dataverse), as its `organization` row holds them and FetchXML's fiscal date
   * grouping and operators read them (fetchxml/fiscal-calendar.ts): `fiscalcalendarstart` (ISO date; its month and
   * day), `fiscalperiodtype` (2000-2004), `fiscalyeardisplaycode` (1 or 2). Default 1 January, quarterly (2002),
   * named by the start (1). They survive reset(); a PATCH of the row changes them until then.
   */
  fiscal?: { fiscalcalendarstart?: string; fiscalperiodtype?: number; fiscalyeardisplaycode?: number };
  /**
   * How long a change tracking token is honoured, in days, measured on the `now` clock (the
   * organization's ExpireChangeTrackingInDays): an older token gets 0x80044352. Default 7, as the
   * current documentation says (earlier versions said 30 and 90). `reset()` also expires every token.
   */
  changeRetentionDays?: number;
  /** The clock used for createdon/modifiedon and date query functions (Today, LastXDays, ...). */
  now?: () => Date;
  /** Service-protection limits (off unless set): see src/emulator/limits/limit-options.ts. */
  limits?: LimitOptions;
  /** Fault injection (off unless set; switchable at run time via /_emulator/faults): see src/emulator/faults/fault-options.ts. */
  faults?: FaultOptions;
  /** Authentication: starts an OAuth/OIDC provider over HTTPS and requires its tokens; see src/emulator/identity/identity-options.ts. */
  auth?: AuthOptions;
}
