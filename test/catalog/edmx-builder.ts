/** Small EDMX documents for tests: `edmx({ types: '<EntityType …/>', container: '<EntitySet …/>' })`. */
export function edmx(parts: { types?: string; container?: string; namespace?: string; alias?: string; references?: string; after?: string } = {}): string {
  const namespace = parts.namespace ?? 'Microsoft.Dynamics.CRM';
  const alias = parts.alias ?? 'mscrm';
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  ${parts.references ?? ''}
  <edmx:DataServices>
    <Schema Namespace="${namespace}" Alias="${alias}" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      ${parts.types ?? ''}
      <EntityContainer Name="System">
        ${parts.container ?? ''}
      </EntityContainer>
      ${parts.after ?? ''}
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
}

export const ACCOUNT_TYPE = `
  <EntityType Name="crmbaseentity" Abstract="true"/>
  <EntityType Name="account" BaseType="mscrm.crmbaseentity">
    <Key><PropertyRef Name="accountid"/></Key>
    <Property Name="accountid" Type="Edm.Guid"/>
    <Property Name="name" Type="Edm.String"/>
    <Property Name="accountnumber" Type="Edm.String"/>
  </EntityType>`;
