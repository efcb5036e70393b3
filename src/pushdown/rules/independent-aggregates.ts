/**
 * Rule: the aggregates of an ungrouped SELECT over one table are independent of one another. Each
 * is computed over the same rows (the table filtered by the WHERE) and each gives one value, so
 * they may be computed by separate statements over those rows and set side by side in the one row.
 *
 * Before: `SELECT count(DISTINCT name) AS n, max(name) AS m FROM account WHERE statecode = 0`
 * After:  `SELECT count(DISTINCT name) AS n FROM account WHERE statecode = 0` and
 *         `SELECT max(name) AS m FROM account WHERE statecode = 0`, each one row, read as (n, m).
 *
 * It does not apply (and says why) when
 * - the statement has a WITH, a FROM other than one table (a join, a derived table), or reads a
 *   second table anywhere (a subquery): the parts would each read it again;
 * - it groups (GROUP BY: each part would have its own groups) or has HAVING (it filters the one
 *   row by values that parts compute apart);
 * - it has DISTINCT, ORDER BY, TOP or OFFSET over its row (TOP 0 empties it);
 * - a select item is not an aggregate of the table's columns (a constant, a window function,
 *   an expression over more than one aggregate call, or a subquery);
 * - it has fewer than two select items (there is nothing to split).
 * The parts keep the WHERE as written, so each reads the same rows as the whole.
 */
import type { BoundQuery, Expr, Scan, Select } from '../../plan/index.js';
import { containsAggregate, functionKind } from '../../plan/index.js';
import { forEachNode } from './map-tree.js';

/** the aggregate calls of an expression, outside any window (a subquery's are not its own) */
function aggregateCalls(expr: Expr, into: Expr[] = []): Expr[] {
  if (expr.kind === 'function' && !expr.over && functionKind(expr.name) === 'aggregate') {
    into.push(expr);
    return into;
  }
  forEachChild(expr, (child) => aggregateCalls(child, into));
  return into;
}

function forEachChild(expr: Expr, visit: (e: Expr) => void): void {
  switch (expr.kind) {
    case 'binary': visit(expr.left); visit(expr.right); break;
    case 'unary': visit(expr.operand); break;
    case 'isNull': case 'cast': visit(expr.expr); break;
    case 'between': visit(expr.expr); visit(expr.low); visit(expr.high); break;
    case 'inList': visit(expr.expr); expr.list.forEach(visit); break;
    case 'like': visit(expr.expr); visit(expr.pattern); if (expr.escape) visit(expr.escape); break;
    case 'case': if (expr.operand) visit(expr.operand); expr.whens.forEach((w) => { visit(w.when); visit(w.then); }); if (expr.else) visit(expr.else); break;
    case 'function': expr.args.forEach(visit); break;
    default: break;
  }
}

/** true when the expression holds a window function, a subquery or an EXISTS / IN (SELECT …) */
function readsMoreThanItsRows(expr: Expr): boolean {
  let found = false;
  forEachNode(expr, (node) => {
    if (node.kind === 'subquery' || node.kind === 'exists' || node.kind === 'inQuery' || (node.kind === 'function' && node.over)) found = true;
  });
  return found;
}

export interface IndependentAggregates {
  block: Select;
  scan: Scan;
}

/** the statement's block and table when its select items may be computed apart, or why not */
export function independentAggregates(bound: BoundQuery): IndependentAggregates | string {
  const block = bound.query;
  if (block.kind !== 'select') return 'a set operation';
  if (block.with.length > 0) return 'the statement has a WITH';
  if (block.from?.kind !== 'scan' || bound.scans.length !== 1) return 'the statement reads more than one table, a derived table or a subquery';
  const scan = bound.scans[0]!;
  if (scan.source !== 'remote' || scan.id !== block.from.scanId) return 'the table is not read from the service';
  if (block.groupBy.length > 0) return 'the statement groups (GROUP BY)';
  if (block.having) return 'HAVING filters the row by values the parts compute apart';
  if (block.distinct || block.orderBy.length > 0 || block.limit || block.offset) return 'DISTINCT, ORDER BY, TOP or OFFSET over the row';
  if (block.columns.length < 2) return 'one select item';
  if (block.where && readsMoreThanItsRows(block.where)) return 'the WHERE holds a subquery';
  for (const item of block.columns) {
    if (item.expr.kind === 'star' || !containsAggregate(item.expr) || readsMoreThanItsRows(item.expr)) return 'a select item is not an aggregate of the table';
    if (aggregateCalls(item.expr).length !== 1) return 'a select item combines several aggregates';
  }
  return { block, scan };
}

/** the statement of the select items at `indexes` alone, over the same table and WHERE */
export function aggregatePart(bound: BoundQuery, found: IndependentAggregates, indexes: readonly number[]): BoundQuery {
  const query: Select = {
    ...found.block,
    columns: indexes.map((i) => found.block.columns[i]!),
    outputTypes: indexes.map((i) => found.block.outputTypes[i]!),
  };
  return { query, scans: bound.scans, outputNames: indexes.map((i) => bound.outputNames[i]!), outputTypes: indexes.map((i) => bound.outputTypes[i]!) };
}
