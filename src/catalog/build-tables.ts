/**
 * Entity sets → tables: columns (with lookup, choice-label and navigation columns), keys,
 * alternate keys, relationships and per-set capabilities.
 */
import { CAPABILITIES, KEYS, boolTerm, descriptionOf, isImmutable, isServiceSet, recordBool, recordOf, stringList } from './annotation-terms.js';
import type { AnnotationValue, CsdlDocument, CsdlEntitySet, CsdlNavigation, CsdlProperty } from './csdl.js';
import { NAME_SUFFIX, TYPE_SUFFIX, isSystemLookup, lookupNameOf, looksLikeChoice } from './dataverse-conventions.js';
import { JSON_TEXT } from './sql-types.js';
import type { FlatType, TypeSystem } from './type-system.js';
import type { AlternateKey, Column, Edition, LookupTarget, Relationship, Table, TableCapabilities } from './types.js';

export interface TableBuildOptions {
  edition: Edition;
  /** overrides the choice heuristic of dataverse-conventions.ts: true/false decides, undefined defers */
  isChoice?: (table: string, column: string, description: string | undefined) => boolean | undefined;
}

interface PendingTable {
  set: CsdlEntitySet;
  flat: FlatType;
  table: Table;
}

const lower = (name: string) => name.toLowerCase();

export class TableBuilder {
  private readonly byType = new Map<string, Table[]>();
  private readonly pending: PendingTable[] = [];

  constructor(
    private readonly document: CsdlDocument,
    private readonly types: TypeSystem,
    private readonly options: TableBuildOptions,
    private readonly warn: (message: string) => void,
  ) {}

  build(): Table[] {
    const names = new Set<string>();
    const setNames = new Set<string>();
    for (const set of this.document.container?.entitySets ?? []) {
      if (setNames.has(set.name)) {
        this.warn(`Duplicate entity set '${set.name}' skipped`);
        continue;
      }
      setNames.add(set.name);
      const entityType = this.document.entityTypes.get(set.entityType);
      const flat = entityType && this.types.flatten(set.entityType);
      if (!entityType || !flat) {
        this.warn(`Entity set '${set.name}' has unknown entity type '${set.entityType}'; skipped`);
        continue;
      }
      // Dataverse tables go by logical name (= entity type name); F&O by public collection name (= set name).
      let name = this.options.edition === 'finops' ? set.name : entityType.name;
      if (names.has(lower(name))) name = set.name;
      if (names.has(lower(name))) {
        this.warn(`Duplicate table name '${name}' (entity set '${set.name}') skipped`);
        continue;
      }
      names.add(lower(name));
      const table: Table = {
        name,
        entitySetName: set.name,
        entityType: entityType.qualifiedName,
        primaryKey: [],
        alternateKeys: [],
        columns: [],
        relationships: [],
        capabilities: capabilitiesOf(set),
      };
      if (entityType.baseType) table.baseType = entityType.baseType;
      const description = descriptionOf(entityType.annotations);
      if (description) table.description = description;
      this.pending.push({ set, flat, table });
      const list = this.byType.get(entityType.qualifiedName) ?? [];
      list.push(table);
      this.byType.set(entityType.qualifiedName, list);
    }
    // Columns need every table to exist first: lookups name their target tables.
    for (const entry of this.pending) this.fillColumns(entry);
    for (const entry of this.pending) this.fillRelationships(entry);
    return this.pending.map((entry) => entry.table);
  }

  /** Tables an entity type resolves to: its own entity sets, else its concrete descendants' sets. */
  tablesFor(qualifiedType: string): Table[] {
    const direct = this.byType.get(qualifiedType);
    if (direct) return direct;
    const result: Table[] = [];
    for (const entry of this.pending) if (entry.flat.lineage.includes(qualifiedType)) result.push(entry.table);
    this.byType.set(qualifiedType, result);
    return result;
  }

