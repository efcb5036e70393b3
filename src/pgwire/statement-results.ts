/**
 * Turning a dynasql `QueryResult` into Postgres result messages: the RowDescription (types from the
 * mirror where the column is a mirror column, else from the result's SQL type), the DataRows in
 * the requested formats, and the command tag.
 * Example: a SELECT of `accountid, name` → fields uuid (2950) and varchar(160) (1043, typmod 164),
 * tag `SELECT 2`.
 */
import type { QueryResult, ResultColumn, Row, SqlValue } from '../index.js';
import { dataRow, type FieldDescription } from './backend-messages.js';
import type { FormatCode } from './frontend-messages.js';
import { encodeBinary, encodeText, pgTypeOf, typeSize } from './pg-types.js';

/** The format of result column `i` from Bind's result-format codes (none → text; one → all). */
export function formatFor(resultFormats: readonly FormatCode[], i: number): FormatCode {
  if (resultFormats.length === 0) return 0;
  return resultFormats.length === 1 ? resultFormats[0]! : (resultFormats[i] ?? 0);
}

export function withFormats(fields: readonly FieldDescription[], resultFormats: readonly FormatCode[]): FieldDescription[] {
  return fields.map((f, i) => ({ ...f, format: formatFor(resultFormats, i) }));
}

/**
 * Result fields for `result`: a column the mirror described under the same name keeps the
 * mirror's type, table and attribute number (pgJDBC's ResultSetMetaData reads those); any other
 * column gets the type its SQL type maps to.
 */
export function resultFields(result: Pick<QueryResult, 'columns'>, described: readonly FieldDescription[] | null, resultFormats: readonly FormatCode[]): FieldDescription[] {
  const fields = result.columns.map((column, i): FieldDescription => {
    const byName = described?.find((f) => f.name === column.name) ?? described?.find((f) => f.name.toLowerCase() === column.name.toLowerCase());
    // An unnamed expression: Postgres calls `count(*)` "count" where the translator says "column1".
    const unnamed = described && described.length === result.columns.length && (described[i]!.name === '?column?' || /^column\d+$/.test(column.name));
    if (byName) return { ...byName, name: column.name };
    if (unnamed) return { ...described[i]! };
    const t = pgTypeOf({ ...column, name: column.type });
    return { name: column.name, tableOid: 0, columnNumber: 0, typeOid: t.oid, typeSize: typeSize(t.oid), typeModifier: t.typeModifier, format: 0 };
  });
  return withFormats(fields, resultFormats);
}

/** DataRow messages for the rows of `result`, encoded per field. */
export function encodeRows(result: QueryResult, fields: readonly FieldDescription[]): Buffer[] {
  return result.rows.map((row) => encodeRow(row, result.columns, fields));
}

/** One DataRow: the row's value of each column, in the field's format. */
export function encodeRow(row: Row, columns: readonly ResultColumn[], fields: readonly FieldDescription[]): Buffer {
  return dataRow(
    fields.map((f, i) => {
      const value: SqlValue | undefined = row[columns[i]!.name];
      if (value === null || value === undefined) return null;
      return f.format === 1 ? encodeBinary(f.typeOid, value, f.typeModifier) : Buffer.from(encodeText(f.typeOid, value, f.typeModifier), 'utf8');
    }),
  );
}

/** The CommandComplete tag Postgres clients expect (`SELECT 3`, `INSERT 0 1`, `UPDATE 2`, `CALL`). */
export function commandTag(command: string, rowCount: number): string {
  switch (command.toUpperCase()) {
    case 'SELECT':
      return `SELECT ${rowCount}`;
    case 'INSERT':
    case 'UPSERT':
      return `INSERT 0 ${rowCount}`;
    case 'UPDATE':
      return `UPDATE ${rowCount}`;
    case 'DELETE':
      return `DELETE ${rowCount}`;
    case 'EXEC':
    case 'CALL':
      return 'CALL';
    default:
      return command.toUpperCase();
  }
}
