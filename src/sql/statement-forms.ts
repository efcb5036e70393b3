/**
 * The statement forms dynasql runs, named in every refusal of a statement it does not run, so the
 * error says what to write instead:
 *
 *   CREATE TABLE t (…)  → "Unsupported SQL: CREATE statements: dynasql does not change the schema …
 *                          It runs SELECT, INSERT, UPSERT, UPDATE, DELETE, EXEC / CALL, BEGIN / COMMIT / ROLLBACK and EXPLAIN."
 */
export const SUPPORTED_STATEMENTS = 'SELECT (with WITH), INSERT, UPSERT, UPDATE, DELETE, EXEC / CALL, BEGIN / COMMIT / ROLLBACK / SAVEPOINT and EXPLAIN';

const SCHEMA_CHANGES = new Set(['CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'RENAME', 'GRANT', 'REVOKE']);

/** the text after "Unsupported SQL: " for a statement of the parser's type `type` (`create`, `alter`, `use`, …) */
export function statementRefusal(type: string): string {
  const word = type.toUpperCase();
  if (word === 'REPLACE') return `REPLACE statements; write UPSERT INTO table (columns) VALUES (…) to create or update by key. dynasql runs ${SUPPORTED_STATEMENTS}`;
  if (word === 'TRUNCATE') return `TRUNCATE statements; write DELETE FROM table WHERE … (with Allow Unsafe Writes for every row). dynasql runs ${SUPPORTED_STATEMENTS}`;
  if (SCHEMA_CHANGES.has(word)) {
    // temporary tables (#t, CREATE TEMP TABLE) are the Postgres adapter's, which keeps them per session
    const temporary = word === 'CREATE' ? ' Temporary tables (#name, CREATE TEMP TABLE) are not kept by the library or the REPL; use a CTE, or the Postgres adapter (dynasql serve), which has them.' : '';
    return `${word} statements: dynasql does not change the schema or the security of Dynamics (tables, columns and roles are defined in the maker portal, the admin center or solutions).${temporary} It runs ${SUPPORTED_STATEMENTS}`;
  }
  if (word === 'DECLARE') return `DECLARE: dynasql has no variables; pass values as parameters (@name or $1 with the values given to query()). It runs ${SUPPORTED_STATEMENTS}`;
  if (word === 'USE') return `USE: one connection is one org; connect with another Organization URL. dynasql runs ${SUPPORTED_STATEMENTS}`;
  if (word === 'SHOW' || word === 'DESCRIBE' || word === 'DESC') {
    return `${word}: read the catalog from the system tables (SELECT column_name, data_type FROM sys_tablecolumns WHERE table_name = 'account', INFORMATION_SCHEMA.COLUMNS) or with \\d account in the dynasql shell. dynasql runs ${SUPPORTED_STATEMENTS}`;
  }
  return `${word} statements. dynasql runs ${SUPPORTED_STATEMENTS}`;
}

/** first words of statements other databases run and dynasql refuses with advice (not a misspelling of a supported one) */
export const REFUSED_STATEMENT_WORDS = new Set([...SCHEMA_CHANGES, 'REPLACE', 'DECLARE', 'USE', 'SHOW', 'DESCRIBE', 'PRINT']);
