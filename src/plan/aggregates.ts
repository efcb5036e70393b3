/**
 * Whether an expression aggregates: it holds an aggregate call outside any window or subquery.
 * Binding refuses one in WHERE; the local renderer groups DISTINCT rows itself only when none does.
 *
 * `containsAggregate(<COUNT(*) + 1>)` → true; `containsAggregate(<SUM(x) OVER ()>)` → false.
 */
import { functionDef } from './functions.js';
import type { Expr } from './logical.js';

export function containsAggregate(expr: Expr): boolean {
  switch (expr.kind) {
    case 'function':
      if (!expr.over && functionDef(expr.name)?.kind === 'aggregate') return true;
      return expr.args.some(containsAggregate);
    case 'binary': return containsAggregate(expr.left) || containsAggregate(expr.right);
    case 'unary': return containsAggregate(expr.operand);
    case 'like': return containsAggregate(expr.expr) || containsAggregate(expr.pattern);
    case 'inList': return containsAggregate(expr.expr) || expr.list.some(containsAggregate);
    case 'inQuery': return containsAggregate(expr.expr);
    case 'between': return [expr.expr, expr.low, expr.high].some(containsAggregate);
    case 'isNull': return containsAggregate(expr.expr);
    case 'case': return expr.whens.some((w) => containsAggregate(w.when) || containsAggregate(w.then))
      || (expr.operand ? containsAggregate(expr.operand) : false) || (expr.else ? containsAggregate(expr.else) : false);
    case 'cast': return containsAggregate(expr.expr);
    default: return false;
  }
}
