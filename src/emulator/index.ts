import { selectProfile } from './edition.js';
import { DATAVERSE_EDMX } from './metadata/dataverse-edmx.js';
import { parseEdmx } from './metadata/model.js';
import type { RecordedRequest } from './observability.js';
import type { EmulatorOptions } from './options.js';
import { choiceLabels, maxLengths, multiSelectLabels } from './seed/choices.js';
import { buildDataverseSeed } from './seed/dataverse-seed.js';
import { startIdentityProvider, type IdentityProvider } from './identity/identity-server.js';
import { listen } from './server.js';
import type { EmulatorState } from './state.js';
import { ChangeLog } from './store/change-log.js';
import { Store } from './store/store.js';

export type { EmulatorOptions } from './options.js';
export type { EmulatorRequestContext, Middleware } from './context.js';
export type { EditionProfile } from './edition.js';
export type { RecordedRequest } from './observability.js';
export { DOCUMENTED_IDS } from './seed/dataverse-seed.js';
export type { LimitOptions } from './limits/limit-options.js';
export type { FaultOptions } from './faults/fault-options.js';
export type { AuthOptions, RegisteredClient, RegisteredUser } from './identity/identity-options.js';
export type { IdentityProvider } from './identity/identity-server.js';
export { parseLimitFlags, LIMIT_FLAGS } from './limits/parse-limit-flags.js';
export { trustingNetworkClient } from './identity/trusting-network-client.js';
export { createCertificate } from './identity/certificate.js';

export interface RunningEmulator {
  /** Service root, e.g. `http://127.0.0.1:5555/api/data/v9.2/`. */
  url: string;
  /** `http://127.0.0.1:5555`. */
  origin: string;
  port: number;
  /** Stops listening; resolves when the server is closed. */
  close(): Promise<void>;
  /** Restores the seed data (same as POST /_emulator/reset); change tracking tokens issued before expire. */
  reset(): void;
  /**
   * Forgets the change tracking log, as the service does past Expire Change Tracking In Days (same as
   * POST /_emulator/expire-change-tokens): every token issued until now gets 0x80044352; the data stays.
   */
  expireChangeTokens(): void;
  /** Requests received so far (same as GET /_emulator/requests). */
  requests(): RecordedRequest[];
  stats: Record<string, number>;
  /** The caller WhoAmI reports: the seeded System Administrator. */
  whoAmI: { UserId: string; BusinessUnitId: string; OrganizationId: string };
  /** With `auth`: the HTTPS identity provider (authority URLs, CA certificate PEM, token service). */
  identity?: IdentityProvider;
}

/**
 * Starts an emulated Dataverse Web API on 127.0.0.1:
 *
 *   const emu = await startEmulator({ port: 0, rows: 1000 });
 *   await fetch(`${emu.url}accounts?$top=1`);
 *   await emu.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const profile = await selectProfile(options);
  const model = parseEdmx(options.metadataXml ?? profile.metadataXml ?? DATAVERSE_EDMX);
  const seed = buildDataverseSeed(model, options.seed ?? 1, options.rows ?? 100, {
    fuzzData: options.fuzzData, keepRows: options.keepSeedRows, multiCurrency: options.multiCurrency, ...(options.fiscal ? { fiscal: options.fiscal } : {}),
  });
  const changes = new ChangeLog((options.changeRetentionDays ?? 7) * 86_400_000);
  const state: EmulatorState = {
    model,
    profile,
    store: new Store(model, seed.tables, seed.associations, undefined, changes),
    changes,
    choices: choiceLabels,
    multiSelect: multiSelectLabels,
    maxLengths,
    whoAmI: seed.whoAmI,
    aggregateLimit: options.aggregateLimit ?? 50_000,
    now: options.now ?? (() => new Date()),
    version: '9.2.25013.00178',
    metadataVersion: String(2_341_840 + (options.seed ?? 1)),
  };
  const reset = () => {
    // the seed's rows come back: every token names changes of a store that is gone
    changes.truncate();
    state.store = new Store(model, seed.tables, seed.associations, undefined, changes);
  };
  const identity = options.auth ? await startIdentityProvider(options.auth) : undefined;
  const running = await listen(options, () => state, reset, identity).catch(async (error: unknown) => {
    await identity?.close(); // e.g. the port is taken: do not leave the identity provider listening
    throw error;
  });
  return {
    url: `${running.origin}${profile.defaultRoot}`,
    origin: running.origin,
    port: running.port,
    stats: running.stats,
    whoAmI: seed.whoAmI,
    reset,
    expireChangeTokens: () => changes.truncate(),
    requests: () => running.log.list(),
    identity,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        running.server.close((error) => (error ? reject(error) : resolve()));
        running.server.closeAllConnections();
      });
      await identity?.close();
    },
  };
}
