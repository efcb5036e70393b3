/**
 * Type questions the builders ask of a CSDL document: a structured type with its base types
 * flattened in, what SQL type a property type maps to, and the tables an entity type can resolve
 * to (an abstract type without an entity set, like `principal`, resolves to its concrete
 * descendants that have one: `systemuser`, `team`).
 */
import type { CsdlDocument, CsdlNavigation, CsdlProperty, CsdlStructuredType } from './csdl.js';
import { JSON_TEXT, sqlTypeOfPrimitive } from './sql-types.js';
import type { SqlType } from './types.js';

export interface FlatType {
  type: CsdlStructuredType;
  /** base types first, each name once */
  properties: CsdlProperty[];
  navigations: CsdlNavigation[];
  key: string[];
  /** qualified names from the type itself up to the root */
  lineage: string[];
  propertyNames: Set<string>;
  /** navigations declared on the type itself (not inherited) */
  ownNavigationNames: Set<string>;
  navigationsByName: Map<string, CsdlNavigation>;
  /** single-valued navigations by the dependent property of their ReferentialConstraint (`_x_value`) */
  navigationsByConstraint: Map<string, { navigation: CsdlNavigation; referencedProperty: string }[]>;
}

export interface ResolvedType {
  sqlType: SqlType;
  /** Edm or qualified name, without `Collection(...)` */
  edmType: string;
  isCollection: boolean;
  enumType?: string;
}

export class TypeSystem {
  private readonly flat = new Map<string, FlatType>();

  constructor(
    private readonly document: CsdlDocument,
    private readonly warn: (message: string) => void,
  ) {}

  structured(qualifiedName: string): CsdlStructuredType | undefined {
    return this.document.entityTypes.get(qualifiedName) ?? this.document.complexTypes.get(qualifiedName);
  }

  /** The type with inherited members; duplicate member names keep the first and warn. */
  flatten(qualifiedName: string): FlatType | undefined {
    const cached = this.flat.get(qualifiedName);
    if (cached) return cached;
    const chain: CsdlStructuredType[] = [];
    const seen = new Set<string>();
    let current = this.structured(qualifiedName);
    while (current) {
      if (seen.has(current.qualifiedName)) {
        this.warn(`Base type cycle at '${current.qualifiedName}' ignored`);
        break;
      }
      seen.add(current.qualifiedName);
      chain.push(current);
      if (!current.baseType) break;
      const base = this.structured(current.baseType);
      if (!base) this.warn(`Type '${current.qualifiedName}' has unknown base type '${current.baseType}'; inheritance ignored`);
      current = base;
    }
    const leaf = chain[0];
    if (!leaf) return undefined;
    const properties: CsdlProperty[] = [];
    const navigations: CsdlNavigation[] = [];
    const names = new Set<string>();
    let key: string[] | undefined;
    const owners = new Map<CsdlNavigation, string>();
    for (const type of [...chain].reverse()) {
      if (type.key) key = type.key;
      for (const property of type.properties) {
        if (names.has(property.name)) this.warn(`Duplicate property '${property.name}' on '${leaf.qualifiedName}' skipped`);
        else {
          names.add(property.name);
          properties.push(property);
        }
      }
      for (const navigation of type.navigations) {
        if (names.has(navigation.name)) this.warn(`Duplicate navigation property '${navigation.name}' on '${leaf.qualifiedName}' skipped`);
        else {
          names.add(navigation.name);
          navigations.push(navigation);
          owners.set(navigation, type.name);
        }
      }
    }
    inheritConstraints(leaf.name, navigations, owners);
    const navigationsByName = new Map<string, CsdlNavigation>();
    const navigationsByConstraint: FlatType['navigationsByConstraint'] = new Map();
    for (const navigation of navigations) {
      navigationsByName.set(navigation.name, navigation);
      if (navigation.isCollection) continue;
      for (const constraint of navigation.constraints) {
        const list = navigationsByConstraint.get(constraint.property) ?? [];
        list.push({ navigation, referencedProperty: constraint.referencedProperty });
        navigationsByConstraint.set(constraint.property, list);
      }
    }
    const flat: FlatType = {
      type: leaf,
      properties,
      navigations,
      key: key ?? [],
      lineage: chain.map((t) => t.qualifiedName),
      propertyNames: new Set(properties.map((p) => p.name)),
      ownNavigationNames: new Set(leaf.navigations.map((n) => n.name)),
      navigationsByName,
      navigationsByConstraint,
    };
    this.flat.set(qualifiedName, flat);
    return flat;
  }

  /** SQL view of a property or parameter type; undefined (caller warns and skips) when unknown. */
  resolve(type: string, facets: Pick<CsdlProperty, 'maxLength' | 'precision' | 'scale'> = {}): ResolvedType | undefined {
    const isCollection = type.startsWith('Collection(') && type.endsWith(')');
    const edmType = isCollection ? type.slice(11, -1) : type;
    if (isCollection) return this.known(edmType) ? { sqlType: { ...JSON_TEXT }, edmType, isCollection } : undefined;
    const underlying = this.document.typeDefinitions.get(edmType);
    const primitive = sqlTypeOfPrimitive(underlying ?? edmType, facets);
    if (primitive) return { sqlType: primitive, edmType, isCollection };
    const enumType = this.document.enumTypes.get(edmType);
    if (enumType) {
      // F&O sends enum values as member names (`"No"`), so the column is text as long as the longest name.
      const length = Math.max(1, ...enumType.members.map((m) => m.name.length));
      return { sqlType: { name: 'nvarchar', length }, edmType, isCollection, enumType: edmType };
    }
    if (this.structured(edmType)) return { sqlType: { ...JSON_TEXT }, edmType, isCollection };
    return undefined;
  }

  private known(type: string): boolean {
    return (
      sqlTypeOfPrimitive(this.document.typeDefinitions.get(type) ?? type) !== undefined ||
      this.document.enumTypes.has(type) ||
      this.structured(type) !== undefined
    );
  }
}

/**
 * Dataverse redeclares an inherited lookup's navigations on each activity type without their
 * ReferentialConstraint: `activitypointer.regardingobjectid_account` (constraint on
 * `_regardingobjectid_value`) becomes `task.regardingobjectid_account_task`, `owningteam` becomes
 * `owningteam_task`, `sla_activitypointer_sla` becomes `sla_task_sla`. Those type-specific names are
 * the ones to bind through (`regardingobjectid_account_task@odata.bind`), so they get the inherited
 * constraint (the array is replaced in place on the flattened copy, not on the CSDL type).
 */
function inheritConstraints(leafName: string, navigations: CsdlNavigation[], owners: Map<CsdlNavigation, string>): void {
  const counterparts = new Map<string, CsdlNavigation>();
  for (const navigation of navigations) {
    const owner = owners.get(navigation);
    if (owner === leafName || navigation.isCollection || navigation.constraints.length === 0) continue;
    counterparts.set(`${navigation.name}_${leafName}`, navigation);
    if (owner && navigation.name.includes(owner)) counterparts.set(navigation.name.replace(owner, leafName), navigation);
  }
  if (counterparts.size === 0) return;
  for (let i = 0; i < navigations.length; i++) {
    const navigation = navigations[i]!;
    if (owners.get(navigation) !== leafName || navigation.isCollection || navigation.constraints.length > 0) continue;
    const inherited = counterparts.get(navigation.name);
    if (inherited && inherited.type === navigation.type) navigations[i] = { ...navigation, constraints: inherited.constraints };
  }
}
