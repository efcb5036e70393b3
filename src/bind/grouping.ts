/**
 * The errors a grouped or DISTINCT SELECT has whatever its rows are, raised while binding, so that no
 * request is sent for a statement that cannot run (issue 18). The rules are SQL Server's (and
 * PostgreSQL's, which agree here):
 * - in a grouped SELECT (GROUP BY, HAVING, or an aggregate in the select list, HAVING or ORDER BY)
 *   every column of the SELECT's own tables outside an aggregate must be a GROUP BY expression or
 *   part of one: `SELECT name, MIN(industrycode) FROM account` (Msg 8120);
 * - an aggregate may not hold another: `MAX(COUNT(*))` (Msg 130);
 * - with SELECT DISTINCT, ORDER BY may only name what the select list holds (Msg 145).
 * Subqueries are checked when they are bound; columns of an outer query are constants here.
 *
 * `checkGrouping(<SELECT name, MIN(industrycode) FROM account>)` throws DYNASQL_ERR_GROUPING naming `name`.
 */
import { DynasqlError } from '../errors/index.js';
import { containsAggregate, functionDef } from '../plan/index.js';
import type * as P from '../plan/index.js';

export function checkGrouping(select: P.Select): void {
  const own = ownTables(select.from);
  const expressions = [...select.columns.map((c) => c.expr), ...(select.having ? [select.having] : []), ...select.orderBy.map((o) => o.expr)];
  for (const expr of expressions) refuseNestedAggregates(expr);
  const grouped = select.groupBy.length > 0 || select.having !== undefined || expressions.some(containsAggregate);
  if (grouped) {
    const keys = new Set(select.groupBy.map(exprKey));
    const check = (expr: P.Expr, clause: string) => {
      const ungrouped = ungroupedColumn(expr, keys, own);
      if (ungrouped) {
        const name = ungrouped.qualifier ? `${ungrouped.qualifier}.${ungrouped.name}` : ungrouped.name;
        throw new DynasqlError('DYNASQL_ERR_GROUPING', `Column '${name}' is invalid in the ${clause} because it is not contained in either an aggregate function or the GROUP BY clause`);
      }
    };
    for (const c of select.columns) check(c.expr, 'select list');
    if (select.having) check(select.having, 'HAVING clause');
    for (const o of select.orderBy) check(o.expr, 'ORDER BY clause');
  }
  if (select.distinct) {
    const selected = new Set(select.columns.flatMap((c) => (c.expr.kind === 'star' ? (c.expr.expansion ?? []) : [c.expr])).map(exprKey));
    for (const o of select.orderBy) {
      if (!selected.has(exprKey(o.expr)) && readsOwnColumn(o.expr, own)) {
        throw new DynasqlError('DYNASQL_ERR_GROUPING', 'ORDER BY items must appear in the select list if SELECT DISTINCT is specified');
      }
    }
  }
}

/** the scans and the derived tables / CTEs (by alias) this SELECT reads itself */
interface OwnTables { scans: Set<number>; aliases: Set<string> }

function ownTables(from: P.FromRef | undefined, into: OwnTables = { scans: new Set(), aliases: new Set() }): OwnTables {
  if (!from) return into;
  switch (from.kind) {
    case 'scan': into.scans.add(from.scanId); into.aliases.add(from.alias.toLowerCase()); break;
    case 'derived': case 'cteRef': into.aliases.add(from.alias.toLowerCase()); break;
    case 'join': ownTables(from.left, into); ownTables(from.right, into); break;
  }
  return into;
}

function isOwnColumn(c: P.ColumnRef, own: OwnTables): boolean {
  if (c.scanId !== undefined) return own.scans.has(c.scanId);
  return c.qualifier !== undefined && own.aliases.has(c.qualifier.toLowerCase());
}

function isAggregateCall(expr: P.Expr): boolean {
  return expr.kind === 'function' && !expr.over && functionDef(expr.name)?.kind === 'aggregate';
}

function refuseNestedAggregates(expr: P.Expr): void {
  visit(expr, (e) => {
    if (isAggregateCall(e) && (e as P.Call).args.some(containsAggregate)) {
      throw new DynasqlError('DYNASQL_ERR_GROUPING', `Cannot perform an aggregate function on an expression containing an aggregate: ${(e as P.Call).name}(…)`);
    }
    return true;
  });
}

/** the first own column of `expr` outside every aggregate and every GROUP BY expression */
function ungroupedColumn(expr: P.Expr, keys: Set<string>, own: OwnTables): P.ColumnRef | undefined {
  let found: P.ColumnRef | undefined;
  visit(expr, (e) => {
    if (found || keys.has(exprKey(e)) || isAggregateCall(e)) return false;
    if (e.kind === 'column' && isOwnColumn(e, own)) found = e;
    return true;
  });
  return found;
}

function readsOwnColumn(expr: P.Expr, own: OwnTables): boolean {
  let reads = false;
  visit(expr, (e) => {
    if (e.kind === 'column' && isOwnColumn(e, own)) reads = true;
    return !reads;
  });
  return reads;
}

/** calls `enter` on `expr` and, while it returns true, on its parts (not into subqueries) */
export function visit(expr: P.Expr, enter: (e: P.Expr) => boolean): void {
  if (!enter(expr)) return;
  const parts: (P.Expr | undefined)[] = [];
  switch (expr.kind) {
    case 'binary': parts.push(expr.left, expr.right); break;
    case 'unary': parts.push(expr.operand); break;
    case 'like': parts.push(expr.expr, expr.pattern, expr.escape); break;
    case 'inList': parts.push(expr.expr, ...expr.list); break;
    case 'inQuery': parts.push(expr.expr); break;
    case 'between': parts.push(expr.expr, expr.low, expr.high); break;
    case 'isNull': parts.push(expr.expr); break;
    case 'case': parts.push(expr.operand, ...expr.whens.flatMap((w) => [w.when, w.then]), expr.else); break;
    case 'cast': parts.push(expr.expr); break;
    case 'function':
      parts.push(...expr.args, ...(expr.over ? [...expr.over.partitionBy, ...expr.over.orderBy.map((o) => o.expr)] : []), ...(expr.withinGroup ?? []).map((o) => o.expr));
      break;
    case 'star': parts.push(...(expr.expansion ?? [])); break;
    default: break;
  }
  for (const part of parts) if (part) visit(part, enter);
}

/** an expression's identity for matching GROUP BY keys: its shape, columns by scan (or qualifier) and name in any case */
function exprKey(expr: P.Expr): string {
  return JSON.stringify(expr, function (this: Record<string, unknown>, key, value: unknown) {
    if (key === 'sqlType' || key === 'column' || key === 'expansion') return undefined;
    // a scan's column is the same written with or without its table's alias
    if (key === 'qualifier' && this.kind === 'column' && this.scanId !== undefined) return undefined;
    if ((key === 'name' || key === 'qualifier') && this.kind === 'column' && typeof value === 'string') return value.toLowerCase();
    return value;
  });
}
