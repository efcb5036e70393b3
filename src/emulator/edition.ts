import { ODataError } from './errors.js';
import type { EmulatorOptions } from './options.js';

/**
 * Everything that differs between Dataverse and Finance & Operations, as data, so the query engine,
 * writes and $batch stay generic: F&O works by supplying a profile, an EDMX and seed rows.
 */
export interface EditionProfile {
  name: string;
  /** Splits a request path into the service root and the rest; undefined when it is not ours. */
  matchRoot(path: string): { root: string; rest: string } | ODataError | undefined;
  /** The root the emulator advertises, e.g. `/api/data/v9.2/`. */
  defaultRoot: string;
  /** Schema namespace of entity types and bound operations, e.g. `Microsoft.Dynamics.CRM`. */
  namespace: string;
  pageSize: { default: number; max: number };
  /** Dataverse refuses `$skip` ("Skip Clause is not supported in CRM"); F&O pages with it. */
  skipAllowed: boolean;
  /** The OData 4.01 `in` operator. */
  inOperatorAllowed: boolean;
  /** Levels of nested `$expand` (Dataverse: deep; F&O: first level only). */
  maxExpandDepth: number;
  /** How `@odata.nextLink` continues: a Dataverse paging-cookie `$skiptoken` or F&O `$skip`. */
  nextLinkStyle: 'skiptoken' | 'skip';
  /** `Ns.Enum'Member'` literals in $filter (F&O). */
  enumLiterals: boolean;
  /** `@odata.count` cap (Dataverse caps at 5,000; F&O does not). */
  countCap: number | undefined;
  /** The response body and status for an error (F&O answers write failures with 500 and innererror). */
  errorBody(error: ODataError, during: 'read' | 'write'): { status: number; body: unknown };
  /** The edition's default $metadata (Dataverse's comes from src/emulator/metadata/). */
  metadataXml?: string;
}

/** `/api/data/v9.2/...`; `/api/data/data/` → the documented "Requested API Version" error. */
function matchDataverseRoot(path: string) {
  const m = /^\/api\/data\/([^/]*)(\/|$)(.*)$/s.exec(path);
  if (!m) return undefined;
  const version = m[1]!;
  if (!/^v\d+\.\d+$/.test(version)) {
    return new ODataError(400, '0x80060888',
      `Requested API Version '${version}' was not understood. Please provide in the format /api/data/v<Major>.<Minor>/ (example: /api/data/v7.2/)`);
  }
  if (!['v9.0', 'v9.1', 'v9.2'].includes(version)) {
    return new ODataError(404, '0x80060888', `Requested API Version '${version}' is not supported.`);
  }
  return { root: `/api/data/${version}/`, rest: m[3]! };
}

export const dataverseProfile: EditionProfile = {
  name: 'dataverse',
  matchRoot: matchDataverseRoot,
  defaultRoot: '/api/data/v9.2/',
  namespace: 'Microsoft.Dynamics.CRM',
  pageSize: { default: 5000, max: 5000 },
  skipAllowed: false,
  inOperatorAllowed: false,
  maxExpandDepth: 10,
  nextLinkStyle: 'skiptoken',
  enumLiterals: false,
  countCap: 5000,
  errorBody: (error) => ({ status: error.status, body: { error: { code: error.code, message: error.message } } }),
};

/**
 * The F&O profile comes from src/emulator/finops/ (issue 3). It is loaded on demand so the
 * Dataverse emulator does not depend on that folder existing yet.
 */
export async function selectProfile(options: EmulatorOptions): Promise<EditionProfile> {
  const edition = options.edition ?? 'dataverse';
  if (edition === 'dataverse') return dataverseProfile;
  if (edition === 'finops') {
    const modulePath = './finops/profile.js';
    let loaded: { createFinopsProfile?: (options: EmulatorOptions) => EditionProfile };
    try {
      loaded = (await import(modulePath)) as typeof loaded;
    } catch {
      throw new Error("emulator edition 'finops' is not available yet (src/emulator/finops/profile.ts is missing)");
    }
    if (!loaded.createFinopsProfile) throw new Error("emulator edition 'finops' is not available yet (no createFinopsProfile export)");
    return loaded.createFinopsProfile(options);
  }
  throw new Error(`unknown emulator edition '${String(edition)}' (expected dataverse or finops)`);
}
