/**
 * Rule: the select list of an EXISTS subquery is never read, so it becomes the constant 1 and its
 * table is asked for no columns for it (`EXISTS (SELECT * FROM contact WHERE …)` read all 192
 * columns of contact).
 *
 * Before: `WHERE EXISTS (SELECT * FROM contact c WHERE c.parentcustomerid = a.accountid)`
 * After:  `WHERE EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid)`
 *
 * It does not apply when the select list decides the row count — an aggregate without GROUP BY is
 * always one row (`EXISTS (SELECT MAX(x) FROM t WHERE 1 = 0)` is true) — or when ORDER BY may name
 * a select item by alias or position; nor to a set operation (its sides' lists decide its rows).
 */
import type { Expr, Query, Select } from '../../plan/index.js';
import { containsAggregate } from '../../plan/index.js';
import { mapTree } from './map-tree.js';

const ONE: Expr = { kind: 'literal', type: 'number', value: '1', sqlType: { name: 'int' } };

function selectListUnread(block: Select): boolean {
  if (block.columns.length === 1 && block.columns[0]!.expr.kind === 'literal') return false; // already a constant
  if (block.having || block.columns.some((c) => containsAggregate(c.expr))) return false;
  return block.orderBy.every((o) => o.expr.kind !== 'literal' && !(o.expr.kind === 'column' && o.expr.scanId === undefined));
}

export function existsReadsNoColumns(query: Query): Query {
  return mapTree(query, (node) => {
    if (node.kind !== 'exists') return node;
    const sub = node.query as Query;
    if (sub.kind !== 'select' || !selectListUnread(sub)) return node;
    return { ...node, query: { ...sub, distinct: false, columns: [{ expr: ONE }], outputTypes: [ONE.sqlType] } };
  });
}
