/**
 * Rule: a derived table's or CTE's output columns that nothing reads are left out of it, so its
 * scans read only the columns used.
 *
 * Before: `SELECT COUNT(*) FROM (SELECT name, revenue * 2 AS r2 FROM account) g WHERE g.r2 > 1000000`
 * After:  `SELECT COUNT(*) FROM (SELECT revenue * 2 AS r2 FROM account) g WHERE g.r2 > 1000000`
 *         (account is asked for `revenue` only)
 *
 * A column counts as read when any column reference anywhere in the statement names it through the
 * source's alias (a `*` is its expansion, so it reads every one), or, unqualified, by its name. It
 * does not apply to a block whose output columns decide its rows: DISTINCT; an aggregate without
 * GROUP BY (dropping every aggregate would make it many rows); a set operation (its sides are
 * matched by position); nor where ORDER BY may name an item by alias or position, nor to a CTE with
 * a column list or a recursive one. When no column is read, one constant is kept (a query needs one).
 */
import type { Cte, Expr, Query, Select, SelectItem } from '../../plan/index.js';
import { containsAggregate } from '../../plan/index.js';
import { forEachNode, mapTree } from './map-tree.js';
import { outputNames } from './output-predicate.js';

/** per source alias (lower case), the output names read through it; `''`: names read unqualified */
function namesRead(root: Query): Map<string, Set<string>> {
  const read = new Map<string, Set<string>>();
  forEachNode(root, (node) => {
    if (node.kind !== 'column' || node.scanId !== undefined) return;
    const alias = typeof node.qualifier === 'string' ? node.qualifier.toLowerCase() : '';
    let names = read.get(alias);
    if (!names) read.set(alias, (names = new Set()));
    names.add(String(node.name).toLowerCase());
  });
  return read;
}

function prunable(block: Query): block is Select {
  if (block.kind !== 'select' || block.distinct) return false;
  if (block.groupBy.length === 0 && (block.having || block.columns.some((c) => containsAggregate(c.expr)))) return false;
  return block.orderBy.every((o) => o.expr.kind !== 'literal' && !(o.expr.kind === 'column' && o.expr.scanId === undefined));
}

/** the block with only the items whose output name `keep` holds (one constant when none) */
function keepOutputs(block: Select, keep: (name: string) => boolean): Select {
  const names = outputNames(block);
  if (!names || block.columns.some((c) => c.expr.kind === 'star')) return block;
  const columns: SelectItem[] = [];
  const types: Select['outputTypes'] = [];
  block.columns.forEach((item, i) => {
    if (!keep(names[i]!.toLowerCase())) return;
    // a kept item keeps its name: an unaliased one was named by its position (`column3`)
    columns.push(item.alias === undefined && names[i] !== undefined ? { expr: item.expr, alias: names[i] } : item);
    types.push(block.outputTypes[i]!);
  });
  if (columns.length === block.columns.length) return block;
  if (columns.length === 0) {
    const one: Expr = { kind: 'literal', type: 'number', value: '1', sqlType: { name: 'int' } };
    columns.push({ expr: one, alias: names[0] });
    types.push(one.sqlType);
  }
  return { ...block, columns, outputTypes: types };
}

export function pruneUnusedOutputs(query: Query): Query {
  const read = namesRead(query);
  const unqualified = read.get('') ?? new Set<string>();
  const readThrough = (aliases: string[]) => (name: string) => unqualified.has(name) || aliases.some((a) => read.get(a)?.has(name));
  // the aliases each CTE is read under
  const cteAliases = new Map<string, string[]>();
  forEachNode(query, (node) => {
    if (node.kind !== 'cteRef') return;
    const name = String(node.name).toLowerCase();
    cteAliases.set(name, [...(cteAliases.get(name) ?? []), String(node.alias).toLowerCase()]);
  });
  return mapTree(query, (node) => {
    if (node.kind === 'derived') {
      const sub = node.query as Query;
      if (!prunable(sub)) return node;
      const pruned = keepOutputs(sub, readThrough([String(node.alias).toLowerCase()]));
      return pruned === sub ? node : { ...node, query: pruned };
    }
    if (Array.isArray(node.with) && node.with.length > 0) {
      let changed = false;
      const withs = (node.with as Cte[]).map((cte) => {
        if (cte.columns || cte.recursive || !prunable(cte.query)) return cte;
        const pruned = keepOutputs(cte.query, readThrough(cteAliases.get(cte.name.toLowerCase()) ?? []));
        if (pruned === cte.query) return cte;
        changed = true;
        return { ...cte, query: pruned };
      });
      return changed ? { ...node, with: withs } : node;
    }
    return node;
  });
}
