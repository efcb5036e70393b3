import { XMLParser } from 'fast-xml-parser';

/**
 * The emulator's own small model of an EDMX document: entity types with inherited properties, keys,
 * navigation properties (with the `_x_value` lookup each single-valued one is tied to), entity sets,
 * operations. Plain data; built once at start.
 */
export interface PropertyDef {
  name: string;
  type: string; // Edm.String, Edm.Guid, ...; or a qualified enum/complex type name
  nullable: boolean;
  maxLength?: number;
  /** Computed or Permissions=Read: the service ignores or refuses writes. */
  readOnly: boolean;
}

export interface NavigationDef {
  name: string;
  /** Entity type name without namespace, e.g. `contact`. */
  target: string;
  collection: boolean;
  partner?: string;
  /** For single-valued navigations: the lookup property, e.g. `_primarycontactid_value`. */
  lookupProperty?: string;
  referencedProperty?: string;
}

export interface EntityTypeDef {
  name: string;
  qualifiedName: string;
  abstract: boolean;
  baseType?: string;
  key: string[];
  properties: Map<string, PropertyDef>;
  navigations: Map<string, NavigationDef>;
  /** `_parentcustomerid_value` → the navigations sharing it (one per target type when polymorphic). */
  lookups: Map<string, NavigationDef[]>;
  alternateKeys: string[][];
  entitySet?: string;
}

export interface OperationDef {
  kind: 'Action' | 'Function';
  name: string;
  bound: boolean;
  composable: boolean;
  /** Binding parameter type for bound operations, e.g. `lead` or `Collection(solution)` → collection. */
  bindingType?: string;
  bindingCollection?: boolean;
  parameters: { name: string; type: string; nullable: boolean }[];
  returnType?: string;
}

export interface EdmModel {
  namespace: string;
  alias?: string;
  entityTypes: Map<string, EntityTypeDef>;
  entitySets: Map<string, EntityTypeDef>;
  /**
   * Entity sets whose `Org.OData.Capabilities.V1.ChangeTracking` annotation says Supported=true: the
   * tables with change tracking enabled (the annotation is how `$metadata` shows it, per "Use change
   * tracking to synchronize data with external systems"). Without the annotation a set is not tracked.
   */
  changeTracked: Set<string>;
  /** Operations by name (bound ones may be overloaded by binding type). */
  operations: Map<string, OperationDef[]>;
  /** Names with an ActionImport/FunctionImport: callable unbound without namespace. */
  imports: Set<string>;
  complexTypes: Set<string>;
  enumTypes: Map<string, Map<string, number>>;
  xml: string;
}

const ARRAY_TAGS = new Set([
  'Schema', 'EntityType', 'ComplexType', 'EnumType', 'Member', 'Property', 'NavigationProperty', 'PropertyRef',
  'ReferentialConstraint', 'Action', 'Function', 'Parameter', 'EntitySet', 'Singleton', 'FunctionImport',
  'ActionImport', 'NavigationPropertyBinding', 'Annotation', 'Record', 'PropertyValue', 'Collection', 'EntityContainer',
]);

type Node = Record<string, any>;
const list = (value: unknown): Node[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]) as Node[];

/**
 * Models already parsed, by their EDMX text: parsing the built-in Dataverse schema is nearly all of an
 * emulator's start (~0.1 s of CPU warm), and a test suite or benchmark starts hundreds in one process
 * from the same few texts. A model is never changed once built, so emulators may share it. The few
 * most recent texts are kept (a custom schema is dropped first).
 */
const parsed = new Map<string, EdmModel>();
const PARSED_KEPT = 4;

