#!/usr/bin/env node
/**
 * Derives the emulator's default $metadata from the real CRM 2016 fixture: keeps the common tables,
 * their properties, keys and the navigation properties between kept tables, plus the operations the
 * emulator serves and the Microsoft.Dynamics.CRM query functions. Descriptions are dropped to keep
 * the file small (about 0.5 MB instead of 3.8 MB), so the emulator starts fast.
 *
 *   node scripts/extract-emulator-metadata.mjs [fixture]   → src/emulator/metadata/dataverse-edmx.xml
 *
 * The EDMX is a data file read when the emulator module loads (src/emulator/metadata/dataverse-edmx.ts);
 * the build copies it beside the compiled module (scripts/copy-assets.mjs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = process.argv[2] ?? resolve(root, 'test/fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml');
const out = resolve(root, 'src/emulator/metadata/dataverse-edmx.xml');
const xml = readFileSync(fixture, 'utf8').replace(/^\uFEFF/, '');

const TABLES = [
  'crmbaseentity', 'principal', 'activitypointer', 'account', 'contact', 'lead', 'opportunity', 'opportunityclose',
  'product', 'salesorder', 'salesorderdetail', 'quote', 'quotedetail', 'invoice', 'invoicedetail', 'incident',
  'systemuser', 'team', 'businessunit', 'organization', 'transactioncurrency', 'task', 'phonecall', 'email',
  'appointment', 'annotation', 'pricelevel', 'uom', 'uomschedule', 'competitor',
];
const kept = new Set(TABLES);
const OPERATIONS = ['WhoAmI', 'RetrieveVersion', 'WinOpportunity', 'RetrieveUserPrivileges', 'CalculateTotalTimeIncident'];
const COMPLEX = ['WhoAmIResponse', 'RetrieveVersionResponse', 'RetrieveUserPrivilegesResponse', 'RolePrivilege', 'CalculateTotalTimeIncidentResponse'];
const ENUMS = ['PrivilegeDepth'];

/** The whole element `<Tag Name="name" ...>...</Tag>` (or self-closing) starting at its open tag. */
function element(tag, name) {
  const open = new RegExp(`<${tag} Name="${name}"[^>]*?(/?)>`).exec(xml);
  if (!open) return undefined;
  if (open[1] === '/') return open[0];
  const end = xml.indexOf(`</${tag}>`, open.index);
  return xml.slice(open.index, end + tag.length + 3);
}

const targetOf = (type) => /mscrm\.(\w+)/.exec(type)?.[1];

