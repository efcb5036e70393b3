/** Metadata that is broken (an error with DYNASQL_ERR_METADATA) or partly broken (warnings, element skipped). */
import { describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { parseEdmx } from '../../src/catalog/parse-edmx.js';
import { ACCOUNT_TYPE, edmx } from './edmx-builder.js';

function metadataError(xml: unknown): DynasqlError {
  try {
    parseEdmx(xml as string);
  } catch (error) {
    expect(DynasqlError.is(error, 'DYNASQL_ERR_METADATA'), String(error)).toBe(true);
    return error as DynasqlError;
  }
  throw new Error('expected DYNASQL_ERR_METADATA');
}

describe('metadata that cannot be used', () => {
  it('rejects empty input and non-XML (JSON, HTML error text)', () => {
    expect(metadataError('').message).toMatch(/empty/);
    expect(metadataError(undefined).message).toMatch(/empty/);
    expect(metadataError('{"error":{"code":"0x80060888"}}').message).toMatch(/not XML/);
    expect(metadataError('Service Unavailable').message).toMatch(/not XML/);
  });

  it('rejects XML that is not EDMX, and EDMX without a schema or container', () => {
    expect(metadataError('<html><body>Sign in</body></html>').message).toMatch(/root element is <html>/);
    expect(metadataError('<edmx:Edmx xmlns:edmx="x"><edmx:DataServices/></edmx:Edmx>').message).toMatch(/no <edmx:DataServices><Schema>/);
    const noContainer = edmx({ types: ACCOUNT_TYPE }).replace(/<EntityContainer[\s\S]*<\/EntityContainer>/, '');
    expect(metadataError(noContainer).message).toMatch(/no <EntityContainer>/);
  });

  it('rejects a truncated download, wherever it was cut', () => {
    const whole = edmx({ types: ACCOUNT_TYPE, container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>' });
    expect(parseEdmx(whole).tables).toHaveLength(1);
    for (const cut of [0.2, 0.5, 0.9, 0.999]) {
      expect(metadataError(whole.slice(0, Math.floor(whole.length * cut))).message).toMatch(/truncated/);
    }
  });

  it('decodes entities and strips a byte-order mark', () => {
    const xml = `\uFEFF${edmx({
      types: ACCOUNT_TYPE.replace('<Property Name="name" Type="Edm.String"/>', '<Property Name="name" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Description" String="R&amp;D &lt;name&gt; &#x41;"/></Property>'),
      container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>',
    })}`;
    const name = parseEdmx(xml).tables[0]!.columns.find((c) => c.name === 'name')!;
    expect(name.description).toBe('R&D <name> A');
  });
});

describe('metadata that is partly broken: the rest stays usable', () => {
  it('skips a property of unknown type with a warning', () => {
    const catalog = parseEdmx(
      edmx({
        types: ACCOUNT_TYPE.replace('<Property Name="name" Type="Edm.String"/>', '<Property Name="name" Type="Edm.String"/><Property Name="shape" Type="mscrm.NoSuchType"/>'),
        container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>',
      }),
    );
    expect(catalog.tables[0]!.columns.map((c) => c.name)).toEqual(['accountid', 'name', 'accountnumber']);
    expect(catalog.warnings).toEqual([`Property 'shape' of 'Microsoft.Dynamics.CRM.account' has unknown type 'Microsoft.Dynamics.CRM.NoSuchType'; column skipped`]);
  });

  it('skips duplicate types, entity sets, properties and table names with warnings', () => {
    const catalog = parseEdmx(
      edmx({
        types: `${ACCOUNT_TYPE}
          <EntityType Name="account"><Key><PropertyRef Name="x"/></Key><Property Name="x" Type="Edm.Int32"/></EntityType>
          <EntityType Name="contact"><Key><PropertyRef Name="contactid"/></Key>
            <Property Name="contactid" Type="Edm.Guid"/><Property Name="fullname" Type="Edm.String"/><Property Name="fullname" Type="Edm.Int32"/>
          </EntityType>`,
        container: `<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>
          <EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.contact"/>
          <EntitySet Name="contacts" EntityType="Microsoft.Dynamics.CRM.contact"/>
          <EntitySet Name="orphans" EntityType="Microsoft.Dynamics.CRM.nothing"/>`,
      }),
    );
    expect(catalog.tables.map((t) => t.name)).toEqual(['account', 'contact']);
    expect(catalog.tables[1]!.columns.filter((c) => c.name === 'fullname')).toEqual([expect.objectContaining({ sqlType: { name: 'nvarchar' } })]);
    expect(catalog.warnings).toEqual([
      `Duplicate entity type 'Microsoft.Dynamics.CRM.account' skipped`,
      `Duplicate entity set 'accounts' skipped`,
      `Duplicate property 'fullname' on 'Microsoft.Dynamics.CRM.contact' skipped`,
      `Entity set 'orphans' has unknown entity type 'Microsoft.Dynamics.CRM.nothing'; skipped`,
    ]);
  });

  it('names a second set of the same type by its set name, and treats SQL names case-insensitively', () => {
    const catalog = parseEdmx(
      edmx({
        types: ACCOUNT_TYPE.replace('<Property Name="name" Type="Edm.String"/>', '<Property Name="name" Type="Edm.String"/><Property Name="Name" Type="Edm.String"/>'),
        container: `<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/><EntitySet Name="archivedaccounts" EntityType="Microsoft.Dynamics.CRM.account"/>`,
      }),
    );
    expect(catalog.tables.map((t) => t.name)).toEqual(['account', 'archivedaccounts']);
    expect(catalog.tables[0]!.columns.map((c) => c.name)).toEqual(['accountid', 'name', 'accountnumber']);
    expect(catalog.warnings).toContain(`Duplicate column 'Name' on table 'account' skipped`);
  });

  it('survives an unknown base type and a base-type cycle', () => {
    const catalog = parseEdmx(
      edmx({
        types: `<EntityType Name="a" BaseType="mscrm.missing"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid"/></EntityType>
          <EntityType Name="b" BaseType="mscrm.c"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid"/></EntityType>
          <EntityType Name="c" BaseType="mscrm.b"><Property Name="other" Type="Edm.String"/></EntityType>`,
        container: `<EntitySet Name="as" EntityType="Microsoft.Dynamics.CRM.a"/><EntitySet Name="bs" EntityType="Microsoft.Dynamics.CRM.b"/>`,
      }),
    );
    expect(catalog.tables.map((t) => [t.name, t.primaryKey, t.columns.map((c) => c.name)])).toEqual([
      ['a', ['id'], ['id']],
      ['b', ['id'], ['other', 'id']],
    ]);
    expect(catalog.warnings.some((w) => w.includes("unknown base type 'Microsoft.Dynamics.CRM.missing'"))).toBe(true);
    expect(catalog.warnings.some((w) => w.includes('cycle'))).toBe(true);
  });

  it('keeps an operation whose parameter or result type is unknown, typed as text, with warnings', () => {
    const catalog = parseEdmx(
      edmx({
        types: `${ACCOUNT_TYPE}
          <Action Name="DoThing"><Parameter Name="Target" Type="mscrm.Missing" Nullable="false"/><Parameter Name="Count" Type="Edm.Int32"/><ReturnType Type="Collection(mscrm.Gone)"/></Action>`,
        container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/><ActionImport Name="DoThing" Action="mscrm.DoThing"/>',
      }),
    );
    expect(catalog.procedures).toEqual([
      {
        name: 'DoThing',
        qualifiedName: 'Microsoft.Dynamics.CRM.DoThing',
        kind: 'action',
        bound: false,
        isComposable: false,
        importName: 'DoThing',
        isQueryFunction: false,
        parameters: [
          { name: 'Target', edmType: 'Microsoft.Dynamics.CRM.Missing', isCollection: false, nullable: false, isBinding: false, sqlType: { name: 'nvarchar' } },
          { name: 'Count', edmType: 'Edm.Int32', isCollection: false, nullable: true, isBinding: false, sqlType: { name: 'int' } },
        ],
        returnType: { edmType: 'Microsoft.Dynamics.CRM.Gone', isCollection: true, nullable: true },
      },
    ]);
    expect(catalog.warnings).toEqual([
      `Parameter 'Target' of 'Microsoft.Dynamics.CRM.DoThing' has unknown type 'Microsoft.Dynamics.CRM.Missing'; typed as text`,
      `Return type 'Collection(Microsoft.Dynamics.CRM.Gone)' of 'Microsoft.Dynamics.CRM.DoThing' is unknown`,
    ]);
  });

  it('warns about an unknown namespace and assumes Dataverse conventions', () => {
    const catalog = parseEdmx(
      edmx({ namespace: 'Contoso.Data', alias: 'c', types: `<EntityType Name="thing"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32"/></EntityType>`, container: '<EntitySet Name="things" EntityType="c.thing"/>' }),
    );
    expect(catalog.edition).toBe('dataverse');
    expect(catalog.tables[0]!.entityType).toBe('Contoso.Data.thing');
    expect(catalog.warnings).toEqual([`Unknown namespace 'Contoso.Data': Dataverse conventions assumed`]);
  });
});

describe('annotations in their other forms', () => {
  it('reads alternate keys (OData.Community.Keys.V1) and skips one naming an unknown property', () => {
    const keys = `<Annotation Term="Keys.AlternateKeys"><Collection>
        <Record Type="Keys.AlternateKey"><PropertyValue Property="Key"><Collection>
          <Record Type="Keys.PropertyRef"><PropertyValue Property="Alias" String="accountnumber"/><PropertyValue Property="Name" PropertyPath="accountnumber"/></Record>
        </Collection></PropertyValue></Record>
        <Record Type="Keys.AlternateKey"><PropertyValue Property="Key"><Collection>
          <Record Type="Keys.PropertyRef"><PropertyValue Property="Alias" String="name"/><PropertyValue Property="Name" PropertyPath="name"/></Record>
          <Record Type="Keys.PropertyRef"><PropertyValue Property="Alias" String="primarycontactid"/><PropertyValue Property="Name" PropertyPath="_primarycontactid_value"/></Record>
        </Collection></PropertyValue></Record>
        <Record><PropertyValue Property="Key"><Collection>
          <Record><PropertyValue Property="Name" PropertyPath="nosuchcolumn"/></Record>
        </Collection></PropertyValue></Record>
      </Collection></Annotation>`;
    const catalog = parseEdmx(
      edmx({
        references: `<edmx:Reference Uri="http://vocabularies.odata.org/OData.Community.Keys.V1.xml"><edmx:Include Namespace="OData.Community.Keys.V1" Alias="Keys"/></edmx:Reference>`,
        types: ACCOUNT_TYPE.replace('<Property Name="accountnumber" Type="Edm.String"/>', `<Property Name="accountnumber" Type="Edm.String"/><Property Name="_primarycontactid_value" Type="Edm.Guid"/>${keys}`),
        container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>',
      }),
    );
    expect(catalog.tables[0]!.alternateKeys).toEqual([
      { name: 'AK_account_accountnumber', columns: ['accountnumber'] },
      { name: 'AK_account_name_primarycontactid', columns: ['name', 'primarycontactid'] },
    ]);
    expect(catalog.warnings).toEqual([`Alternate key on 'account' names unknown property 'nosuchcolumn'; skipped`]);
  });

  it('applies out-of-line <Annotations Target> to types, properties, sets and the container', () => {
    const catalog = parseEdmx(
      edmx({
        types: ACCOUNT_TYPE,
        container: '<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>',
        after: `<Annotations Target="mscrm.account/name"><Annotation Term="Core.Description" String="The name"/><Annotation Term="Core.Computed" Bool="true"/></Annotations>
          <Annotations Target="mscrm.account"><Annotation Term="Org.OData.Core.V1.Description" String="Business"/></Annotations>
          <Annotations Target="Microsoft.Dynamics.CRM.System/accounts"><Annotation Term="Capabilities.SkipSupported" Bool="true"/>
            <Annotation Term="Capabilities.InsertRestrictions"><Record><PropertyValue Property="Insertable" Bool="false"/></Record></Annotation></Annotations>
          <Annotations Target="mscrm.System"><Annotation Term="Capabilities.FilterFunctions"><Collection><String>contains</String></Collection></Annotation></Annotations>
          <Annotations Target="mscrm.nowhere"><Annotation Term="Core.Description" String="x"/></Annotations>`,
      }),
    );
    const account = catalog.tables[0]!;
    expect(account.description).toBe('Business');
    expect(account.columns[1]).toMatchObject({ name: 'name', description: 'The name', readOnly: true });
    expect(account.capabilities).toEqual({ skipSupported: true, insertable: false });
    expect(catalog.service.filterFunctions).toEqual(['contains']);
    expect(catalog.warnings).toEqual([`Annotations for unknown target 'mscrm.nowhere' ignored`]);
  });
});
