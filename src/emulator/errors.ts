/**
 * An error the emulator answers with the service's own JSON shape:
 * `{"error":{"code":"0x80060888","message":"Skip Clause is not supported in CRM"}}`.
 * The edition profile decides the final body (F&O wraps it differently).
 */
export class ODataError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ODataError';
  }
}

/** Query and URL errors: the service answers 0x80060888 for nearly all of them (protocol §5). */
export const QUERY_ERROR = '0x80060888';
export const NOT_FOUND = '0x80040217';
export const CONCURRENCY_MISMATCH = '0x80060882';
export const DUPLICATE_RECORD = '0x80040237';
export const VALIDATION_ERROR = '0x80044331';
export const AGGREGATE_LIMIT = '0x8004E023';
/** InvalidArgument: a request the service understands but refuses for the record's state. */
export const INVALID_ARGUMENT = '0x80040203';

export const queryError = (message: string, status = 400) => new ODataError(status, QUERY_ERROR, message);

export const segmentNotFound = (segment: string) =>
  new ODataError(404, QUERY_ERROR, `Resource not found for the segment '${segment}'.`);

export const propertyNotFound = (property: string, qualifiedType: string) =>
  queryError(`Could not find a property named '${property}' on type '${qualifiedType}'.`);

export const recordNotFound = (logicalName: string, id: string) =>
  new ODataError(404, NOT_FOUND, `Entity '${logicalName}' With Id = ${id} Does Not Exist`);

export const duplicateRecord = () => new ODataError(412, DUPLICATE_RECORD, 'A record with matching key values already exists.');

/**
 * Associating a many-to-many pair twice: the intersect table's unique key refuses it. The code is
 * the documented DuplicateRecord (§5); the text and status follow client reports (unverified).
 */
export const duplicateAssociation = () => new ODataError(412, DUPLICATE_RECORD, 'Cannot insert duplicate key.');

export const versionMismatch = () =>
  new ODataError(412, CONCURRENCY_MISMATCH, "The version of the existing record doesn't match the RowVersion property provided.");
