import { ODataError, INVALID_ARGUMENT } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import type { ChoiceLabels } from '../seed/choices.js';

/**
 * The service's aggregate engine, which answers `$apply` and FetchXML alike, computes no SUM, AVG,
 * MIN or MAX of a choice (Picklist, State, Status) or a yes/no (Boolean) attribute: SQL 4 CDS, used
 * against real orgs, never sends those (its FetchXML aggregate planning says so), and the refusal it
 * met for a primary key reads "Aggregate MAX or MIN is not supported for attribute of type
 * primarykey." (its issue 327). The docs are silent on the code and on the text for a choice: the
 * same sentence with the attribute's type is answered here, as 0x80040203 (InvalidArgument, as for
 * the emulator's other FetchXML refusals the docs leave open). See README.
 *
 * `accounts?$apply=aggregate(industrycode with max as m)` → 400 "Aggregate MAX or MIN is not
 * supported for attribute of type picklist."; `$count`, `countdistinct` and `groupby` are answered.
 * The same for MIN / MAX of `accountid` ("… of type primarykey.", SQL 4 CDS issue 327) and of a
 * lookup such as `_primarycontactid_value` ("… of type lookup.": SQL 4 CDS keeps both local; the
 * word for a lookup is by analogy).
 */

/**
 * the attribute's type in the service's words when `pair` of it is refused: a choice or a yes/no for
 * every pair; the primary key or a lookup (both `Edm.Guid`) for MAX or MIN, whose SUM or AVG no
 * GUID has anyway
 */
function refusedType(choices: ChoiceLabels, entity: EntityTypeDef, property: string, pair: string): string | undefined {
  const type = entity.properties.get(property)?.type;
  if (type === 'Edm.Boolean') return 'boolean';
  if (type === 'Edm.Guid' && pair === 'MAX or MIN') return entity.key.includes(property) ? 'primarykey' : 'lookup';
  if (!choices[entity.name]?.[property]) return undefined;
  return property === 'statecode' ? 'state' : property === 'statuscode' ? 'status' : 'picklist';
}

/**
 * Throws the service's refusal of `method` (`$apply`'s `sum`, `average`, `min`, `max` or FetchXML's
 * `sum`, `avg`, `min`, `max`) over the attribute, when it is a choice or a yes/no, or MIN / MAX of
 * the primary key or a lookup; other methods pass.
 */
export function checkValueAggregate(choices: ChoiceLabels, entity: EntityTypeDef, property: string, method: string): void {
  const pair = method === 'min' || method === 'max' ? 'MAX or MIN' : method === 'sum' || method === 'avg' || method === 'average' ? 'AVG or SUM' : undefined;
  if (!pair) return;
  const type = refusedType(choices, entity, property, pair);
  if (type) throw new ODataError(400, INVALID_ARGUMENT, `Aggregate ${pair} is not supported for attribute of type ${type}.`);
}