  private fillColumns({ set, flat, table }: PendingTable): void {
    const dataverse = this.options.edition === 'dataverse';
    const key = dataverse ? dataversePrimaryKey(flat, table.name) : flat.key;
    const keySet = new Set(key);
    const insertRestrictions = recordOf(set.annotations.get(`${CAPABILITIES}InsertRestrictions`));
    const updateRestrictions = recordOf(set.annotations.get(`${CAPABILITIES}UpdateRestrictions`));
    const nonInsertable = new Set(stringList(insertRestrictions?.NonInsertableProperties));
    const nonUpdatable = new Set(stringList(updateRestrictions?.NonUpdatableProperties));
    const sqlNameOf = (property: string) => (dataverse ? lookupNameOf(property) ?? property : property);

    // Real columns first so a virtual name (`xname`) never shadows a real property of that name.
    const taken = new Set<string>();
    for (const property of flat.properties) taken.add(lower(sqlNameOf(property.name)));
    const used = new Set<string>();
    const push = (column: Column): boolean => {
      if (used.has(lower(column.name))) {
        if (column.kind === 'data' || column.kind === 'lookup') this.warn(`Duplicate column '${column.name}' on table '${table.name}' skipped`);
        return false;
      }
      used.add(lower(column.name));
      table.columns.push(column);
      return true;
    };
    const virtualFree = (name: string) => !taken.has(lower(name)) && !used.has(lower(name));

    for (const property of flat.properties) {
      const lookupName = dataverse && property.type === 'Edm.Guid' ? lookupNameOf(property.name) : undefined;
      if (lookupName) {
        this.pushLookup(flat, property, lookupName, keySet.has(property.name), push, virtualFree);
        continue;
      }
      const resolved = this.types.resolve(property.type, property);
      if (!resolved) {
        this.warn(`Property '${property.name}' of '${flat.type.qualifiedName}' has unknown type '${property.type}'; column skipped`);
        continue;
      }
      const isKey = keySet.has(property.name);
      const serviceSet = isServiceSet(property.annotations);
      const insertable = !serviceSet && !nonInsertable.has(property.name);
      const updatable = insertable && !isKey && !isImmutable(property.annotations) && !nonUpdatable.has(property.name);
      const column: Column = {
        name: property.name,
        odataName: property.name,
        kind: 'data',
        edmType: resolved.isCollection ? `Collection(${resolved.edmType})` : resolved.edmType,
        sqlType: resolved.sqlType,
        nullable: property.nullable && !isKey,
        readOnly: !insertable && !updatable,
        insertable,
        updatable,
        isPrimaryKey: isKey,
      };
      if (typeof property.maxLength === 'number') column.maxLength = property.maxLength;
      if (property.precision !== undefined) column.precision = property.precision;
      if (property.scale !== undefined) column.scale = property.scale;
      if (property.scale === 'variable' && property.type === 'Edm.Decimal' && isMoney(property.name, flat)) {
        column.sqlType = { name: 'money', precision: 19, scale: 4 };
      }
      const description = descriptionOf(property.annotations);
      if (description) column.description = description;
      if (resolved.enumType) {
        column.enumType = resolved.enumType;
        const enumType = this.document.enumTypes.get(resolved.enumType);
        if (enumType) column.options = enumType.members.map((m) => ({ value: m.name, label: descriptionOf(m.annotations) ?? m.name }));
      }
      if (!push(column)) continue;
      const labelName = property.name + NAME_SUFFIX;
      if (dataverse && this.isChoice(table.name, property, description) && virtualFree(labelName)) {
        push(virtual(labelName, property.name, 'choiceLabel', property.name));
      }
    }

    for (const navigation of flat.navigations) {
      if (!virtualFree(navigation.name)) continue; // `primarycontactid` is already the lookup column
      push({
        name: navigation.name,
        odataName: navigation.name,
        kind: 'navigation',
        edmType: navigation.isCollection ? `Collection(${navigation.type})` : navigation.type,
        sqlType: { ...JSON_TEXT },
        nullable: true,
        readOnly: true,
        insertable: false,
        updatable: false,
        isPrimaryKey: false,
      });
    }

    table.primaryKey = key.map(sqlNameOf);
    table.alternateKeys = alternateKeysOf(flat, sqlNameOf, this.warn, table.name);
  }

