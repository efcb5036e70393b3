/**
 * The part of the metadata Web API (fetchxml-delta-metadata doc §3) that clients read for what
 * `$metadata` lacks: a table's primary name column, a choice's option labels, and each column's kind.
 *
 *   EntityDefinitions(LogicalName='contact')?$select=PrimaryNameAttribute
 *     → {"LogicalName":"contact","PrimaryNameAttribute":"fullname",…}
 *   EntityDefinitions(LogicalName='account')/Attributes(LogicalName='industrycode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata
 *     ?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)
 *     → {"LogicalName":"industrycode","OptionSet":{"Options":[{"Value":1,"Label":{…}}…]},"GlobalOptionSet":null}
 *   EntityDefinitions(LogicalName='team')/Attributes?$select=LogicalName,AttributeType,AttributeTypeName
 *     → {"value":[{"@odata.type":"#Microsoft.Dynamics.CRM.PicklistAttributeMetadata","LogicalName":"teamtype",
 *        "AttributeType":"Picklist","AttributeTypeName":{"Value":"PicklistType"},"MetadataId":"…"},…]}
 *
 * The kinds are attribute-types.ts's. The Attributes collection is answered whole (the metadata API
 * does not page, doc §3.2) with `$select`; its `$filter` and `$expand` are not emulated and refused.
 *
 * `statecode` answers only the StateAttributeMetadata cast, `statuscode` only StatusAttributeMetadata,
 * a yes/no (Boolean) column only BooleanAttributeMetadata (its OptionSet holds TrueOption and
 * FalseOption, as the SDK's BooleanOptionSetMetadata: docs silent on the Web API's answer), any other
 * choice only PicklistAttributeMetadata (the docs name the casts; what the service answers
 * for a cast that does not fit the column is not documented: here 404 as for a missing column). The
 * labels are the seed's en-US ones (seed/choices.ts), the same the FormattedValue annotations show.
 */
import { createHash } from 'node:crypto';
import { ODataError, NOT_FOUND, queryError } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import type { EmulatorState } from '../state.js';
import { primaryNameOf, YES_NO } from './format.js';
import { attributeTypeOf } from './attribute-types.js';
import type { Segment } from './path.js';
import type { ODataResponse } from '../state.js';
import { jsonResponse } from './respond.js';

const CAST_PREFIX = 'Microsoft.Dynamics.CRM.';
const ENGLISH = 1033;

/** a stable MetadataId for a name (the service's are GUIDs fixed per org) */
function metadataId(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** `LogicalName='account'` → `account`; a MetadataId key is not answered here */
function logicalNameKey(args: string | undefined, what: string): string {
  const m = /^LogicalName='([^']*)'$/.exec(args ?? '');
  if (!m) throw queryError(`The key of ${what} must be LogicalName='…' here (MetadataId keys are not emulated).`);
  return m[1]!;
}

const notFound = (message: string) => new ODataError(404, NOT_FOUND, message);

/** `$select=A,B` of a metadata request: the properties to keep, or undefined for all */
function selected(options: Map<string, string>): Set<string> | undefined {
  const text = options.get('$select');
  return text === undefined ? undefined : new Set(text.split(',').map((s) => s.trim()).filter(Boolean));
}

function entityOf(state: EmulatorState, logicalName: string): EntityTypeDef {
  const entity = [...state.model.entityTypes.values()].find((e) => e.name === logicalName && e.entitySet);
  if (!entity) throw notFound(`Could not find entity with name '${logicalName}'.`);
  return entity;
}

function label(text: string): Record<string, unknown> {
  const localized = { Label: text, LanguageCode: ENGLISH, IsManaged: true, MetadataId: metadataId(`label:${text}`), HasChanged: null };
  return { LocalizedLabels: [localized], UserLocalizedLabel: localized };
}

/** the cast a choice column answers: statecode → State, statuscode → Status, others → Picklist */
function castOf(column: string): string {
  if (column === 'statecode') return 'StateAttributeMetadata';
  if (column === 'statuscode') return 'StatusAttributeMetadata';
  return 'PicklistAttributeMetadata';
}

/**
 * Answers a GET under `EntityDefinitions(LogicalName='…')`; other forms of the metadata API are
 * refused with the service's query error.
 */
