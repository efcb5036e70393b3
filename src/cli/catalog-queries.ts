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

/** `\dt` lists names and keys; `\dt+` adds the descriptions, which are long on real orgs. */
export function listTablesQuery(pattern?: string, verbose = false): CatalogQuery {
  const where = pattern ? ` WHERE table_name LIKE ${sqlString(likePattern(pattern))}` : '';
  const columns = `table_name, entity_set_name, primary_key${verbose ? ', description' : ''}`;
  return { title: 'Tables', sql: `SELECT ${columns} FROM sys_tables${where} ORDER BY table_name` };
}

/** The table named by its logical name or its entity-set name (`account` or `accounts`). */
function sameTable(table: string): string {
  const name = sqlString(table);
  return `table_name IN (SELECT table_name FROM sys_tables WHERE table_name = ${name} OR entity_set_name = ${name})`;
}

/**
 * Columns, then keys, then the lookups that point elsewhere (many-to-one), as psql's `\d` shows them.
 * Columns are sorted by name, key columns first: a real org's `account` has over 200 columns.
 */
export function describeTableQueries(table: string): CatalogQuery[] {
  const where = sameTable(table);
  return [
    {
      title: `Table "${table}"`,
      sql:
        'SELECT column_name, type_name, is_nullable, is_primary_key, is_read_only, column_kind, lookup_targets ' +
        `FROM sys_tablecolumns WHERE ${where} ORDER BY is_primary_key DESC, column_name`,
    },
    {
      title: 'Keys',
      sql: `SELECT key_name, key_type, column_name FROM sys_keycolumns WHERE ${where} ORDER BY key_type DESC, key_name, ordinal_position`,
    },
    {
      title: 'Foreign keys',
      sql:
        'SELECT column_name, referenced_table_name, referenced_column_name, navigation_property FROM sys_foreignkeys ' +
        `WHERE ${where} AND relationship_type = 'many-to-one' ORDER BY column_name, referenced_table_name`,
    },
  ];
}

export function listProceduresQuery(pattern?: string): CatalogQuery {
  const where = pattern ? ` WHERE procedure_name LIKE ${sqlString(likePattern(pattern))}` : '';
  return {
    title: 'Procedures',
    sql: `SELECT procedure_name, procedure_type, is_bound, binding_type, return_type FROM sys_procedures${where} ORDER BY procedure_name`,
  };
}

/** The parameters of the procedures `\df` lists, to show beside each one. */
export function listedParametersQuery(pattern?: string): CatalogQuery {
  const where = pattern ? ` WHERE procedure_name LIKE ${sqlString(likePattern(pattern))}` : '';
  return {
    sql: `SELECT procedure_name, parameter_name, type_name, is_nullable, is_binding FROM sys_procedureparameters${where} ORDER BY procedure_name, ordinal_position`,
  };
}

export function procedureParametersQuery(procedure: string): CatalogQuery {
  return {
    title: `Parameters of "${procedure}"`,
    sql:
      'SELECT parameter_name, direction, type_name, edm_type, is_nullable, is_binding FROM sys_procedureparameters ' +
      `WHERE procedure_name = ${sqlString(procedure)} ORDER BY ordinal_position`,
  };
}
