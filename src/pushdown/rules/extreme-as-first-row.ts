/**
 * Rule: MIN / MAX of a text column is the first of its non-null values in the column's order
 * (MAX: descending), so it may be read as one row instead of aggregated. Past the 50,000-row
 * aggregate limit this matters: FetchXML has no MIN / MAX of text, and the service refuses the
 * `$apply` over that many rows, but it orders and returns the first row of any number of rows.
 *
 * Before: `SELECT max(name) AS m FROM account WHERE statecode = 0`
 * After:  `SELECT TOP 1 name AS m FROM account WHERE statecode = 0 AND name IS NOT NULL ORDER BY name DESC`,
 *         read as a scalar subquery: no row (no non-null value) is NULL, as MAX over no value is.
 *
 * Preconditions:
 * - the statement is one ungrouped aggregate over one table with no DISTINCT, HAVING, ORDER BY,
 *   TOP or OFFSET (a part of independent aggregates: rules/independent-aggregates.ts), and its one
 *   select item is MIN or MAX (with or without DISTINCT, which changes neither) of a column of that
 *   table as it is: not an expression, whose order the service might not apply;
 * - the column is text (`Edm.String`): numbers and dates past the limit are FetchXML aggregates by
 *   parts already (fetchxml/split.ts);
 * - the answer is exact only when the service orders the column by the collation MIN / MAX compare
 *   under (case and trailing blanks ignored): it does for text, the order being SQL Server's. Which
 *   of the spellings the collation calls equal ('Zed', 'ZED ') comes back is the service's choice,
 *   as it is for MAX in T-SQL and in the local engine (arg_max over the folded value);
 * - the caller checks that the planned statement orders and takes its first row on the service
 *   (`isFirstRowRead`): a column the service cannot order (a multi-select choice) is refused there.
 */
import type { BoundQuery, Call, ColumnRef, Expr, Select } from '../../plan/index.js';
import type * as P from '../../plan/index.js';
import { BOOLEAN, INT } from '../../types/sql-type.js';

/** the MIN / MAX call of `bound` when the rule applies to it */
function extremeOfText(bound: BoundQuery): { call: Call; column: ColumnRef; descending: boolean } | undefined {
  const block = bound.query;
  if (block.kind !== 'select' || block.from?.kind !== 'scan' || bound.scans.length !== 1 || block.columns.length !== 1) return undefined;
  if (block.with.length > 0 || block.groupBy.length > 0 || block.having || block.distinct || block.orderBy.length > 0 || block.limit || block.offset) return undefined;
  const call = block.columns[0]!.expr;
  if (call.kind !== 'function' || call.over || (call.name !== 'MIN' && call.name !== 'MAX') || call.args.length !== 1) return undefined;
  const column = call.args[0]!;
  if (column.kind !== 'column' || column.scanId !== block.from.scanId || column.column?.edmType !== 'Edm.String') return undefined;
  return { call, column, descending: call.name === 'MAX' };
}

/** the statement as its first row in the column's order, or undefined when the rule does not apply */
export function extremeAsFirstRow(bound: BoundQuery): BoundQuery | undefined {
  const found = extremeOfText(bound);
  if (!found) return undefined;
  const block = bound.query as Select;
  const notNull: Expr = { kind: 'isNull', expr: found.column, negated: true, sqlType: BOOLEAN };
  const where: Expr = block.where ? { kind: 'binary', op: 'AND', left: block.where, right: notNull, sqlType: BOOLEAN } : notNull;
  const query: Select = {
    ...block,
    columns: [{ ...block.columns[0]!, expr: found.column }],
    where,
    orderBy: [{ expr: found.column, descending: found.descending }],
    limit: { kind: 'literal', type: 'number', value: '1', sqlType: INT },
  };
  return { ...bound, query };
}

/**
 * The planned first-row statement answered whole by one request (no local step: its order, its
 * IS NOT NULL and its TOP 1 all went to the service), which no aggregate limit refuses.
 */
export function isFirstRowRead(plan: P.PhysicalPlan): boolean {
  const step = plan.scans.length === 1 ? plan.scans[0] : undefined;
  return plan.output.kind === 'direct' && step?.kind === 'remoteScan' && !step.aggregateOutputs && !step.countOnly && !step.fetchXml?.aggregate && !step.keyChunks;
}
