/**
 * Rule: a condition on a CTE's outputs passes into the CTE's query only when the statement reads
 * that CTE once and it is not recursive; a second reference would lose the rows the condition
 * removes. (Passing the OR of every reference's conditions would also be exact; not done.)
 *
 * Before: `WITH cte AS (SELECT firstname, lastname FROM contact WHERE firstname = 'Mark')
 *          SELECT * FROM cte WHERE lastname = 'Carrington'`
 * After:  the CTE's block also gets `lastname = 'Carrington'` (then through-select.ts applies).
 * Not:    `WITH c AS (…) SELECT … FROM c x JOIN c y ON … WHERE x.lastname = 'C'` (read twice).
 */
import type { Cte, Query } from '../../plan/index.js';

/**
 * The CTEs of the statement (by lower-case name) that are defined once, are not recursive, and are
 * read exactly once anywhere in it (subqueries included).
 */
export function singleReferenceCtes(root: Query): Set<string> {
  const defined = new Map<string, number>();
  const recursive = new Set<string>();
  const reads = new Map<string, number>();
  const bump = (map: Map<string, number>, name: string) => map.set(name.toLowerCase(), (map.get(name.toLowerCase()) ?? 0) + 1);
  // every node of the tree (expressions, FROM items, subqueries, window clauses); catalog objects and types are not walked
  const visit = (value: unknown, key?: string): void => {
    if (key === 'column' || key === 'table' || key === 'sqlType' || key === 'outputTypes' || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    const node = value as Record<string, unknown>;
    if (node.kind === 'cteRef') bump(reads, String(node.name));
    for (const k in node) {
      if (k === 'with') {
        for (const cte of node.with as Cte[]) {
          bump(defined, cte.name);
          if (cte.recursive) recursive.add(cte.name.toLowerCase());
          visit(cte.query);
        }
      } else {
        visit(node[k], k);
      }
    }
  };
  visit(root);
  const once = new Set<string>();
  for (const [name, count] of reads) if (count === 1 && defined.get(name) === 1 && !recursive.has(name)) once.add(name);
  return once;
}