  private isChoice(table: string, property: CsdlProperty, description: string | undefined): boolean {
    if (property.type === 'Edm.Boolean') return true;
    if (property.type !== 'Edm.Int32') return false;
    return this.options.isChoice?.(table, property.name, description) ?? looksLikeChoice(property.name, description);
  }

  private pushLookup(
    flat: FlatType,
    property: CsdlProperty,
    name: string,
    isKey: boolean,
    push: (column: Column) => boolean,
    virtualFree: (name: string) => boolean,
  ): void {
    // One target per table; a navigation declared on the table's own type (`regardingobjectid_account_task`)
    // wins over the inherited one (`regardingobjectid_account`): it is the one the service binds through.
    const byTable = new Map<string, LookupTarget>();
    for (const { navigation, referencedProperty } of flat.navigationsByConstraint.get(property.name) ?? []) {
      for (const target of this.tablesFor(navigation.type)) {
        if (byTable.has(target.name) && !flat.ownNavigationNames.has(navigation.name)) continue;
        byTable.set(target.name, { table: target.name, navigation: navigation.name, referencedProperty });
      }
    }
    const targets = [...byTable.values()];
    // Writable through @odata.bind when there is a navigation to bind through (see dataverse-conventions.ts).
    const writable = targets.length > 0 && !isSystemLookup(name);
    const column: Column = {
      name,
      odataName: property.name,
      kind: 'lookup',
      edmType: 'Edm.Guid',
      sqlType: { name: 'uniqueidentifier' },
      nullable: !isKey,
      readOnly: !writable,
      insertable: writable,
      updatable: writable && !isKey,
      isPrimaryKey: isKey,
      lookupTargets: targets,
    };
    const description = descriptionOf(property.annotations);
    if (description) column.description = description;
    if (!push(column)) return;
    const nameColumn = name + NAME_SUFFIX;
    if (virtualFree(nameColumn)) push({ ...virtual(nameColumn, property.name, 'lookupName', name), lookupTargets: targets });
    const polymorphic = new Set(targets.map((t) => t.table)).size > 1;
    const typeColumn = name + TYPE_SUFFIX;
    if (polymorphic && virtualFree(typeColumn)) push({ ...virtual(typeColumn, property.name, 'lookupType', name), lookupTargets: targets });
  }

  private fillRelationships({ flat, table }: PendingTable): void {
    const dataverse = this.options.edition === 'dataverse';
    const sqlNameOf = (property: string) => (dataverse ? lookupNameOf(property) ?? property : property);
    for (const navigation of flat.navigations) {
      for (const target of this.tablesFor(navigation.type)) {
        const relationship = this.relationshipOf(navigation, table, target, sqlNameOf);
        table.relationships.push(relationship);
      }
    }
  }

  private relationshipOf(navigation: CsdlNavigation, from: Table, to: Table, sqlNameOf: (p: string) => string): Relationship {
    const relationship: Relationship = {
      navigation: navigation.name,
      kind: 'many-to-one',
      fromTable: from.name,
      fromColumns: [],
      toTable: to.name,
      toColumns: [],
    };
    if (navigation.partner) relationship.partner = navigation.partner;
    if (!navigation.isCollection) {
      relationship.fromColumns = navigation.constraints.map((c) => sqlNameOf(c.property));
      relationship.toColumns = navigation.constraints.map((c) => sqlNameOf(c.referencedProperty));
      return relationship;
    }
    const targetFlat = this.types.flatten(to.entityType);
    const partner =
      (navigation.partner ? targetFlat?.navigationsByName.get(navigation.partner) : undefined) ??
      targetFlat?.navigations.find((n) => n.partner === navigation.name);
    if (partner?.isCollection) {
      relationship.kind = 'many-to-many';
      return relationship;
    }
    relationship.kind = 'one-to-many';
    if (partner) {
      relationship.partner ??= partner.name;
      // The partner's constraint, read from the other side: accountid (here) = parentcustomerid (there).
      relationship.fromColumns = partner.constraints.map((c) => sqlNameOf(c.referencedProperty));
      relationship.toColumns = partner.constraints.map((c) => sqlNameOf(c.property));
    }
    return relationship;
  }
}

