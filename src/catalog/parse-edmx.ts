/**
 * `parseEdmx(xml) → Catalog`: pure and synchronous. Reads a Dataverse or Finance & Operations
 * `$metadata` document once, completely; what users see of it (formatted-value columns, navigation
 * columns, procedures) is chosen later by `catalogView`.
 */
import { CAPABILITIES, CORE, boolTerm, descriptionOf, stringList, stringTerm } from './annotation-terms.js';
import { buildProcedures } from './build-procedures.js';
import { type TableBuildOptions, TableBuilder } from './build-tables.js';
import { type CsdlDocument, readCsdl } from './csdl.js';
import { CATALOG_FORMAT_VERSION } from './format-version.js';
import { TypeSystem } from './type-system.js';
import type { Catalog, ComplexTypeDef, Edition, EnumTypeDef, ServiceAnnotations } from './types.js';
import { parseXmlRoot } from './xml-tree.js';
import { DynasqlError } from '../errors/index.js';

export interface ParseEdmxOptions {
  /** force an edition; by default it follows the namespace (`Microsoft.Dynamics.DataEntities` → finops) */
  edition?: Edition;
  /** decide which Dataverse Int32 columns are choices (see dataverse-conventions.ts for the default) */
  isChoice?: TableBuildOptions['isChoice'];
}

const FINOPS_NAMESPACE = 'Microsoft.Dynamics.DataEntities';
const DATAVERSE_NAMESPACE = 'Microsoft.Dynamics.CRM';

function detectEdition(document: CsdlDocument, warnings: string[]): Edition {
  if (document.namespace === FINOPS_NAMESPACE) return 'finops';
  if (document.namespace !== DATAVERSE_NAMESPACE) {
    warnings.push(`Unknown namespace '${document.namespace}': Dataverse conventions assumed`);
  }
  return 'dataverse';
}

function serviceAnnotationsOf(document: CsdlDocument): ServiceAnnotations {
  const annotations = document.container?.annotations ?? new Map();
  const service: ServiceAnnotations = {};
  const level = stringTerm(annotations, `${CAPABILITIES}ConformanceLevel`);
  if (level) service.conformanceLevel = level.slice(level.lastIndexOf('/') + 1);
  if (annotations.has(`${CAPABILITIES}FilterFunctions`)) service.filterFunctions = stringList(annotations.get(`${CAPABILITIES}FilterFunctions`));
  if (annotations.has(`${CAPABILITIES}SupportedFormats`)) service.supportedFormats = stringList(annotations.get(`${CAPABILITIES}SupportedFormats`));
  const flags: [keyof ServiceAnnotations, string][] = [
    ['batchSupported', 'BatchSupported'],
    ['batchContinueOnErrorSupported', 'BatchContinueOnErrorSupported'],
    ['crossJoinSupported', 'CrossJoinSupported'],
    ['asynchronousRequestsSupported', 'AsynchronousRequestsSupported'],
  ];
  for (const [key, term] of flags) {
    const value = boolTerm(annotations, `${CAPABILITIES}${term}`);
    if (value !== undefined) (service as Record<string, unknown>)[key] = value;
  }
  return service;
}

function enumTypesOf(document: CsdlDocument): EnumTypeDef[] {
  return [...document.enumTypes.values()].map((enumType) => ({
    name: enumType.name,
    qualifiedName: enumType.qualifiedName,
    isFlags: enumType.isFlags,
    members: enumType.members.map((member) => {
      const label = descriptionOf(member.annotations) ?? stringTerm(member.annotations, `${CORE}LongDescription`);
      return label ? { name: member.name, value: member.value, label } : { name: member.name, value: member.value };
    }),
  }));
}

/** Complex types, plus entity types no table exposes (so operations typed with them stay describable). */
function typeDefsOf(document: CsdlDocument, exposed: Set<string>, types: TypeSystem): ComplexTypeDef[] {
  const defs: ComplexTypeDef[] = [];
  const add = (qualifiedName: string, isEntityType: boolean) => {
    const flat = types.flatten(qualifiedName);
    if (!flat) return;
    const def: ComplexTypeDef = {
      name: flat.type.name,
      qualifiedName,
      properties: flat.properties.map((p) => {
        const isCollection = p.type.startsWith('Collection(');
        return { name: p.name, edmType: isCollection ? p.type.slice(11, -1) : p.type, isCollection, nullable: p.nullable };
      }),
    };
    if (flat.type.baseType) def.baseType = flat.type.baseType;
    if (isEntityType) def.isEntityType = true;
    if (flat.type.isAbstract) def.isAbstract = true;
    defs.push(def);
  };
  for (const name of document.complexTypes.keys()) add(name, false);
  for (const name of document.entityTypes.keys()) if (!exposed.has(name)) add(name, true);
  return defs;
}

export function parseEdmx(xml: string, options: ParseEdmxOptions = {}): Catalog {
  if (typeof xml !== 'string' || xml.trim() === '') throw new DynasqlError('DYNASQL_ERR_METADATA', '$metadata is empty');
  const document = readCsdl(parseXmlRoot(xml));
  const warnings = document.warnings;
  if (!document.container) throw new DynasqlError('DYNASQL_ERR_METADATA', `$metadata declares no <EntityContainer> in namespace '${document.namespace}'`);
  const edition = options.edition ?? detectEdition(document, warnings);
  const warn = (message: string) => warnings.push(message);
  const types = new TypeSystem(document, warn);
  const tableOptions: TableBuildOptions = { edition };
  if (options.isChoice) tableOptions.isChoice = options.isChoice;
  const tables = new TableBuilder(document, types, tableOptions, warn).build();
  const procedures = buildProcedures(document, types, warn);
  const catalog: Catalog = {
    formatVersion: CATALOG_FORMAT_VERSION,
    edition,
    namespace: document.namespace,
    containerName: document.container.name,
    tables,
    procedures,
    enumTypes: enumTypesOf(document),
    complexTypes: typeDefsOf(document, new Set(tables.map((t) => t.entityType)), types),
    service: serviceAnnotationsOf(document),
    warnings: [...new Set(warnings)],
  };
  if (document.alias) catalog.alias = document.alias;
  return catalog;
}
