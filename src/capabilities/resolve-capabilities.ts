/**
 * The capabilities of one org: its edition's facts (editions.ts), overridden by what its own
 * `$metadata` advertises (a server knows itself better than the docs do):
 * `FilterFunctions`, `BatchSupported`, `BatchContinueOnErrorSupported` on the container, and
 * per entity set `SkipSupported`, `TopSupported`, `CountRestrictions`, `SearchRestrictions`,
 * `Insert/Update/DeleteRestrictions`, `ChangeTracking`.
 */
import type { Catalog, Edition, Table } from '../catalog/index.js';
import { DATAVERSE, FINOPS } from './editions.js';
import type { Capabilities, TableCapabilityFacts } from './types.js';

export function editionCapabilities(edition: Edition): Readonly<Capabilities> {
  return edition === 'finops' ? FINOPS : DATAVERSE;
}

const resolved = new WeakMap<Catalog, Readonly<Capabilities>>();

export function capabilitiesFor(catalog: Catalog): Readonly<Capabilities> {
  const cached = resolved.get(catalog);
  if (cached) return cached;
  const base = editionCapabilities(catalog.edition);
  const service = catalog.service;
  const merged: Capabilities = { ...base, filterFunctions: [...base.filterFunctions], enumOperators: [...base.enumOperators] };
  if (service.filterFunctions) merged.filterFunctions = service.filterFunctions.map((f) => f.toLowerCase());
  if (service.batchSupported !== undefined) merged.batchSupported = service.batchSupported;
  if (service.batchContinueOnErrorSupported !== undefined) merged.batchContinueOnError = service.batchContinueOnErrorSupported;
  const frozen = Object.freeze(merged);
  resolved.set(catalog, frozen);
  return frozen;
}

export function tableCapabilities(capabilities: Readonly<Capabilities>, table: Table): TableCapabilityFacts {
  const advertised = table.capabilities;
  return {
    supportsSkip: advertised.skipSupported ?? capabilities.supportsSkip,
    supportsTop: advertised.topSupported ?? capabilities.supportsTop,
    supportsCount: advertised.countable ?? capabilities.supportsCount,
    supportsSearch: advertised.searchable ?? capabilities.supportsSearch,
    insertable: advertised.insertable ?? true,
    updatable: advertised.updatable ?? true,
    deletable: advertised.deletable ?? true,
    changeTracking: advertised.changeTracking ?? false,
  };
}

/** `/api/data/v9.2/` for Dataverse v9.2, `/data/` for F&O. */
export function serviceRootPath(capabilities: Readonly<Capabilities>, apiVersion: string): string {
  return capabilities.serviceRootTemplate.replace('{apiVersion}', encodeURIComponent(apiVersion));
}