export function readEntityDefinitions(
  state: EmulatorState, segments: Segment[], options: Map<string, string>, serviceRoot: string,
): ODataResponse {
  const [head, attributes, cast, ...more] = segments;
  const logicalName = logicalNameKey(head!.args, 'EntityDefinitions');
  const entity = entityOf(state, logicalName);
  const context = `${serviceRoot}$metadata#EntityDefinitions`;
  if (!attributes) {
    const record: Record<string, unknown> = {
      '@odata.context': `${context}/$entity`, LogicalName: entity.name, EntitySetName: entity.entitySet, PrimaryIdAttribute: entity.key[0] ?? null,
      PrimaryNameAttribute: primaryNameOf(entity) ?? null, MetadataId: metadataId(`entity:${entity.name}`),
    };
    const keep = selected(options);
    const shown = Object.fromEntries(Object.entries(record).filter(([k]) => k.startsWith('@') || k === 'MetadataId' || !keep || keep.has(k)));
    return jsonResponse(200, shown);
  }
  if (attributes.name === 'Attributes' && attributes.args === undefined && !cast) return attributeList(state, entity, options, context);
  if (attributes.name !== 'Attributes' || !cast || more.length > 0) throw queryError('Only EntityDefinitions(…)/Attributes(…)/<cast> is emulated under EntityDefinitions.');
  const column = logicalNameKey(attributes.args, 'Attributes');
  const property = entity.properties.get(column);
  if (!property) throw notFound(`Could not find attribute with name '${column}' on entity '${entity.name}'.`);
  const yesNo = property.type === 'Edm.Boolean';
  const options_ = state.choices[entity.name]?.[column];
  if ((!options_ && !yesNo) || cast.name !== `${CAST_PREFIX}${yesNo ? 'BooleanAttributeMetadata' : castOf(column)}`) {
    throw notFound(`The attribute '${column}' of '${entity.name}' is not a ${cast.name.replace(CAST_PREFIX, '')}.`);
  }
  const expand = options.get('$expand') ?? '';
  const expanded = (name: string) => new RegExp(`(^|,)\\s*${name}\\b`).test(expand);
  const record: Record<string, unknown> = {
    '@odata.context': `${context}('${entity.name}')/Attributes/${cast.name}/$entity`, LogicalName: column, MetadataId: metadataId(`attribute:${entity.name}.${column}`),
  };
  if (yesNo && expanded('OptionSet')) {
    // the SDK's BooleanOptionSetMetadata: TrueOption (1) and FalseOption (0); the labels the FormattedValues show
    const option = (value: number, text: string) => ({ Value: value, Label: label(text), Description: label(''), Color: null, IsManaged: true, MetadataId: null, HasChanged: null });
    record.OptionSet = {
      Name: `${entity.name}_${column}`, IsGlobal: false, OptionSetType: 'Boolean', MetadataId: metadataId(`optionset:${entity.name}.${column}`),
      TrueOption: option(1, YES_NO.yes), FalseOption: option(0, YES_NO.no),
    };
  } else if (options_ && expanded('OptionSet')) {
    record.OptionSet = {
      Name: `${entity.name}_${column}`, IsGlobal: false, OptionSetType: castOf(column).replace('AttributeMetadata', ''), MetadataId: metadataId(`optionset:${entity.name}.${column}`),
      Options: Object.entries(options_).map(([value, text]) => ({ Value: Number(value), Label: label(text), Description: label(''), Color: null, IsManaged: true, MetadataId: null, HasChanged: null })),
    };
  }
  // a local choice: its options are under OptionSet and GlobalOptionSet is null (doc §3.3)
  if (expanded('GlobalOptionSet')) record.GlobalOptionSet = null;
  return jsonResponse(200, record);
}

/** `EntityDefinitions(LogicalName='…')/Attributes`: every column with its kind (attribute-types.ts) */
function attributeList(state: EmulatorState, entity: EntityTypeDef, options: Map<string, string>, context: string): ODataResponse {
  for (const option of ['$filter', '$expand', '$orderby', '$top']) {
    if (options.has(option)) throw queryError(`${option} on EntityDefinitions(…)/Attributes is not emulated.`);
  }
  const keep = selected(options);
  const value = [...entity.properties.values()].map((property) => {
    const kind = attributeTypeOf(entity, property, state.choices, state.multiSelect);
    const record: Record<string, unknown> = {
      '@odata.type': `#${CAST_PREFIX}${kind.metadataType}`, LogicalName: kind.logicalName, AttributeType: kind.type,
      AttributeTypeName: { Value: kind.typeName }, MetadataId: metadataId(`attribute:${entity.name}.${kind.logicalName}`),
    };
    return Object.fromEntries(Object.entries(record).filter(([k]) => k.startsWith('@') || k === 'MetadataId' || !keep || keep.has(k)));
  });
  const listed = keep ? `(${[...keep].join(',')})` : '';
  return jsonResponse(200, { '@odata.context': `${context}('${entity.name}')/Attributes${listed}`, value });
}