export function parseEdmx(xml: string): EdmModel {
  const known = parsed.get(xml);
  if (known) {
    // most recently used last, so the first key is the one to drop
    parsed.delete(xml);
    parsed.set(xml, known);
    return known;
  }
  const model = parseUncached(xml);
  parsed.set(xml, model);
  if (parsed.size > PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  return model;
}

function parseUncached(xml: string): EdmModel {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseAttributeValue: false,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ARRAY_TAGS.has(name),
  });
  const doc = parser.parse(xml) as Node;
  const schemas = list(doc.Edmx?.DataServices?.Schema);
  if (schemas.length === 0) throw new Error('not an EDMX document: no edmx:Edmx/edmx:DataServices/Schema');
  const schema = schemas.find((s) => list(s.EntityType).length > 0) ?? schemas[0]!;
  const namespace = String(schema['@_Namespace']);
  const alias = schema['@_Alias'] as string | undefined;
  const localName = (type: string) => {
    const inner = /^Collection\((.*)\)$/.exec(type)?.[1] ?? type;
    for (const prefix of [`${namespace}.`, alias ? `${alias}.` : undefined]) {
      if (prefix && inner.startsWith(prefix)) return inner.slice(prefix.length);
    }
    return inner;
  };

  const raw = new Map<string, Node>();
  for (const s of schemas) for (const t of list(s.EntityType)) raw.set(String(t['@_Name']), t);
  const entityTypes = new Map<string, EntityTypeDef>();
  const build = (name: string): EntityTypeDef => {
    const existing = entityTypes.get(name);
    if (existing) return existing;
    const node = raw.get(name);
    if (!node) throw new Error(`EDMX: unknown entity type '${name}'`);
    const base = node['@_BaseType'] ? build(localName(String(node['@_BaseType']))) : undefined;
    const def: EntityTypeDef = {
      name,
      qualifiedName: `${namespace}.${name}`,
      abstract: node['@_Abstract'] === 'true',
      baseType: base?.name,
      key: list(node.Key?.PropertyRef).map((r) => String(r['@_Name'])),
      properties: new Map(base?.properties),
      navigations: new Map(base?.navigations),
      lookups: new Map(),
      alternateKeys: [],
    };
    if (def.key.length === 0 && base) def.key = [...base.key];
    for (const p of list(node.Property)) {
      const annotations = list(p.Annotation);
      const readOnly = annotations.some((a) =>
        (a['@_Term'] === 'Org.OData.Core.V1.Computed' && a['@_Bool'] !== 'false') ||
        (a['@_Term'] === 'Org.OData.Core.V1.Permissions' && JSON.stringify(a).includes('PermissionType/Read') && !JSON.stringify(a).includes('ReadWrite')));
      def.properties.set(String(p['@_Name']), {
        name: String(p['@_Name']),
        type: p['@_Type'] ? (String(p['@_Type']).startsWith('Edm.') ? String(p['@_Type']) : localName(String(p['@_Type']))) : 'Edm.String',
        nullable: p['@_Nullable'] !== 'false',
        maxLength: p['@_MaxLength'] && /^\d+$/.test(p['@_MaxLength']) ? Number(p['@_MaxLength']) : undefined,
        readOnly,
      });
    }
    for (const n of list(node.NavigationProperty)) {
      const type = String(n['@_Type']);
      const constraint = list(n.ReferentialConstraint)[0];
      def.navigations.set(String(n['@_Name']), {
        name: String(n['@_Name']),
        target: localName(type),
        collection: type.startsWith('Collection('),
        partner: n['@_Partner'],
        lookupProperty: constraint?.['@_Property'],
        referencedProperty: constraint?.['@_ReferencedProperty'],
      });
    }
    // Activities declare type-specific navigations without a constraint (`regardingobjectid_opportunity_task`);
    // they share the lookup of the inherited one (`regardingobjectid_opportunity` → `_regardingobjectid_value`).
    if (base) {
      for (const nav of def.navigations.values()) {
        if (nav.collection || nav.lookupProperty) continue;
        const inherited = [...base.navigations.values()].find((b) => !b.collection && b.lookupProperty && b.target === nav.target && nav.name.startsWith(`${b.name}_`));
        if (inherited) def.navigations.set(nav.name, { ...nav, lookupProperty: inherited.lookupProperty, referencedProperty: inherited.referencedProperty });
      }
    }
    for (const nav of def.navigations.values()) {
      if (!nav.lookupProperty) continue;
      const navs = def.lookups.get(nav.lookupProperty) ?? [];
      navs.push(nav);
      def.lookups.set(nav.lookupProperty, navs);
    }
    for (const a of list(node.Annotation)) {
      if (a['@_Term'] !== 'OData.Community.Keys.V1.AlternateKeys' && a['@_Term'] !== 'Keys.AlternateKeys') continue;
      for (const record of list(list(a.Collection)[0]?.Record)) {
        const refs = JSON.stringify(record).match(/"@_PropertyPath":"([^"]+)"|"PropertyPath":"([^"]+)"/g) ?? [];
        const names = refs.map((r) => r.replace(/.*:"([^"]+)"$/, '$1'));
        if (names.length) def.alternateKeys.push(names);
      }
    }
    entityTypes.set(name, def);
    return def;
  };
  for (const name of raw.keys()) build(name);

  const entitySets = new Map<string, EntityTypeDef>();
  const changeTracked = new Set<string>();
  const imports = new Set<string>();
  for (const s of schemas) {
    for (const container of list(s.EntityContainer)) {
      for (const set of list(container.EntitySet)) {
        const type = entityTypes.get(localName(String(set['@_EntityType'])));
        if (!type) continue; // metadata sets (EntityDefinitions, ...) have no rows here
        entitySets.set(String(set['@_Name']), type);
        type.entitySet ??= String(set['@_Name']);
        if (supportsChangeTracking(set)) changeTracked.add(String(set['@_Name']));
      }
      for (const imp of [...list(container.ActionImport), ...list(container.FunctionImport)]) imports.add(String(imp['@_Name']));
    }
  }

  const operations = new Map<string, OperationDef[]>();
  for (const s of schemas) {
    for (const kind of ['Action', 'Function'] as const) {
      for (const op of list(s[kind])) {
        const bound = op['@_IsBound'] === 'true';
        const params = list(op.Parameter).map((p) => ({ name: String(p['@_Name']), type: String(p['@_Type']), nullable: p['@_Nullable'] !== 'false' }));
        const binding = bound ? params.shift() : undefined;
        const def: OperationDef = {
          kind,
          name: String(op['@_Name']),
          bound,
          composable: op['@_IsComposable'] === 'true',
          bindingType: binding ? localName(binding.type) : undefined,
          bindingCollection: binding?.type.startsWith('Collection('),
          parameters: params,
          returnType: op.ReturnType?.['@_Type'],
        };
        operations.set(def.name, [...(operations.get(def.name) ?? []), def]);
      }
    }
  }
  const complexTypes = new Set<string>();
  const enumTypes = new Map<string, Map<string, number>>();
  for (const s of schemas) {
    for (const c of list(s.ComplexType)) complexTypes.add(String(c['@_Name']));
    for (const e of list(s.EnumType)) {
      enumTypes.set(String(e['@_Name']), new Map(list(e.Member).map((m, i) => [String(m['@_Name']), m['@_Value'] !== undefined ? Number(m['@_Value']) : i])));
    }
  }
  return { namespace, alias, entityTypes, entitySets, changeTracked, operations, imports, complexTypes, enumTypes, xml };
}

/** `<Annotation Term="Org.OData.Capabilities.V1.ChangeTracking"><Record><PropertyValue Property="Supported" Bool="true"/>` */
function supportsChangeTracking(set: Node): boolean {
  const annotation = list(set.Annotation).find((a) => a['@_Term'] === 'Org.OData.Capabilities.V1.ChangeTracking');
  const supported = list(list(annotation?.Record)[0]?.PropertyValue).find((p) => p['@_Property'] === 'Supported');
  return supported?.['@_Bool'] === 'true';
}

/** The entity type's primary key property (Dataverse tables have exactly one). */
export const primaryKeyOf = (type: EntityTypeDef) => type.key[0]!;
