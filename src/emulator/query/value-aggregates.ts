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
 */

/** the attribute's type in the service's words when it is a choice or a yes/no, else undefined */
function refusedType(choices: ChoiceLabels, entity: EntityTypeDef, property: string): string | undefined {
  if (entity.properties.get(property)?.type === 'Edm.Boolean') return 'boolean';
  if (!choices[entity.name]?.[property]) return undefined;
  return property === 'statecode' ? 'state' : property === 'statuscode' ? 'status' : 'picklist';
}

/**
 * Throws the service's refusal of `method` (`$apply`'s `sum`, `average`, `min`, `max` or FetchXML's
 * `sum`, `avg`, `min`, `max`) over the attribute, when it is a choice or a yes/no; other methods pass.
 */
export function checkValueAggregate(choices: ChoiceLabels, entity: EntityTypeDef, property: string, method: string): void {
  const pair = method === 'min' || method === 'max' ? 'MAX or MIN' : method === 'sum' || method === 'avg' || method === 'average' ? 'AVG or SUM' : undefined;
  if (!pair) return;
  const type = refusedType(choices, entity, property);
  if (type) throw new ODataError(400, INVALID_ARGUMENT, `Aggregate ${pair} is not supported for attribute of type ${type}.`);
}
