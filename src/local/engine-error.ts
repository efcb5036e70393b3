/**
 * What went wrong in the user's statement when the local engine (DuckDB) refused to go on, in T-SQL's
 * terms and without DuckDB's text or the rendered SQL: a division by zero, a value that does not
 * convert to the type it is used as, an arithmetic overflow, an invalid function argument. The
 * renderer raises T-SQL's own message for the checks it adds (`error('Divide by zero error
 * encountered.')`); DuckDB's conversion and range errors are rephrased. Anything else is a statement
 * dynasql rendered wrongly: reported as an internal error with the engine's first line only.
 *
 * `localEngineError(new Error('Conversion Error: Could not convert string \'abc\' to INT32'))` →
 * DYNASQL_ERR_CONVERSION "Conversion failed: 'abc' is not a valid int".
 */
import { DynasqlError } from '../errors/index.js';

/** DuckDB's internal type names as T-SQL's */
const TYPE_NAMES: Record<string, string> = {
  INT8: 'tinyint', UINT8: 'tinyint', INT16: 'smallint', INT32: 'int', INT64: 'bigint', INT128: 'bigint', HUGEINT: 'bigint',
  UTINYINT: 'tinyint', SMALLINT: 'smallint', INTEGER: 'int', BIGINT: 'bigint', DOUBLE: 'float', FLOAT: 'real',
  DATE: 'date', TIMESTAMP: 'datetime2', 'TIMESTAMP WITH TIME ZONE': 'datetimeoffset', UUID: 'uniqueidentifier', BOOL: 'bit', BOOLEAN: 'bit',
  VARCHAR: 'nvarchar', TIME: 'time',
};

function tsqlType(duck: string): string {
  const name = duck.trim().toUpperCase();
  if (name.startsWith('DECIMAL')) return 'decimal';
  return TYPE_NAMES[name] ?? name.toLowerCase();
}

/** the messages the renderer's own checks raise (plan/functions.ts, local/render.ts), and their codes */
const OWN_CHECKS: [RegExp, 'DYNASQL_ERR_DIVIDE_BY_ZERO' | 'DYNASQL_ERR_INVALID_ARGUMENT' | 'DYNASQL_ERR_MAX_RECURSION'][] = [
  [/The maximum recursion \d+ has been exhausted before statement completion\./, 'DYNASQL_ERR_MAX_RECURSION'],
  [/Divide by zero error encountered\./, 'DYNASQL_ERR_DIVIDE_BY_ZERO'],
  [/Invalid length parameter passed to the \w+ function\./, 'DYNASQL_ERR_INVALID_ARGUMENT'],
];

export function localEngineError(error: unknown): DynasqlError {
  if (error instanceof DynasqlError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // the renderer's check of a string read as a number (local/conversions.ts) names the value, which may hold line breaks
  const ownConversion = /Conversion failed: '[\s\S]*' is not a valid \w+$/.exec(message);
  if (ownConversion) return new DynasqlError('DYNASQL_ERR_CONVERSION', ownConversion[0], { cause: error });
  const firstLine = message.split('\n')[0]!;
  for (const [pattern, code] of OWN_CHECKS) {
    const own = pattern.exec(firstLine);
    if (own) return new DynasqlError(code, own[0], { cause: error });
  }
  // a value past its type's range is T-SQL's Msg 8115, even when DuckDB meets it in a cast: `SUM(int)`
  // is an int, rendered `CAST(sum(x) AS INTEGER)`, so a sum past 2^31 fails converting INT128 → INT32
  const castRange = /^Conversion Error: .*out of range for the destination type ([A-Z0-9_]+(?:\(\d+,\d+\))?)/.exec(firstLine);
  if (castRange) {
    return new DynasqlError('DYNASQL_ERR_OVERFLOW', `Arithmetic overflow error converting an expression to data type ${tsqlType(castRange[1]!)}`, { cause: error });
  }
  const conversion = /^Conversion Error: Could not convert (?:string )?'((?:[^']|'')*)' to ([A-Z0-9_ ]+(?:\(\d+,\d+\))?)/.exec(firstLine);
  if (conversion) {
    return new DynasqlError('DYNASQL_ERR_CONVERSION', `Conversion failed: '${conversion[1]}' is not a valid ${tsqlType(conversion[2]!)}`, { cause: error });
  }
  if (firstLine.startsWith('Conversion Error:')) {
    return new DynasqlError('DYNASQL_ERR_CONVERSION', 'Conversion failed: a value does not convert to the type the statement uses it as', { cause: error });
  }
  const overflow = /^Out of Range Error: .*?(?:of|type|to) (INT\d+|UINT\d+|HUGEINT|DECIMAL\(\d+,\d+\)|DECIMAL)\b/.exec(firstLine);
  if (overflow || firstLine.startsWith('Out of Range Error:')) {
    const type = overflow ? tsqlType(overflow[1]!) : 'its result type';
    return new DynasqlError('DYNASQL_ERR_OVERFLOW', `Arithmetic overflow error converting an expression to data type ${type}`, { cause: error });
  }
  const text = firstLine.replace(/^[A-Za-z ]+Error: /, '');
  return new DynasqlError('DYNASQL_ERR_INTERNAL', `dynasql could not evaluate the statement locally (please report this): ${text}`, { cause: error });
}
