/**
 * Rule: a condition on a SELECT block's outputs passes into the block as a condition on its FROM
 * sources, where that gives the block the same result rows it had with the condition above it.
 *
 * Before: `SELECT … FROM (SELECT accountid, name FROM account) a WHERE a.name = 'Data8'`
 * After:  the inner block reads `account` with the extra condition `name = 'Data8'` (the outer
 *         condition stays where it is: the rule only lets fewer rows come up).
 *
 * It does not apply (and says why) when the block
 * - limits its rows (TOP / OFFSET: the first n rows of fewer rows are other rows);
 * - computes a window function (its inputs would change);
 * - aggregates without GROUP BY (one row whatever is filtered), or the condition reads an output
 *   that is not a grouping column;
 * - deduplicates (DISTINCT, GROUP BY) and the condition could tell apart values the collation calls
 *   equal (`sameForEqualValues`);
 * - computes the output the condition reads (`revenue * 2`, `NEWID()`): only plain columns pass,
 *   so no expression is evaluated a second time, and none that differs per evaluation.
 */
import type { ColumnRef, Expr, Select } from '../../plan/index.js';
import { containsAggregate } from '../../plan/index.js';
import { outputExprs, sameForEqualValues, substitute, type OutputPredicate } from './output-predicate.js';

export type RuleResult = { ok: true; condition: Expr } | { ok: false; reason: string };

function hasWindow(expr: Expr): boolean {
  switch (expr.kind) {
    case 'function': return expr.over !== undefined || expr.args.some(hasWindow);
    case 'binary': return hasWindow(expr.left) || hasWindow(expr.right);
    case 'unary': return hasWindow(expr.operand);
    case 'cast': case 'isNull': return hasWindow(expr.expr);
    case 'case': return expr.whens.some((w) => hasWindow(w.when) || hasWindow(w.then)) || (expr.operand ? hasWindow(expr.operand) : false) || (expr.else ? hasWindow(expr.else) : false);
    case 'like': return hasWindow(expr.expr) || hasWindow(expr.pattern);
    case 'inList': return hasWindow(expr.expr) || expr.list.some(hasWindow);
    case 'between': return hasWindow(expr.expr) || hasWindow(expr.low) || hasWindow(expr.high);
    default: return false;
  }
}

function sameColumn(a: ColumnRef, b: Expr): boolean {
  return b.kind === 'column' && a.scanId === b.scanId && a.name.toLowerCase() === b.name.toLowerCase()
    && (a.scanId !== undefined || a.qualifier?.toLowerCase() === b.qualifier?.toLowerCase());
}

export function throughSelect(predicate: OutputPredicate, block: Select): RuleResult {
  if (block.limit || block.offset) return { ok: false, reason: 'the block limits its rows (TOP / OFFSET)' };
  if (block.columns.some((c) => hasWindow(c.expr)) || block.orderBy.some((o) => hasWindow(o.expr))) {
    return { ok: false, reason: 'the block computes a window function over its rows' };
  }
  const aggregates = block.columns.some((c) => containsAggregate(c.expr)) || block.having !== undefined;
  if (aggregates && block.groupBy.length === 0) return { ok: false, reason: 'the block aggregates all its rows into one' };
  const items = outputExprs(block);
  if (!items) return { ok: false, reason: 'the block has an unexpanded *' };
  for (const slot of new Set(predicate.slots.values())) {
    const item = items[slot];
    if (item?.kind !== 'column') return { ok: false, reason: 'the condition reads a computed output' };
    if (block.groupBy.length > 0 && !block.groupBy.some((g) => sameColumn(item, g))) {
      return { ok: false, reason: `the condition reads ${item.name}, which is not a grouping column` };
    }
  }
  if ((block.distinct || block.groupBy.length > 0) && !sameForEqualValues(predicate)) {
    return { ok: false, reason: 'the block deduplicates, and the condition could tell equal values apart' };
  }
  return { ok: true, condition: substitute(predicate, items) };
}
