import { FINOPS_ENTITIES, FINOPS_ENUMS, FINOPS_NAMESPACE, type FinopsProperty } from './finops-schema.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function propertyXml(p: FinopsProperty): string {
  const type = p.type.startsWith('Edm.') ? p.type : `${FINOPS_NAMESPACE}.${p.type}`;
  const facets = [
    p.nullable === false ? ' Nullable="false"' : '',
    p.maxLength !== undefined ? ` MaxLength="${p.maxLength}"` : '',
    p.decimal ? ' Precision="32" Scale="6"' : '',
  ].join('');
  return `        <Property Name="${esc(p.name)}" Type="${type}"${facets} />`;
}

/**
 * The F&O `$metadata` document: `edmx:Edmx > edmx:DataServices > Schema Namespace="Microsoft.Dynamics.DataEntities"`
 * with no `edmx:Reference` before DataServices, entity types, then enums, then actions, then
 * `<EntityContainer Name="Resources">` (protocol notes §8). Enum members carry the LabelId
 * annotation third-party captures show.
 *
 *   <EntitySet Name="CustomersV3" EntityType="Microsoft.Dynamics.DataEntities.CustomerV3" />
 */
export function finopsMetadataXml(): string {
  const lines: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '  <edmx:DataServices>',
    `    <Schema Namespace="${FINOPS_NAMESPACE}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
  ];
  for (const entity of FINOPS_ENTITIES) {
    lines.push(`      <EntityType Name="${entity.type}">`);
    lines.push(`        <Key>${entity.key.map((k) => `<PropertyRef Name="${k}" />`).join('')}</Key>`);
    for (const p of entity.properties) lines.push(propertyXml(p));
    for (const nav of entity.navigations ?? []) {
      const type = nav.collection ? `Collection(${FINOPS_NAMESPACE}.${nav.target})` : `${FINOPS_NAMESPACE}.${nav.target}`;
      const constraints = (nav.constraints ?? []).map(([from, to]) => `<ReferentialConstraint Property="${from}" ReferencedProperty="${to}" />`).join('');
      lines.push(`        <NavigationProperty Name="${nav.name}" Type="${type}" Partner="${nav.partner}"${constraints ? `>${constraints}</NavigationProperty>` : ' />'}`);
    }
    lines.push('      </EntityType>');
  }
  for (const [name, members] of Object.entries(FINOPS_ENUMS)) {
    lines.push(`      <EnumType Name="${name}">`);
    members.forEach(([member, value], i) => {
      lines.push(`        <Member Name="${member}" Value="${value}"><Annotation Term="Microsoft.Dynamics.OData.Core.V1.LabelId" String="@SYS${4000 + i}" /></Member>`);
    });
    lines.push('      </EnumType>');
  }
  lines.push(
    '      <Action Name="GetApplicationBuildVersion" IsBound="true">',
    `        <Parameter Name="DataManagementDefinitionGroup" Type="Collection(${FINOPS_NAMESPACE}.DataManagementDefinitionGroup)" />`,
    '        <ReturnType Type="Edm.String" />',
    '      </Action>',
    '      <EntityContainer Name="Resources">',
  );
  for (const entity of FINOPS_ENTITIES) {
    const bindings = (entity.navigations ?? []).map((nav) => {
      const target = FINOPS_ENTITIES.find((e) => e.type === nav.target)!;
      return `<NavigationPropertyBinding Path="${nav.name}" Target="${target.set}" />`;
    }).join('');
    lines.push(`        <EntitySet Name="${entity.set}" EntityType="${FINOPS_NAMESPACE}.${entity.type}"${bindings ? `>${bindings}</EntitySet>` : ' />'}`);
  }
  lines.push('      </EntityContainer>', '    </Schema>', '  </edmx:DataServices>', '</edmx:Edmx>', '');
  return lines.join('\n');
}
