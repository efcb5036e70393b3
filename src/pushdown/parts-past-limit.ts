/**
 * An ungrouped aggregate the service refuses (50,000 rows) and no split of its one request answers
 * (distinct counts of two columns: no range column keeps both columns' values in one part, and one
 * grouping would multiply their groups), answered by parts each of which is answered by a split:
 * the statement's aggregates in as few FetchXML aggregates as keep a split each
 * (aggregate-parts.ts, rules/independent-aggregates.ts), each read by parts over ranges
 * (connection/fetchxml-split.ts) and set side by side in the one row.
 *
 * `SELECT COUNT(DISTINCT name) AS n, COUNT(DISTINCT address1_city) AS c, COUNT(*) AS r FROM account`
 * → part1 (n, r): the names grouped per range of createdon, merged and counted, and the counts added
 * up; part2 (c): the cities the same way.
 *
 * Preconditions: the plan reads a FetchXML aggregate that has no split; the statement's aggregates
 * are independent (rules/independent-aggregates.ts: one table, no GROUP BY, …); every part is a
 * FetchXML aggregate with a split, or a MIN / MAX of text (which FetchXML does not compute) read as
 * the first row in the column's order (rules/extreme-as-first-row.ts), which no limit refuses; any
 * other part leaves the plan as it was. The parts go by ranges from the start: the service refused
 * the whole over the same rows, and the limit counts rows, not aggregates. Refused still, every row
 * is read (the plan's own last resort).
 *
 * `SELECT count(*), count(DISTINCT name), max(name), min(name) FROM account` over 200,000 accounts →
 * part1 (count, count_2) by ranges of createdon; part2 `accounts?$select=name&$filter=name ne null&$orderby=name desc&$top=1`
 * (in FetchXML when the statement is); part3 the same ascending: a handful of requests and rows.
 */
import type * as P from '../plan/index.js';
import { aggregateByParts, answeredByOneAggregate } from './aggregate-parts.js';
import { extremeAsFirstRow, isFirstRowRead } from './rules/extreme-as-first-row.js';

/**
 * An aggregate the service would refuse past the limit with no parts to answer it: a FetchXML
 * aggregate with no split, or an OData one (`$apply`) that FetchXML does not answer by parts either
 * (remote-language.ts), MAX of text being one of them.
 */
function refusedWithoutSplit(plan: P.PhysicalPlan): boolean {
  const fallbackSplits = plan.fallback?.scans.some((s) => s.kind === 'remoteScan' && s.fetchXml?.split) ?? false;
  return plan.scans.some((s) => s.kind === 'remoteScan' && ((s.fetchXml?.aggregate === true && !s.fetchXml.split) || (s.aggregateOutputs !== undefined && !fallbackSplits)));
}

function answeredBySplit(plan: P.PhysicalPlan): boolean {
  return answeredByOneAggregate(plan) && (plan.scans[0] as P.RemoteScanStep).fetchXml?.split !== undefined;
}

/**
 * `plan` with, between it and its last resort, the parts answered by splits (or the first-row read
 * that answers a lone MIN / MAX of text); `plan` unchanged when the preconditions do not hold.
 * `planFetchXml` plans a part as a FetchXML statement; the caller passes none where the edition has
 * no FetchXML or the connection forces OData.
 */
export function withPartsPastTheLimit(bound: P.BoundQuery, plan: P.PhysicalPlan, planFetchXml: (part: P.BoundQuery) => P.PhysicalPlan): P.PhysicalPlan {
  if (!plan.fallback || !refusedWithoutSplit(plan)) return plan;
  // the statement is MIN / MAX of text alone: its first row is the whole answer
  const alone = extremeAsFirstRow(bound);
  const firstRow = alone ? planFetchXml(alone) : undefined;
  if (firstRow && isFirstRowRead(firstRow)) return { ...plan, fallback: { ...firstRow, fallback: plan.fallback } };
  // a part that is MIN / MAX of text alone is planned as its first row; every other part as FetchXML
  const planPart = (part: P.BoundQuery): P.PhysicalPlan => {
    const firstRow = extremeAsFirstRow(part);
    return firstRow ? planFetchXml(firstRow) : planFetchXml(part);
  };
  const parts = aggregateByParts(bound, plan, planPart, (p) => answeredBySplit(p) || isFirstRowRead(p));
  if (typeof parts === 'string') return plan;
  const scans = parts.scans.map((s) => (s.kind === 'remoteScan' && s.fetchXml?.split ? { ...s, fetchXml: { ...s.fetchXml, byPartsOnly: true } } : s));
  return { ...plan, fallback: { ...parts, scans, fallback: plan.fallback } };
}
