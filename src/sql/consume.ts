/**
 * Consume or refuse: the normaliser names, for each node of node-sql-parser's AST it reads, the
 * fields it reads (`take(node, 'FROM item', FROM_ITEM_FIELDS)`); a field outside that list holding
 * anything (PIVOT, COLLATE, a table hint, FOR XML, a named WINDOW, TABLESAMPLE, …) refuses the
 * statement with DYNASQL_ERR_UNSUPPORTED_SQL naming the construct, instead of being silently dropped.
 * Empty values (null, false, '', [], objects of empty values such as `into: {position: null}`) are
 * the parser's way of saying "not written" and pass.
 *
 *   take({type:'column_ref', column:'name', collate:{…}}, 'a column', ['type','column','table'])
 *     → throws "Unsupported SQL: COLLATE (in a column)"
 */
import { DynasqlError } from '../errors/index.js';

/** what a field of the parser's AST is called in SQL, for the error */
const CONSTRUCTS: Record<string, string> = {
  operator: 'PIVOT / UNPIVOT',
  collate: 'COLLATE',
  table_hint: 'table hints',
  temporal_table: 'FOR SYSTEM_TIME',
  tablesample: 'TABLESAMPLE',
  for: 'FOR XML / FOR JSON',
  window: 'named windows (WINDOW …)',
  options: 'query options',
  into: 'SELECT … INTO',
  using: 'JOIN … USING',
  filter: 'FILTER (WHERE …)',
  within_group: 'WITHIN GROUP',
  orderby: 'ORDER BY inside an aggregate',
  locking_read: 'FOR UPDATE / FOR SHARE',
  lateral: 'LATERAL',
  arrows: 'JSON operators',
  properties: 'JSON operators',
  suffix: 'a suffix after the expression',
  prefix: 'a prefix before the expression',
  recursive: 'recursive CTEs',
  separator: 'a separator argument',
};

/** what to write instead, where SQL offers another way */
const INSTEAD: Record<string, string> = {
  operator: 'aggregate over CASE with GROUP BY: SUM(CASE WHEN k = 1 THEN v END) AS k1',
  collate: 'string comparisons already follow Dataverse\'s case-insensitive collation; UPPER() or LOWER() on both sides for another rule',
  for: 'read the rows and shape them in the application (the CLI has --format json)',
  window: 'write the window in OVER (PARTITION BY … ORDER BY …)',
  into: 'to copy rows into an existing table write INSERT INTO table (columns) SELECT …',
  using: 'write JOIN … ON a.col = b.col',
  filter: 'aggregate over CASE: COUNT(CASE WHEN … THEN 1 END), SUM(CASE WHEN … THEN x END)',
  locking_read: 'reads take no locks in Dynamics; leave it out',
};

export function take(node: Record<string, unknown>, construct: string, fields: ReadonlySet<string>): void {
  for (const key of Object.keys(node)) {
    if (fields.has(key) || isEmpty(node[key])) continue;
    const instead = INSTEAD[key] ? `; ${INSTEAD[key]}` : '';
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${CONSTRUCTS[key] ?? key} (in ${construct})${instead}`, { details: { construct: CONSTRUCTS[key] ?? key } });
  }
}

export const fields = (...names: string[]): ReadonlySet<string> => new Set(names);

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).every(isEmpty);
  return false;
}
