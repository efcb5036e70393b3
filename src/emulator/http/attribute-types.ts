/**
 * Each column's kind as the metadata API names it (`EntityDefinitions(…)/Attributes`): its
 * AttributeType (the AttributeTypeCode enumeration, written by member name), its AttributeTypeName
 * (`{ Value: 'PicklistType' }`, the SDK's AttributeTypeDisplayName) and the derived metadata type
 * its `@odata.type` names. `$metadata` cannot say these: a choice is `Edm.Int32` there and a
 * multi-select choice `Edm.String`.
 *
 *   account.industrycode            → Picklist, PicklistType, PicklistAttributeMetadata
 *   contact.sample_outdooractivities → Virtual, MultiSelectPicklistType, MultiSelectPicklistAttributeMetadata
 *   account._primarycontactid_value → LogicalName primarycontactid: Lookup, LookupType, LookupAttributeMetadata
 *
 * Here a whole number is a choice when the seed has labels for it (seed/choices.ts), as everywhere
 * else in the emulator (FormattedValues, the aggregates it refuses); the service also lists the
 * virtual name columns (`industrycodename`, `primarycontactidname`), which are not emulated. Money is
 * told by its `_base` twin, as the FormattedValues do.
 */
import type { EntityTypeDef, PropertyDef } from '../metadata/model.js';
import type { ChoiceLabels } from '../seed/choices.js';
import { isMoney } from './format.js';

export interface AttributeType {
  logicalName: string;
  /** AttributeTypeCode member: Picklist, String, Lookup, … */
  type: string;
  /** AttributeTypeDisplayName value: PicklistType, MultiSelectPicklistType, … */
  typeName: string;
  /** the derived type of AttributeMetadata: PicklistAttributeMetadata, … */
  metadataType: string;
}

const kind = (logicalName: string, type: string, typeName: string, metadataType: string): AttributeType => ({ logicalName, type, typeName, metadataType });

const BY_EDM_TYPE: Record<string, [string, string, string]> = {
  'Edm.String': ['String', 'StringType', 'StringAttributeMetadata'],
  'Edm.Int32': ['Integer', 'IntegerType', 'IntegerAttributeMetadata'],
  'Edm.Int64': ['BigInt', 'BigIntType', 'BigIntAttributeMetadata'],
  'Edm.Decimal': ['Decimal', 'DecimalType', 'DecimalAttributeMetadata'],
  'Edm.Double': ['Double', 'DoubleType', 'DoubleAttributeMetadata'],
  'Edm.Boolean': ['Boolean', 'BooleanType', 'BooleanAttributeMetadata'],
  'Edm.DateTimeOffset': ['DateTime', 'DateTimeType', 'DateTimeAttributeMetadata'],
  'Edm.Date': ['DateTime', 'DateTimeType', 'DateTimeAttributeMetadata'],
  // the SDK fixtures' key and id columns carry no derived type
  'Edm.Guid': ['Uniqueidentifier', 'UniqueidentifierType', 'AttributeMetadata'],
  'Edm.Binary': ['Virtual', 'ImageType', 'ImageAttributeMetadata'],
};

export function attributeTypeOf(entity: EntityTypeDef, property: PropertyDef, choices: ChoiceLabels, multiSelect: ChoiceLabels): AttributeType {
  const name = property.name;
  const lookup = /^_(.+)_value$/.exec(name)?.[1];
  if (lookup) return lookup === 'ownerid' ? kind(lookup, 'Owner', 'OwnerType', 'LookupAttributeMetadata') : kind(lookup, 'Lookup', 'LookupType', 'LookupAttributeMetadata');
  if (multiSelect[entity.name]?.[name]) return kind(name, 'Virtual', 'MultiSelectPicklistType', 'MultiSelectPicklistAttributeMetadata');
  if (choices[entity.name]?.[name]) {
    if (name === 'statecode') return kind(name, 'State', 'StateType', 'StateAttributeMetadata');
    if (name === 'statuscode') return kind(name, 'Status', 'StatusType', 'StatusAttributeMetadata');
    return kind(name, 'Picklist', 'PicklistType', 'PicklistAttributeMetadata');
  }
  if (isMoney(entity, property)) return kind(name, 'Money', 'MoneyType', 'MoneyAttributeMetadata');
  const [type, typeName, metadataType] = BY_EDM_TYPE[property.type] ?? ['Virtual', 'VirtualType', 'AttributeMetadata'];
  return kind(name, type, typeName, metadataType);
}
