/**
 * The real CRM 2016 (v8.1) `$metadata` fixture, read by parseEdmx and, independently, by regular
 * expressions (edmx-regex.ts): every entity set, property, key, navigation property, action and
 * function must be accounted for, and a sample is checked in detail.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEdmx } from '../../src/catalog/parse-edmx.js';
import type { Catalog, Column, Table } from '../../src/catalog/types.js';
import { type RegexEntityType, lineage, readEntitySets, readEntityTypes, readImports, readOperations } from './edmx-regex.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml');
const xml = readFileSync(FIXTURE, 'utf8');
const NS = 'Microsoft.Dynamics.CRM';

let catalog: Catalog;
let types: Map<string, RegexEntityType>;
const table = (name: string): Table => {
  const found = catalog.tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
};
const column = (t: Table, name: string): Column => {
  const found = t.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${t.name}.${name}`);
  return found;
};
const sqlName = (property: string) => /^_(.+)_value$/.exec(property)?.[1] ?? property;
const shortType = (qualified: string) => qualified.replace(`${NS}.`, '').replace(/^mscrm\./, '');

beforeAll(() => {
  catalog = parseEdmx(xml);
  types = new Map(readEntityTypes(xml).map((t) => [t.name, t]));
});

describe('the v8.1 fixture, counted against the XML', () => {
  it('has the documented element counts (README) and no warnings', () => {
    expect(types.size).toBe(265);
    expect(readEntitySets(xml)).toHaveLength(237);
    const operations = readOperations(xml);
    expect(operations.filter((o) => o.kind === 'action')).toHaveLength(139);
    expect(operations.filter((o) => o.kind === 'function')).toHaveLength(166);
    expect(catalog.warnings).toEqual([]);
    expect(catalog.edition).toBe('dataverse');
    expect(catalog.namespace).toBe(NS);
    expect(catalog.alias).toBe('mscrm');
    expect(catalog.containerName).toBe('System');
    expect(catalog.enumTypes).toHaveLength(33);
    expect(catalog.complexTypes.filter((c) => !c.isEntityType)).toHaveLength(132);
  });

  it('makes one table per entity set, named by logical name with the set name as alias', () => {
    const sets = readEntitySets(xml);
    expect(catalog.tables).toHaveLength(sets.length);
    for (const set of sets) {
      const t = catalog.tables.find((x) => x.entitySetName === set.name);
      expect(t, set.name).toBeDefined();
      expect(t!.entityType).toBe(set.entityType);
      expect(t!.name).toBe(shortType(set.entityType));
    }
  });

  it('gives every table exactly the properties of its type and base types, and the right key', () => {
    let properties = 0;
    for (const t of catalog.tables) {
      const chain = lineage(types, shortType(t.entityType));
      const expected = chain.flatMap((type) => type.properties.map((p) => p.name));
      const real = t.columns.filter((c) => c.kind === 'data' || c.kind === 'lookup');
      expect(real.map((c) => c.odataName).sort(), t.name).toEqual([...new Set(expected)].sort());
      expect(real.length).toBe(expected.length);
      properties += real.length;
      const declared = chain.find((type) => type.key.length > 0)?.key ?? [];
      // principal's children (systemuser, team) are keyed by their own id, which holds the ownerid value
      const key = declared.length === 1 && declared[0] === 'ownerid' && t.columns.some((c) => c.name === `${t.name}id`) ? [`${t.name}id`] : declared;
      expect(t.primaryKey, t.name).toEqual(key.map(sqlName));
      for (const name of t.primaryKey) expect(column(t, name).isPrimaryKey).toBe(true);
    }
    expect(properties).toBeGreaterThan(7000);
  });

  it('keeps the properties of entity types no set exposes as type definitions', () => {
    const exposed = new Set(catalog.tables.map((t) => shortType(t.entityType)));
    const hidden = [...types.values()].filter((t) => !exposed.has(t.name));
    expect(hidden.map((t) => t.name)).toContain('principal');
    for (const type of hidden) {
      const def = catalog.complexTypes.find((c) => c.qualifiedName === `${NS}.${type.name}`);
      expect(def?.isEntityType, type.name).toBe(true);
      const expected = lineage(types, type.name).flatMap((x) => x.properties.map((p) => p.name));
      expect(def!.properties.map((p) => p.name).sort()).toEqual([...new Set(expected)].sort());
    }
  });

  it('accounts for every navigation property: a relationship, a navigation column, or its lookup column', () => {
    const total = [...types.values()].reduce((n, t) => n + t.navigations.length, 0);
    expect(total).toBe(4856);
    // entity types that some table is, or derives from
    const withTable = new Set(catalog.tables.flatMap((x) => lineage(types, shortType(x.entityType)).map((l) => l.name)));
    const accounted = new Set<string>();
    for (const t of catalog.tables) {
      const names = new Set(t.columns.map((c) => c.name.toLowerCase())); // SQL names are case-insensitive: `Resource` is lookup `resource`
      const related = new Set(t.relationships.map((r) => r.navigation));
      for (const type of lineage(types, shortType(t.entityType))) {
        for (const navigation of type.navigations) {
          const target = shortType(navigation.type.replace(/^Collection\((.*)\)$/, '$1'));
          if (withTable.has(target)) expect(related.has(navigation.name), `${t.name}.${navigation.name}`).toBe(true);
          expect(names.has(navigation.name.toLowerCase()), `${t.name}.${navigation.name}`).toBe(true);
          accounted.add(`${type.name}.${navigation.name}`);
        }
      }
    }
    const unreachable = [...types.values()].filter((t) => !withTable.has(t.name));
    const unreachableNavigations = unreachable.reduce((n, t) => n + t.navigations.length, 0);
    expect(accounted.size + unreachableNavigations).toBe(total);
  });

  it('has every action and function, with parameters, binding, return type and import', () => {
    const operations = readOperations(xml);
    expect(catalog.procedures).toHaveLength(operations.length);
    const imports = readImports(xml);
    operations.forEach((operation, i) => {
      const p = catalog.procedures[i]!;
      expect(p.name).toBe(operation.name);
      expect(p.kind).toBe(operation.kind);
      expect(p.bound).toBe(operation.bound);
      expect(p.parameters.map((x) => x.name)).toEqual(operation.parameters);
      expect(p.parameters.filter((x) => x.isBinding).length).toBe(operation.bound ? 1 : 0);
      if (operation.returnType) {
        const inner = operation.returnType.replace(/^Collection\((.*)\)$/, '$1');
        expect(p.returnType).toMatchObject({ edmType: inner.replace(/^mscrm\./, `${NS}.`), isCollection: inner !== operation.returnType });
      } else expect(p.returnType).toBeUndefined();
      const imported = imports.find((x) => x.target === `${NS}.${operation.name}` && x.kind === operation.kind);
      expect(p.importName).toBe(operation.bound ? undefined : imported?.name);
    });
    expect(catalog.procedures.filter((p) => p.importName)).toHaveLength(imports.length);
    expect(imports).toHaveLength(79 + 50);
  });

  it('flags the query functions by shape: unbound, no import, Boolean result, PropertyName parameter', () => {
    const imported = new Set(readImports(xml).map((x) => x.target));
    const expected = readOperations(xml)
      .filter((o) => o.kind === 'function' && !o.bound && !imported.has(`${NS}.${o.name}`) && o.returnType === 'Edm.Boolean' && o.parameters.includes('PropertyName'))
      .map((o) => o.name);
    expect(expected.length).toBeGreaterThan(50);
    expect(catalog.procedures.filter((p) => p.isQueryFunction).map((p) => p.name)).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['In', 'NotIn', 'LastXDays', 'EqualUserId', 'Between', 'On']));
  });
});

describe('the v8.1 fixture, in detail', () => {
  it('account: keys, types, read-only flags, descriptions, money, choices, yes/no', () => {
    const account = table('account');
    expect(account.entitySetName).toBe('accounts');
    expect(account.baseType).toBe(`${NS}.crmbaseentity`);
    expect(account.primaryKey).toEqual(['accountid']);
    expect(column(account, 'accountid')).toMatchObject({ kind: 'data', sqlType: { name: 'uniqueidentifier' }, nullable: false, isPrimaryKey: true, insertable: true, updatable: false });
    expect(column(account, 'name')).toMatchObject({ sqlType: { name: 'nvarchar' }, nullable: true, readOnly: false, description: 'Type the company or business name.' });
    expect(column(account, 'revenue').sqlType).toEqual({ name: 'money', precision: 19, scale: 4 });
    expect(column(account, 'revenue').scale).toBe('variable');
    expect(column(account, 'exchangerate').sqlType).toEqual({ name: 'decimal', precision: 38, scale: 10 });
    expect(column(account, 'openrevenue')).toMatchObject({ readOnly: true, insertable: false, updatable: false });
    expect(column(account, 'versionnumber')).toMatchObject({ sqlType: { name: 'bigint' }, readOnly: true });
    expect(column(account, 'address1_latitude').sqlType).toEqual({ name: 'float' });
    expect(column(account, 'modifiedon').sqlType).toEqual({ name: 'datetime2', precision: 7 });
    expect(column(account, 'entityimage').sqlType).toEqual({ name: 'varbinary' });
    expect(column(account, 'numberofemployees').sqlType).toEqual({ name: 'int' });
    expect(account.columns.find((c) => c.name === 'numberofemployeesname')).toBeUndefined();
    for (const choice of ['industrycode', 'statecode', 'statuscode', 'customertypecode']) {
      expect(column(account, `${choice}name`)).toMatchObject({ kind: 'choiceLabel', sourceColumn: choice, odataName: choice, readOnly: true });
    }
    expect(column(account, 'creditonholdname')).toMatchObject({ kind: 'choiceLabel', sourceColumn: 'creditonhold' });
    expect(account.capabilities).toEqual({ skipSupported: false, indexableByKey: true, countable: true, searchable: false, changeTracking: true });
    // virtual columns follow the column they describe
    const names = account.columns.map((c) => c.name);
    expect(names.indexOf('industrycodename')).toBe(names.indexOf('industrycode') + 1);
  });

  it('account: lookups, owner, and relationships of every kind', () => {
    const account = table('account');
    expect(column(account, 'primarycontactid')).toMatchObject({
      kind: 'lookup',
      odataName: '_primarycontactid_value',
      insertable: true,
      lookupTargets: [{ table: 'contact', navigation: 'primarycontactid', referencedProperty: 'contactid' }],
    });
    expect(column(account, 'primarycontactidname')).toMatchObject({ kind: 'lookupName', odataName: '_primarycontactid_value', sourceColumn: 'primarycontactid' });
    expect(account.columns.find((c) => c.name === 'primarycontactidtype')).toBeUndefined();
    expect(column(account, 'ownerid').lookupTargets).toEqual([
      { table: 'systemuser', navigation: 'ownerid', referencedProperty: 'ownerid' },
      { table: 'team', navigation: 'ownerid', referencedProperty: 'ownerid' },
    ]);
    expect(column(account, 'owneridtype')).toMatchObject({ kind: 'lookupType', sourceColumn: 'ownerid' });
    expect(column(account, 'createdby')).toMatchObject({ kind: 'lookup', readOnly: true, insertable: false });
    const rel = (navigation: string, toTable: string) => account.relationships.find((r) => r.navigation === navigation && r.toTable === toTable);
    expect(rel('primarycontactid', 'contact')).toEqual({
      navigation: 'primarycontactid', kind: 'many-to-one', fromTable: 'account', fromColumns: ['primarycontactid'], toTable: 'contact', toColumns: ['contactid'], partner: 'account_primary_contact',
    });
    expect(rel('contact_customer_accounts', 'contact')).toEqual({
      navigation: 'contact_customer_accounts', kind: 'one-to-many', fromTable: 'account', fromColumns: ['accountid'], toTable: 'contact', toColumns: ['parentcustomerid'], partner: 'parentcustomerid_account',
    });
    expect(rel('accountleads_association', 'lead')).toMatchObject({ kind: 'many-to-many', fromColumns: [], toColumns: [] });
    expect(rel('ownerid', 'team')).toMatchObject({ kind: 'many-to-one', fromColumns: ['ownerid'], toColumns: ['ownerid'] });
    // navigation columns exist for the view to show; the single-valued `primarycontactid` is the lookup itself
    expect(column(account, 'contact_customer_accounts')).toMatchObject({ kind: 'navigation', edmType: `Collection(${NS}.contact)` });
    expect(account.columns.filter((c) => c.name === 'primarycontactid')).toHaveLength(1);
  });

  it('contact.parentcustomerid is polymorphic: account or contact, each through its own navigation', () => {
    const contact = table('contact');
    expect(column(contact, 'parentcustomerid').lookupTargets).toEqual([
      { table: 'account', navigation: 'parentcustomerid_account', referencedProperty: 'accountid' },
      { table: 'contact', navigation: 'parentcustomerid_contact', referencedProperty: 'contactid' },
    ]);
    expect(column(contact, 'parentcustomeridname').kind).toBe('lookupName');
    expect(column(contact, 'parentcustomeridtype')).toMatchObject({ kind: 'lookupType', odataName: '_parentcustomerid_value' });
    expect(column(contact, 'birthdate').sqlType).toEqual({ name: 'date' });
    expect(column(contact, 'gendercodename').kind).toBe('choiceLabel');
  });

  it('activities inherit activitypointer and bind regarding through their own navigations', () => {
    const pointer = table('activitypointer');
    expect(pointer.entitySetName).toBe('activitypointers');
    for (const name of ['task', 'email', 'phonecall']) {
      const activity = table(name);
      expect(activity.baseType).toBe(`${NS}.activitypointer`);
      expect(activity.primaryKey).toEqual(['activityid']);
      for (const inherited of ['activityid', 'subject', 'scheduledend', 'regardingobjectid', 'ownerid', 'statecode', 'statecodename']) {
        expect(activity.columns.some((c) => c.name === inherited), `${name}.${inherited}`).toBe(true);
      }
    }
    const regarding = column(table('task'), 'regardingobjectid');
    expect(regarding.lookupTargets).toContainEqual({ table: 'account', navigation: 'regardingobjectid_account_task', referencedProperty: 'accountid' });
    expect(regarding.lookupTargets).toContainEqual({ table: 'lead', navigation: 'regardingobjectid_lead_task', referencedProperty: 'leadid' });
    expect(column(table('task'), 'regardingobjectidtype').kind).toBe('lookupType');
    expect(column(pointer, 'regardingobjectid').lookupTargets).toContainEqual({ table: 'account', navigation: 'regardingobjectid_account', referencedProperty: 'accountid' });
    expect(column(table('email'), 'subject').sqlType.name).toBe('nvarchar');
    expect(column(table('phonecall'), 'phonenumber').kind).toBe('data');
  });

  it('systemuser and team are keyed by their own id (systemuserid, teamid), not the ownerid the EDMX inherits from principal', () => {
    for (const name of ['systemuser', 'team']) {
      const t = table(name);
      expect(t.baseType).toBe(`${NS}.principal`);
      expect(t.primaryKey).toEqual([`${name}id`]);
      expect(column(t, `${name}id`)).toMatchObject({ kind: 'data', isPrimaryKey: true, nullable: false });
      expect(column(t, 'ownerid')).toMatchObject({ kind: 'data', isPrimaryKey: false });
    }
  });

  it('procedures: unbound with import, bound, composable, typed parameters', () => {
    const find = (name: string) => catalog.procedures.find((p) => p.name === name)!;
    expect(find('WhoAmI')).toMatchObject({ kind: 'function', bound: false, importName: 'WhoAmI', parameters: [], returnType: { edmType: `${NS}.WhoAmIResponse`, isCollection: false, nullable: false }, isQueryFunction: false });
    const win = find('WinOpportunity');
    expect(win).toMatchObject({ kind: 'action', bound: false, importName: 'WinOpportunity', qualifiedName: `${NS}.WinOpportunity` });
    expect(win.parameters).toEqual([
      { name: 'OpportunityClose', edmType: `${NS}.opportunityclose`, isCollection: false, nullable: false, isBinding: false, sqlType: { name: 'nvarchar' } },
      { name: 'Status', edmType: 'Edm.Int32', isCollection: false, nullable: false, isBinding: false, sqlType: { name: 'int' } },
    ]);
    expect(find('RetrieveUserPrivileges')).toMatchObject({ bound: true, bindingType: `${NS}.systemuser`, bindingIsCollection: false });
    expect(find('RetrieveUserPrivileges').importName).toBeUndefined();
    expect(find('RetrieveUserPrivileges').parameters[0]).toMatchObject({ name: 'entity', isBinding: true });
    expect(find('In').parameters[1]).toMatchObject({ name: 'PropertyValues', edmType: 'Edm.String', isCollection: true });
    expect(catalog.procedures.filter((p) => p.isComposable).length).toBe((xml.match(/IsComposable="true"/g) ?? []).length);
  });

  it('service annotations of the container', () => {
    expect(catalog.service).toMatchObject({
      conformanceLevel: 'Intermediate',
      filterFunctions: ['contains', 'endswith', 'startswith'],
      batchSupported: true,
      batchContinueOnErrorSupported: false,
      crossJoinSupported: false,
      asynchronousRequestsSupported: false,
    });
    expect(catalog.service.supportedFormats).toContain('application/json');
  });

  it('metadata entity sets are tables too, their enum properties typed by the enum', () => {
    const entityDefinitions = catalog.tables.find((t) => t.entitySetName === 'EntityDefinitions')!;
    expect(entityDefinitions.name).toBe('EntityMetadata');
    const ownership = entityDefinitions.columns.find((c) => c.name === 'OwnershipType');
    expect(ownership).toMatchObject({ enumType: `${NS}.OwnershipTypes`, sqlType: { name: 'nvarchar' } });
    expect(ownership!.options!.map((o) => o.value)).toContain('UserOwned');
  });
});