function trimEntity(text) {
  return text
    .replace(/\s*<Annotation Term="Org\.OData\.Core\.V1\.Description" String="[^"]*"\/>/g, '')
    .replace(/\s*<NavigationProperty Name="[^"]*" Type="([^"]*)"[^>]*?(?:\/>|>[\s\S]*?<\/NavigationProperty>)/g,
      (m, type) => (kept.has(targetOf(type)) ? m : ''));
}

function trimEntitySet(text) {
  return text.replace(/\s*<NavigationPropertyBinding Path="[^"]*" Target="([^"]*)"\/>/g, (m, target) => {
    const set = sets.get(target);
    return set && kept.has(set) ? m : '';
  });
}

// entity set name → entity type name, for filtering bindings
const sets = new Map([...xml.matchAll(/<EntitySet Name="(\w+)" EntityType="Microsoft\.Dynamics\.CRM\.(\w+)"/g)].map((m) => [m[1], m[2]]));

const parts = [];
for (const name of ENUMS) parts.push(element('EnumType', name));
for (const name of COMPLEX) { const c = element('ComplexType', name); if (c) parts.push(c); }
for (const name of TABLES) {
  const e = element('EntityType', name);
  if (!e) throw new Error(`fixture lacks EntityType ${name}`);
  parts.push(trimEntity(e));
}
for (const name of OPERATIONS) {
  const op = element('Action', name) ?? element('Function', name);
  if (op) parts.push(op);
}
// Operations newer than the 2016 fixture, declared as the current service documents them (protocol §1.7, §7);
// new_AddNoteToContact is the docs' example of a custom bound action (PA/act).
parts.push(`<ComplexType Name="EntityRecordCountCollection">
        <Property Name="Keys" Type="Collection(Edm.String)" Nullable="false"/>
        <Property Name="Values" Type="Collection(Edm.Int64)" Nullable="false"/>
      </ComplexType>
      <ComplexType Name="RetrieveTotalRecordCountResponse">
        <Property Name="EntityRecordCountCollection" Type="mscrm.EntityRecordCountCollection" Nullable="false"/>
      </ComplexType>
      <Function Name="RetrieveTotalRecordCount">
        <Parameter Name="EntityNames" Type="Collection(Edm.String)" Nullable="false" Unicode="false"/>
        <ReturnType Type="mscrm.RetrieveTotalRecordCountResponse" Nullable="false"/>
      </Function>
      <Action Name="QualifyLead" IsBound="true">
        <Parameter Name="entity" Type="mscrm.lead" Nullable="false"/>
        <Parameter Name="CreateAccount" Type="Edm.Boolean" Nullable="false"/>
        <Parameter Name="CreateContact" Type="Edm.Boolean" Nullable="false"/>
        <Parameter Name="CreateOpportunity" Type="Edm.Boolean" Nullable="false"/>
        <Parameter Name="OpportunityCurrencyId" Type="mscrm.transactioncurrency"/>
        <Parameter Name="OpportunityCustomerId" Type="mscrm.crmbaseentity"/>
        <Parameter Name="SourceCampaignId" Type="mscrm.crmbaseentity"/>
        <Parameter Name="Status" Type="Edm.Int32" Nullable="false"/>
        <ReturnType Type="Collection(mscrm.crmbaseentity)" Nullable="false"/>
      </Action>
      <Action Name="new_AddNoteToContact" IsBound="true">
        <Parameter Name="entity" Type="mscrm.contact" Nullable="false"/>
        <Parameter Name="NoteTitle" Type="Edm.String" Nullable="false" Unicode="false"/>
        <Parameter Name="NoteText" Type="Edm.String" Nullable="false" Unicode="false"/>
        <ReturnType Type="mscrm.annotation" Nullable="false"/>
      </Action>`);
// Query functions: unbound Boolean functions taking PropertyName (In, LastXDays, Between, ...).
for (const m of xml.matchAll(/<Function Name="(\w+)">\s*<Parameter Name="PropertyName"[\s\S]*?<\/Function>/g)) parts.push(m[0]);

const container = [];
for (const [set, type] of sets) {
  if (!kept.has(type)) continue;
  container.push(trimEntitySet(element('EntitySet', set)));
}
for (const name of ['WinOpportunity']) container.push(`<ActionImport Name="${name}" Action="Microsoft.Dynamics.CRM.${name}"/>`);
for (const name of ['WhoAmI', 'RetrieveVersion', 'RetrieveTotalRecordCount']) {
  container.push(`<FunctionImport Name="${name}" Function="Microsoft.Dynamics.CRM.${name}"/>`);
}
const head = xml.slice(0, xml.indexOf('<Schema'));
const schemaOpen = /<Schema[^>]*>/.exec(xml)[0];
const conformance = xml.lastIndexOf('\n', xml.indexOf('<Annotation Term="Org.OData.Capabilities.V1.ConformanceLevel"'));
const containerAnnotations = xml.slice(conformance, xml.lastIndexOf('\n', xml.indexOf('</EntityContainer>')));
const doc = `${head}${schemaOpen}
      ${parts.join('\n      ')}
      <EntityContainer Name="System">
        ${container.join('\n        ')}${containerAnnotations}
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`;
const source = `<!-- Generated by scripts/extract-emulator-metadata.mjs from ${fixture.split('/').pop()} (MIT, see
     test/fixtures/README.md). Do not edit: re-run the script. -->
`;
writeFileSync(out, doc.replace(/(<\?xml[^>]*\?>\r?\n)/, `$1${source}`));
console.log(`wrote ${out.slice(root.length + 1)} (${doc.length} chars, ${kept.size} entity types)`);
