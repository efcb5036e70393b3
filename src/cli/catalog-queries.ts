/**
 * The SQL behind `\dt`, `\d` and `\df`: plain queries on the catalog's system tables, run through
 * the connection like any statement (so they work wherever SQL works, e.g. through pgwire too).
 * Names given by the user become SQL string literals with quotes doubled (`o'neil` → `'o''neil'`).
 */

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * psql-style name patterns as a LIKE pattern: `*` any text, `?` one character; a name without
 * wildcards matches anywhere in the name (`\dt acc` lists `account`).
 * Example: `likePattern('sales*')` → `'sales%'`.
 */
export function likePattern(pattern: string): string {
  const translated = pattern.replace(/\*/g, '%').replace(/\?/g, '_');
  return /[*?]/.test(pattern) ? translated : `%${translated}%`;
}

export interface CatalogQuery {
  title?: string;
  sql: string;
}

export function listTablesQuery(pattern?: string): CatalogQuery {
  const where = pattern ? ` WHERE name LIKE ${sqlString(likePattern(pattern))}` : '';
  return { title: 'Tables', sql: `SELECT name, entitysetname, description FROM sys_tables${where} ORDER BY name` };
}

export function describeTableQueries(table: string): CatalogQuery[] {
  const name = sqlString(table);
  return [
    {
      title: `Table "${table}"`,
      sql: `SELECT name, type, nullable, kind, description FROM sys_tablecolumns WHERE tablename = ${name} ORDER BY ordinal`,
    },
    { title: 'Keys', sql: `SELECT keyname, columnname FROM sys_keycolumns WHERE tablename = ${name} ORDER BY keyname, ordinal` },
    {
      title: 'Foreign keys',
      sql: `SELECT columnname, referencedtable, referencedcolumn, navigation FROM sys_foreignkeys WHERE tablename = ${name} ORDER BY columnname`,
    },
  ];
}

export function listProceduresQuery(pattern?: string): CatalogQuery {
  const where = pattern ? ` WHERE name LIKE ${sqlString(likePattern(pattern))}` : '';
  return { title: 'Procedures', sql: `SELECT name, kind, bound, bindingtype, returntype FROM sys_procedures${where} ORDER BY name` };
}

export function procedureParametersQuery(procedure: string): CatalogQuery {
  return {
    title: `Parameters of "${procedure}"`,
    sql: `SELECT name, type, nullable, isbinding FROM sys_procedureparameters WHERE procedurename = ${sqlString(procedure)} ORDER BY ordinal`,
  };
}
