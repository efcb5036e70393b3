import { withFinopsFuzzVariants } from '../seed/fuzz-variants.js';
import type { EditionProfile } from '../edition.js';
import type { ODataError } from '../errors.js';
import type { EmulatorOptions } from '../options.js';
import { finopsMetadataXml } from './finops-metadata.js';
import { FINOPS_ENTITIES, FINOPS_NAMESPACE } from './finops-schema.js';
import { DEFAULT_COMPANY, finopsSeed, type FinopsSeedSet } from './finops-seed.js';

/** The F&O profile plus what the edition brings beside its rules: its EDMX, seed rows and company scoping. */
export interface FinopsProfile extends EditionProfile {
  metadataXml: string;
  /** Seed rows by entity set name. */
  seedRows: Map<string, FinopsSeedSet>;
  /** The company (dataAreaId) a request sees unless it says `cross-company=true`. */
  defaultCompany: string;
  /** Entity sets whose rows belong to a company (they have `dataAreaId`). */
  companySpecificSets: Set<string>;
}

const WRITE_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';
const READ_EXCEPTION = 'Microsoft.OData.Core.ODataException';

/**
 * Finance & Operations as a profile (protocol notes §8 and §11.7): `/data/` root, `$skip` allowed,
 * 10,000-row pages continued by `$skip`/`$top` nextLinks, enum literals, one level of `$expand`, no
 * `in` operator, no `@odata.count` cap, and ASP.NET OData errors with an empty code and the detail
 * in `innererror`; write failures are 500:
 *
 *   {"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'CustomerV3'. …","type":"…AxODataWriteException","stacktrace":""}}}
 */
export function createFinopsProfile(options: EmulatorOptions): FinopsProfile {
  return {
    name: 'finops',
    matchRoot: (path) => {
      const m = /^\/data(\/|$)(.*)$/s.exec(path);
      return m ? { root: '/data/', rest: m[2]! } : undefined;
    },
    defaultRoot: '/data/',
    namespace: FINOPS_NAMESPACE,
    pageSize: { default: 10_000, max: 10_000 },
    skipAllowed: true,
    inOperatorAllowed: false,
    maxExpandDepth: 1,
    nextLinkStyle: 'skip',
    enumLiterals: true,
    countCap: undefined,
    errorBody: (error: ODataError, during) => ({
      status: during === 'write' && error.status < 500 && error.status !== 404 ? 500 : error.status,
      body: {
        error: {
          code: '',
          message: 'An error has occurred.',
          innererror: { message: error.message, type: during === 'write' ? WRITE_EXCEPTION : READ_EXCEPTION, stacktrace: '' },
        },
      },
    }),
    metadataXml: finopsMetadataXml(),
    seedRows: options.fuzzData ? withFinopsFuzzVariants(finopsSeed(options.seed ?? 1, options.rows), options.seed ?? 1) : finopsSeed(options.seed ?? 1, options.rows),
    defaultCompany: DEFAULT_COMPANY,
    companySpecificSets: new Set(FINOPS_ENTITIES.filter((e) => e.companySpecific).map((e) => e.set)),
  };
}
