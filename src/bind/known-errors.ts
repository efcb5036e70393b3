/**
 * Errors a query has whatever its rows are, raised while binding so that no request is sent for a
 * statement that must fail (issue 18). Each of these was found only by the local engine, after every
 * row had been fetched, and most surfaced as internal errors:
 *
 *   SELECT name FROM account ORDER BY 3                       → the select list has 1 column
 *   SELECT NTILE(0) OVER (ORDER BY name) FROM account         → NTILE takes a positive number
 *   SELECT name FROM account WHERE name LIKE 'a' ESCAPE 'ab'  → ESCAPE is one character
 *   SELECT name FROM account WHERE NOT name                   → NOT needs a condition (as does IIF's first argument)
 *   … ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING                → the frame starts after it ends
 *
 * The grouping rules (a column outside GROUP BY and the aggregates) are in grouping.ts.
 */
import { DynasqlError } from '../errors/index.js';
import type * as P from '../plan/index.js';
import { formatType, isBoolean, isNullType } from '../types/index.js';
import { visit } from './grouping.js';

type Dialect = 'tsql' | 'postgresql';

/** the checks of one SELECT block's own expressions (its subqueries are bound, and checked, on their own) */
export function checkKnownErrors(select: P.Select, dialect: Dialect): void {
  const exprs: (P.Expr | undefined)[] = [
    ...select.columns.map((c) => c.expr), select.where, ...select.groupBy, select.having, ...select.orderBy.map((o) => o.expr), ...joinConditions(select.from),
  ];
  for (const expr of exprs) if (expr) visit(expr, (e) => (checkExpr(e, dialect), true));
  checkOrderPositions(select.orderBy, select.outputTypes.length);
}

/** ORDER BY of a UNION / EXCEPT / INTERSECT: positions within its columns */
export function checkSetOperationOrder(query: P.SetOperation): void {
  checkOrderPositions(query.orderBy, query.outputTypes.length);
}

function joinConditions(from: P.FromRef | undefined): P.Expr[] {
  if (from?.kind !== 'join') return [];
  return [...joinConditions(from.left), ...joinConditions(from.right), ...(from.on ? [from.on] : [])];
}

/** `ORDER BY 3` names the third output column (both dialects); one past the list is an error */
function checkOrderPositions(orderBy: readonly P.OrderItem[], columns: number): void {
  for (const item of orderBy) {
    const e = item.expr;
    if (e.kind !== 'literal' || e.type !== 'number' || !/^\d+$/.test(String(e.value))) continue;
    const position = Number(e.value);
    if (position < 1 || position > columns) {
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The ORDER BY position number ${position} is out of range of the number of items in the select list (${columns})`);
    }
  }
}

function isCondition(type: P.Expr['sqlType'], dialect: Dialect): boolean {
  return isBoolean(type) || isNullType(type) || (dialect === 'postgresql' && type.name === 'bit');
}

function checkExpr(e: P.Expr, dialect: Dialect): void {
  switch (e.kind) {
    case 'unary':
      if (e.op === 'NOT' && !isCondition(e.operand.sqlType, dialect)) {
        throw new DynasqlError('DYNASQL_ERR_TYPE', `NOT needs a condition (such as a = b), not a value of type ${formatType(e.operand.sqlType)}`);
      }
      return;
    case 'like': {
      if (e.escape?.kind === 'literal' && typeof e.escape.value === 'string' && e.escape.value.length !== 1) {
        throw new DynasqlError('DYNASQL_ERR_SYNTAX', `ESCAPE needs a single character, not '${e.escape.value}'`);
      }
      return;
    }
    case 'function':
      checkCall(e, dialect);
      return;
    default:
      return;
  }
}

function checkCall(e: P.Call, dialect: Dialect): void {
  const first = e.args[0];
  if (e.name === 'IIF' && first && !isCondition(first.sqlType, dialect)) {
    throw new DynasqlError('DYNASQL_ERR_TYPE', `IIF needs a condition (such as a = b) first, not a value of type ${formatType(first.sqlType)}`);
  }
  if (e.name === 'NTILE' && first?.kind === 'literal' && first.type === 'number' && !(Number(first.value) >= 1)) {
    throw new DynasqlError('DYNASQL_ERR_INVALID_ARGUMENT', `NTILE takes a positive whole number of groups, not ${String(first.value)}`);
  }
  if (e.over?.frame) checkFrame(e.over.frame);
}

/** a frame bound's place: UNBOUNDED PRECEDING < n PRECEDING < CURRENT ROW < n FOLLOWING < UNBOUNDED FOLLOWING */
function boundRank(text: string): number | undefined {
  const t = text.trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === 'UNBOUNDED PRECEDING') return -Infinity;
  if (t === 'UNBOUNDED FOLLOWING') return Infinity;
  if (t === 'CURRENT ROW') return 0;
  const m = /^(\d+) (PRECEDING|FOLLOWING)$/.exec(t);
  if (!m) return undefined;
  return m[2] === 'PRECEDING' ? -Number(m[1]) - 0.5 : Number(m[1]) + 0.5;
}

/**
 * The SQL standard's rules for a frame's bounds, which both dialects follow: it cannot start at
 * UNBOUNDED FOLLOWING nor end at UNBOUNDED PRECEDING, and a start that FOLLOWS cannot have an end
 * that PRECEDES or is the current row (nor CURRENT ROW an end that PRECEDES). Two PRECEDING or two
 * FOLLOWING bounds in either order are allowed: an empty frame.
 */
function checkFrame(frame: string): void {
  const m = /\bBETWEEN\s+(.+?)\s+AND\s+(.+)$/i.exec(frame.trim());
  const start = boundRank(m ? m[1]! : frame.replace(/^\s*(ROWS|RANGE|GROUPS)\s+/i, ''));
  const end = m ? boundRank(m[2]!) : 0;
  if (start === undefined || end === undefined) return;
  const side = (rank: number) => (rank < 0 ? -1 : rank > 0 ? 1 : 0);
  if (start === Infinity || end === -Infinity || side(start) > side(end)) {
    throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The window frame ${frame.trim()} starts after it ends`);
  }
}
