import { ODataError } from '../errors.js';

/**
 * The errors Dataverse answers to FetchXML (FetchXML doc §1.3). Codes and texts are the documented or
 * observed ones; where the docs are silent the choice is marked and listed in the emulator's README.
 */
export const unknownEntity = (name: string) =>
  new ODataError(400, '0x80041102', `The entity with a name = '${name}' with namemapping = 'Logical' was not found in the MetadataCache.`);

export const missingEntityName = () => new ODataError(400, '0x80041102', 'Entity Name was not specified in FetchXml String.');

export const unknownAttribute = (entity: string, name: string) =>
  new ODataError(400, '0x80041103', `'${entity}' entity doesn't contain attribute with Name = '${name}' and NameMapping = 'Logical' (look up attribute by name is case-sensitive).`);

/** Malformed XML or an element the schema does not allow. Docs silent: InvalidArgument (0x80040203) chosen. */
export const invalidFetch = (message: string) => new ODataError(400, '0x80040203', `Invalid FetchXml: ${message}`);

export const tooManyLinks = () => new ODataError(400, '0x8004430D', 'Number of link entities in query exceeded maximum limit.');

export const tooManyConditions = () => new ODataError(400, '0x8004430C', 'TooManyConditionsInQuery: the query has more than 500 conditions and link-entities.');

export const aggregateLimitExceeded = () =>
  new ODataError(400, '0x8004E023', 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.');
