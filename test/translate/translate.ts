/**
 * Plans one fixture statement against an edition's catalog without any I/O: the requests it would
 * send and whether a local step runs. Shared by the translation tests and the end-to-end runs.
 */
import { bindQuery } from '../../src/bind/index.js';
import { capabilitiesFor } from '../../src/capabilities/index.js';
import { parseEdmx, type Catalog } from '../../src/catalog/index.js';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import { finopsMetadataXml } from '../../src/emulator/finops/finops-metadata.js';
import type { PhysicalPlan } from '../../src/plan/index.js';
import { MetadataReader, planQuery, resolveParams, type AttributeKind, type RemoteLanguage, type ServiceMetadata } from '../../src/pushdown/index.js';
import { primaryNameOf, YES_NO } from '../../src/emulator/http/format.js';
import { parseEdmx as emulatorModel, type EdmModel } from '../../src/emulator/metadata/model.js';
import { choiceLabels, multiSelectLabels } from '../../src/emulator/seed/choices.js';
import { attributeTypeOf } from '../../src/emulator/http/attribute-types.js';
import { parseSql } from '../../src/sql/index.js';
import { systemTables } from '../../src/connection/system-tables.js';

export type FixtureEdition = 'dataverse' | 'finops';

const catalogs = new Map<FixtureEdition, Catalog>();

/** the statement's instant in every fixture (GETDATE(), now()): a fixed one, so the requests are exact */
export const FIXTURE_INSTANT = new Date('2024-05-01T10:20:30.120Z');

export function fixtureCatalog(edition: FixtureEdition): Catalog {
  let catalog = catalogs.get(edition);
  if (!catalog) {
    catalog = parseEdmx(edition === 'finops' ? finopsMetadataXml() : DATAVERSE_EDMX);
    catalogs.set(edition, catalog);
  }
  return catalog;
}

let dataverseModel: EdmModel | undefined;

/**
 * The Dataverse emulator's answers to the metadata API (its choice labels and primary names), so a
 * statement translates as it runs end to end against the emulator.
 */
function emulatorEntity(table: string) {
  dataverseModel ??= emulatorModel(DATAVERSE_EDMX);
  return [...dataverseModel.entityTypes.values()].find((e) => e.name === table && e.entitySet);
}

const emulatorMetadata: ServiceMetadata = {
  choiceOptions: (table, column) => {
    // a yes/no column: its true and false options, labelled as the emulator's FormattedValues
    if (emulatorEntity(table)?.properties.get(column)?.type === 'Edm.Boolean') return [{ value: 1, label: YES_NO.yes }, { value: 0, label: YES_NO.no }];
    const labels = choiceLabels[table]?.[column];
    return labels ? Object.entries(labels).map(([value, label]) => ({ value: Number(value), label })) : null;
  },
  primaryName: (table) => {
    const entity = emulatorEntity(table);
    return (entity && primaryNameOf(entity)) ?? null;
  },
  attributeKinds: (table) => {
    const entity = emulatorEntity(table);
    if (!entity) return null;
    const kindOf = (type: string, typeName: string): AttributeKind =>
      ['Picklist', 'State', 'Status'].includes(type) ? 'choice' : type === 'Boolean' ? 'yesNo' : typeName === 'MultiSelectPicklistType' ? 'multiSelect' : 'other';
    return new Map([...entity.properties.values()].map((p) => {
      const kind = attributeTypeOf(entity, p, choiceLabels, multiSelectLabels);
      return [kind.logicalName, kindOf(kind.type, kind.typeName)];
    }));
  },
  // the default emulator has one currency (startEmulator's multiCurrency is off)
  severalCurrencies: () => false,
};

export function planFor(
  edition: FixtureEdition, sql: string, params?: unknown[] | Record<string, unknown>, pushdown = true, remoteLanguage: RemoteLanguage = 'odata',
): PhysicalPlan {
  const catalog = fixtureCatalog(edition);
  const parsed = parseSql(sql);
  // Dataverse: the fiscal settings of the emulator's seeded organization (1 January, quarters, named by the start)
  const fiscal = edition === 'dataverse' ? { fiscal: { startMonth: 1, startDay: 1, periodType: 2002, namedBy: 'start' } as const } : {};
  const bound = bindQuery(parsed.statement.query, { catalog, systemTables: systemTables(catalog).tables, ...fiscal });
  return planQuery(bound, {
    facts: capabilitiesFor(catalog), params: resolveParams(parsed.params, params, FIXTURE_INSTANT), pushdown, remoteLanguage,
    crossCompany: false, pageSize: edition === 'finops' ? 10000 : 5000, metadata: new MetadataReader(edition === 'dataverse' ? emulatorMetadata : undefined),
  });
}

export function requestsOf(plan: PhysicalPlan): string[] {
  return plan.scans.flatMap((s) => (s.kind === 'remoteScan' ? [readableRequest(s.request.url)] : []));
}

/** a FetchXML request as a fixture states it, `FETCH accounts <fetch …>`; any other URL as it is */
export function readableRequest(url: string): string {
  const fetch = /^([^?]+)\?fetchXml=(.*)$/.exec(url);
  return fetch ? `FETCH ${fetch[1]} ${decodeURIComponent(fetch[2]!)}` : url;
}