function virtual(name: string, odataName: string, kind: Column['kind'], sourceColumn: string): Column {
  return {
    name,
    odataName,
    kind,
    edmType: 'Edm.String',
    sqlType: { ...JSON_TEXT },
    nullable: true,
    readOnly: true,
    insertable: false,
    updatable: false,
    isPrimaryKey: false,
    sourceColumn,
  };
}

/** A Dataverse money column has a `<name>_base` sibling (or is one). */
function isMoney(name: string, flat: FlatType): boolean {
  return name.endsWith('_base') || flat.propertyNames.has(`${name}_base`);
}

function capabilitiesOf(set: CsdlEntitySet): TableCapabilities {
  const a = set.annotations;
  const capabilities: TableCapabilities = {};
  const assign = <K extends keyof TableCapabilities>(key: K, value: boolean | undefined) => {
    if (value !== undefined) capabilities[key] = value;
  };
  assign('skipSupported', boolTerm(a, `${CAPABILITIES}SkipSupported`));
  assign('topSupported', boolTerm(a, `${CAPABILITIES}TopSupported`));
  assign('indexableByKey', boolTerm(a, `${CAPABILITIES}IndexableByKey`));
  assign('countable', recordBool(a, `${CAPABILITIES}CountRestrictions`, 'Countable'));
  assign('searchable', recordBool(a, `${CAPABILITIES}SearchRestrictions`, 'Searchable'));
  assign('changeTracking', recordBool(a, `${CAPABILITIES}ChangeTracking`, 'Supported'));
  assign('insertable', recordBool(a, `${CAPABILITIES}InsertRestrictions`, 'Insertable'));
  assign('updatable', recordBool(a, `${CAPABILITIES}UpdateRestrictions`, 'Updatable'));
  assign('deletable', recordBool(a, `${CAPABILITIES}DeleteRestrictions`, 'Deletable'));
  return capabilities;
}

/**
 * `OData.Community.Keys.V1.AlternateKeys`: a collection of `{Key: [{Alias, Name}]}` records
 * (`Name` is the property path). Keys naming unknown properties are skipped with a warning.
 */
function alternateKeysOf(flat: FlatType, sqlNameOf: (p: string) => string, warn: (m: string) => void, table: string): AlternateKey[] {
  const value = flat.type.annotations.get(`${KEYS}AlternateKeys`);
  if (!Array.isArray(value)) return [];
  const known = flat.propertyNames;
  const keys: AlternateKey[] = [];
  for (const entry of value) {
    const parts = recordOf(entry)?.Key;
    if (!Array.isArray(parts)) continue;
    const properties = parts.map((part: AnnotationValue) => recordOf(part)?.Name).filter((n): n is string => typeof n === 'string');
    if (properties.length === 0) continue;
    const unknown = properties.find((p) => !known.has(p));
    if (unknown) {
      warn(`Alternate key on '${table}' names unknown property '${unknown}'; skipped`);
      continue;
    }
    const columns = properties.map(sqlNameOf);
    keys.push({ name: `AK_${table}_${columns.join('_')}`, columns });
  }
  return keys;
}

/**
 * Dataverse declares the key of principal's children (systemuser, team) as the `ownerid` they inherit;
 * their own id column (`systemuserid`, `teamid`) holds the same value and is the primary id the service
 * and its users name (EntityMetadata.PrimaryIdAttribute, `systemusers(<systemuserid>)`), so it is the key.
 */
function dataversePrimaryKey(flat: FlatType, tableName: string): string[] {
  const ownId = `${tableName}id`;
  if (flat.key.length === 1 && flat.key[0] === 'ownerid' && flat.properties.some((p) => p.name === ownId && p.type === 'Edm.Guid')) return [ownId];
  return flat.key;
}
