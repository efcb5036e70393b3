/**
 * A condition on a query's output columns, written so that it can be carried into the query: its
 * template is the condition as the outer block wrote it, and each slot is one of its column
 * references with the position of the output column it names. Substituting the query's select
 * items for the slots gives the same condition one level down.
 *
 * `SELECT … FROM (SELECT accountid, name FROM account) a WHERE a.name = 'Data8'` → template
 * `a.name = 'Data8'` with slot `a.name` → output 2; substituted into the inner block: `name = 'Data8'`
 * over the scan of account.
 */
import type { ColumnRef, Expr, Query } from '../../plan/index.js';
import { outputName } from '../../plan/index.js';

export interface OutputPredicate {
  template: Expr;
  /** each column reference of the template → the 0-based output column it names */
  slots: ReadonlyMap<ColumnRef, number>;
}

/** the subexpressions of an expression, in no particular order (catalog objects and types are not walked) */
function children(expr: Expr): Expr[] {
  switch (expr.kind) {
    case 'binary': return [expr.left, expr.right];
    case 'unary': return [expr.operand];
    case 'like': return expr.escape ? [expr.expr, expr.pattern, expr.escape] : [expr.expr, expr.pattern];
    case 'inList': return [expr.expr, ...expr.list];
    case 'between': return [expr.expr, expr.low, expr.high];
    case 'isNull': case 'cast': return [expr.expr];
    case 'case': return [...(expr.operand ? [expr.operand] : []), ...expr.whens.flatMap((w) => [w.when, w.then]), ...(expr.else ? [expr.else] : [])];
    case 'function': return expr.args;
    default: return [];
  }
}

/**
 * `expr` as a condition on the outputs (named `names`) of the source `alias`, or undefined when it
 * reads anything else: another source, an outer query, a subquery, a window, or an output name
 * the source has twice.
 *
 * `d.name = 'x'` over `d` with outputs [accountid, name] → template `d.name = 'x'`, slot → 1;
 * `d.name = c.fullname` → undefined (it reads `c` too).
 */
export function outputPredicate(expr: Expr, alias: string, names: readonly string[]): OutputPredicate | undefined {
  const source = alias.toLowerCase();
  const slots = new Map<ColumnRef, number>();
  const visit = (e: Expr): boolean => {
    if (e.kind === 'inQuery' || e.kind === 'exists' || e.kind === 'subquery' || e.kind === 'star') return false;
    if (e.kind === 'function' && (e.over || e.withinGroup)) return false;
    if (e.kind === 'column') {
      if (e.scanId !== undefined || e.qualifier?.toLowerCase() !== source) return false;
      const name = e.name.toLowerCase();
      const positions = names.flatMap((n, i) => (n.toLowerCase() === name ? [i] : []));
      if (positions.length !== 1) return false;
      slots.set(e, positions[0]!);
      return true;
    }
    return children(e).every(visit);
  };
  return visit(expr) && slots.size > 0 ? { template: expr, slots } : undefined;
}

/**
 * The template with `items[slot]` in place of each slot; the other nodes are copied (nothing of
 * the outer statement is shared with the result), the items themselves are shared.
 */
export function substitute(predicate: OutputPredicate, items: readonly Expr[]): Expr {
  const copy = (e: Expr): Expr => {
    if (e.kind === 'column') {
      const slot = predicate.slots.get(e);
      return slot === undefined ? e : items[slot]!;
    }
    switch (e.kind) {
      case 'binary': return { ...e, left: copy(e.left), right: copy(e.right) };
      case 'unary': return { ...e, operand: copy(e.operand) };
      case 'like': return { ...e, expr: copy(e.expr), pattern: copy(e.pattern), ...(e.escape ? { escape: copy(e.escape) } : {}) };
      case 'inList': return { ...e, expr: copy(e.expr), list: e.list.map(copy) };
      case 'between': return { ...e, expr: copy(e.expr), low: copy(e.low), high: copy(e.high) };
      case 'isNull': case 'cast': return { ...e, expr: copy(e.expr) };
      case 'case': return {
        ...e, ...(e.operand ? { operand: copy(e.operand) } : {}),
        whens: e.whens.map((w) => ({ when: copy(w.when), then: copy(w.then) })), ...(e.else ? { else: copy(e.else) } : {}),
      };
      case 'function': return { ...e, args: e.args.map(copy) };
      default: return { ...e };
    }
  };
  return copy(predicate.template);
}

/** a constant of the statement: a literal or a parameter */
function isConstant(e: Expr): boolean {
  return e.kind === 'literal' || e.kind === 'param';
}

/**
 * Whether the condition gives the same answer for values the collation calls equal ('Mark',
 * 'MARK', 'Mark  '), so that it may pass below a DISTINCT, a GROUP BY or a UNION, which keep one
 * of them: comparisons, IN, BETWEEN and IS NULL of one output column with constants, and AND / OR
 * / NOT of those. LIKE is not (trailing blanks count there), nor is any function of a value.
 *
 * `d.name = 'mark' OR d.name IS NULL` → true; `d.name LIKE 'M%'` → false; `LEN(d.name) = 4` → false.
 */
export function sameForEqualValues(predicate: OutputPredicate): boolean {
  const slot = (e: Expr) => e.kind === 'column' && predicate.slots.has(e);
  const stable = (e: Expr): boolean => {
    switch (e.kind) {
      case 'binary':
        if (e.op === 'AND' || e.op === 'OR') return stable(e.left) && stable(e.right);
        if (['=', '<>', '<', '<=', '>', '>='].includes(e.op)) return (slot(e.left) && isConstant(e.right)) || (isConstant(e.left) && slot(e.right));
        return false;
      case 'unary': return e.op === 'NOT' && stable(e.operand);
      case 'inList': return slot(e.expr) && e.list.every(isConstant);
      case 'between': return slot(e.expr) && isConstant(e.low) && isConstant(e.high);
      case 'isNull': return slot(e.expr);
      default: return false;
    }
  };
  return stable(predicate.template);
}

/**
 * The output column names of a query as the binder names them (bind.ts: an alias, a column's name,
 * `outputName` for the rest, each `*` its expansion), or undefined when a `*` was not expanded.
 * A set operation's columns are its left side's.
 */
export function outputNames(query: Query): string[] | undefined {
  if (query.kind === 'setop') return outputNames(query.left);
  const names: string[] = [];
  for (const [index, item] of query.columns.entries()) {
    if (item.expr.kind === 'star') {
      if (!item.expr.expansion) return undefined;
      names.push(...item.expr.expansion.map((c) => c.name));
    } else {
      names.push(item.alias ?? outputName(item.expr, index));
    }
  }
  return names;
}

/** a query's output columns as expressions (each `*` its expansion), or undefined when a `*` was not expanded */
export function outputExprs(query: Query & { kind: 'select' }): Expr[] | undefined {
  const out: Expr[] = [];
  for (const item of query.columns) {
    if (item.expr.kind !== 'star') out.push(item.expr);
    else if (item.expr.expansion) out.push(...item.expr.expansion);
    else return undefined;
  }
  return out;
}
