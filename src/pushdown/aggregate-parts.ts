/**
 * An ungrouped aggregate that no single request answers, answered by a few
 * (rules/independent-aggregates.ts): the select items go into as few parts as the service answers
 * each in one aggregate request (OData `$apply` or a FetchXML aggregate, whichever the part's own
 * planning picks), and a local step sets the parts' values side by side in the one row. Each
 * part is an ungrouped aggregate, so its request returns exactly one row; the local step reads each
 * value as a scalar subquery of its part, which is NULL, not an empty result, should one not.
 *
 * `SELECT count(*), count(DISTINCT name), max(name) FROM account` → a FetchXML aggregate (`count`,
 * `countcolumn distinct`) and `$apply=aggregate(name with max as a1)` (FetchXML has no MAX of
 * text, OData no distinct count); locally `SELECT (SELECT "count" FROM part1), (SELECT "count_2"
 * FROM part1), (SELECT "max" FROM part2)`. When the service refuses a part (50,000 rows), the
 * statement runs as it would have without the parts: every row read and aggregated locally.
 */
import type * as P from '../plan/index.js';
import { aggregatePart, independentAggregates } from './rules/independent-aggregates.js';
import { mapTree } from './rules/map-tree.js';

/** one aggregate request whose rows are the part's result, or which a local step finishes (AVG as SUM / COUNT) */
export function answeredByOneAggregate(plan: P.PhysicalPlan): boolean {
  const step = plan.scans.length === 1 ? plan.scans[0] : undefined;
  return step?.kind === 'remoteScan' && (step.aggregateOutputs !== undefined || step.fetchXml?.aggregate === true || step.countOnly === true);
}

interface Part { indexes: number[]; plan: P.PhysicalPlan }

/**
 * The statement answered by parts, or why not. `planPart` plans a part as a whole statement (never
 * by parts again); `fits` says whether a part's plan is one the parts may hold (by default one
 * aggregate request); `whole` is the statement's own plan, kept as the last resort.
 */
export function aggregateByParts(
  bound: P.BoundQuery, whole: P.PhysicalPlan, planPart: (part: P.BoundQuery) => P.PhysicalPlan, fits: (plan: P.PhysicalPlan) => boolean = answeredByOneAggregate,
): P.PhysicalPlan | string {
  const found = independentAggregates(bound);
  if (typeof found === 'string') return found;
  const parts: Part[] = [];
  for (let index = 0; index < found.block.columns.length; index++) {
    // first fit: the item joins the first part the service still answers in one request with it
    const joined = parts.some((part) => {
      const plan = planPart(aggregatePart(bound, found, [...part.indexes, index]));
      if (!fits(plan)) return false;
      part.indexes.push(index);
      part.plan = plan;
      return true;
    });
    if (joined) continue;
    const plan = planPart(aggregatePart(bound, found, [index]));
    if (!fits(plan)) return `the service cannot compute ${bound.outputNames[index]} in an aggregate request`;
    parts.push({ indexes: [index], plan });
  }
  if (parts.length === 1) return 'one request answers the statement';
  // in the order they are sent: a FetchXML aggregate is read before the local engine starts, an OData one as it loads
  parts.sort((a, b) => Number(isFetchXml(b.plan)) - Number(isFetchXml(a.plan)));
  const firstId = Math.max(...bound.scans.map((s) => s.id)) + 1;
  const scans: P.ScanStep[] = [];
  const items: P.SelectItem[] = [];
  // past the limit a part refused with no split of its own sends the statement to its last resort:
  // the other parts' splits would only add requests before it (a part that is no aggregate, a first
  // row read, is not refused: rules/extreme-as-first-row.ts)
  const everyPartSplits = parts.every((part) => (part.plan.scans[0] as P.RemoteScanStep).fetchXml?.split !== undefined || !answeredByOneAggregate(part.plan));
  for (const [k, part] of parts.entries()) {
    const step = part.plan.scans[0] as P.RemoteScanStep;
    const target = { id: firstId + k, alias: `part${k + 1}` };
    const names = part.indexes.map((i) => bound.outputNames[i]!).join(', ');
    const fetchXml = step.fetchXml && !everyPartSplits ? withoutSplit(step.fetchXml) : step.fetchXml;
    scans.push({
      ...step, scanId: target.id, alias: target.alias,
      ...(fetchXml ? { fetchXml: { ...fetchXml, reason: `it computes ${names} in one request (${target.alias} of the statement's aggregates)` } } : {}),
    });
    part.indexes.forEach((index, position) => {
      items[index] = { expr: { kind: 'subquery', query: valueOf(part.plan, position, step.scanId, target), sqlType: bound.outputTypes[index]! }, alias: bound.outputNames[index]! };
    });
  }
  const query: P.Select = { kind: 'select', with: [], distinct: false, columns: items, groupBy: [], orderBy: [], outputTypes: bound.outputTypes };
  const reasons = [
    `the aggregates are computed by ${parts.length} requests over the same rows, set side by side in the one row (no one request computes them all)`,
    parts.map((part, k) => `part${k + 1}: ${part.indexes.map((i) => bound.outputNames[i]!).join(', ')}`).join('; '),
  ];
  return { scans, output: { kind: 'local', step: { kind: 'local', query, reasons } }, params: whole.params, fallback: whole.fallback ?? whole };
}

function withoutSplit(fetchXml: NonNullable<P.RemoteScanStep['fetchXml']>): NonNullable<P.RemoteScanStep['fetchXml']> {
  const { split: _split, ...rest } = fetchXml;
  return rest;
}

function isFetchXml(plan: P.PhysicalPlan): boolean {
  return (plan.scans[0] as P.RemoteScanStep).fetchXml !== undefined;
}

/** the part's output at `position` as a one-row SELECT over the part's scan, renumbered to `target` */
function valueOf(plan: P.PhysicalPlan, position: number, scanId: number, target: { id: number; alias: string }): P.Select {
  const from: P.ScanRef = { kind: 'scan', scanId: target.id, alias: target.alias };
  if (plan.output.kind === 'direct') {
    const column = plan.output.columns[position]!;
    const ref: P.ColumnRef = { kind: 'column', name: column.name, qualifier: target.alias, scanId: target.id, column, sqlType: column.sqlType };
    return { kind: 'select', with: [], distinct: false, columns: [{ expr: ref, alias: plan.output.names[position] }], from, groupBy: [], orderBy: [], outputTypes: [column.sqlType] };
  }
  const local = plan.output.step.query as P.Select;
  const one: P.Select = { ...local, columns: [local.columns[position]!], outputTypes: [local.outputTypes[position]!], from };
  return mapTree(one, (node) => (node.kind === 'column' && node.scanId === scanId ? { ...node, scanId: target.id, qualifier: target.alias } : node));
}
