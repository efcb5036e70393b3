import type { EditionProfile } from './edition.js';
import type { EdmModel } from './metadata/model.js';
import type { ChoiceLabels } from './seed/choices.js';
import type { ChangeLog } from './store/change-log.js';
import type { Store } from './store/store.js';

/** Everything a request handler reads or changes; `store` is replaced on reset. */
export interface EmulatorState {
  model: EdmModel;
  profile: EditionProfile;
  store: Store;
  /** the change tracking log of the tracked tables; outlives reset(), which empties it */
  changes: ChangeLog;
  choices: ChoiceLabels;
  /** multi-select choices' labels (seed/choices.ts) */
  multiSelect: ChoiceLabels;
  maxLengths: Record<string, Record<string, number>>;
  whoAmI: { UserId: string; BusinessUnitId: string; OrganizationId: string };
  aggregateLimit: number;
  now: () => Date;
  version: string;
  /** Changes when the schema changes; served as globalmetadataversion. */
  metadataVersion: string;
}

/** One OData request, already read from the socket (or from a $batch part). */
export interface ODataRequest {
  method: string;
  /** Service root path, e.g. `/api/data/v9.2/`. */
  root: string;
  /** The rest of the path after the root, still percent-encoded, e.g. `accounts(…)/name`. */
  rest: string;
  rawQuery: string;
  headers: Record<string, string | undefined>;
  body: string;
  /** `http://127.0.0.1:PORT`, for absolute links. */
  origin: string;
  /** Caller's systemuserid when an auth middleware set one. */
  user?: string;
  /** $batch: Content-ID → the URL of the entity it created, for `$1` references. */
  contentIds?: Map<string, string>;
}

export interface ODataResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}
