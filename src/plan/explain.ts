/**
 * EXPLAIN text for a physical plan: each remote request with its method and full URL, each local
 * step, and why anything stayed local.
 *
 * ```
 * Remote  GET https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=name&$top=5
 *   pushed: $select name; $top 5
 * Result  straight from the service (no local step)
 * ```
 */
import type { Column } from '../catalog/types.js';
import type { PhysicalPlan, RemoteScanStep } from './physical.js';

export function explainPlan(plan: PhysicalPlan, serviceRoot: string): string {
  const lines: string[] = [];
  for (const scan of plan.scans) {
    if (scan.kind === 'localTable') {
      lines.push(`Local table  ${scan.table.name} AS ${scan.alias} (rows from the catalog)`);
      continue;
    }
    lines.push(`Remote  ${scan.request.method} ${serviceRoot}${scan.request.url}`);
    for (const [name, value] of Object.entries(scan.request.headers)) lines.push(`  header: ${name}: ${value}`);
    if (scan.fetchXml) {
      lines.push(`  FetchXML${scan.fetchXml.viaBatch ? ' (sent inside $batch: the URL is longer than a GET takes)' : ''}, because ${scan.fetchXml.reason}:`);
      for (const line of scan.fetchXml.pretty.split('\n')) lines.push(`    ${line}`);
    }
    if (scan.pushed.length > 0) lines.push(`  pushed: ${scan.pushed.join('; ')}`);
    for (const e of scan.expand ?? []) lines.push(`  expanded: ${e.table.name} AS ${e.alias} through ${e.navigation} (no request of its own)`);
    if (scan.aggregateOutputs) lines.push(`  outputs: ${scan.aggregateOutputs.map((o) => `${o.alias} → ${o.name}`).join(', ')}`);
    for (const reason of scan.notPushed) lines.push(`  local:  ${reason}`);
    if (scan.partition) lines.push(`  ${partitionText(scan.partition, scan.columns)}`);
    if (scan.sequentialBecause) lines.push(`  page after page: ${scan.sequentialBecause}`);
  }
  lines.push(...limitLines(plan, serviceRoot));
  if (plan.output.kind === 'direct') {
    lines.push('Result  straight from the service (no local step)');
  } else {
    lines.push('Local   the rest of the statement runs in the embedded engine (DuckDB) over the rows above');
    for (const reason of plan.output.step.reasons) lines.push(`  because: ${reason}`);
  }
  return lines.join('\n');
}

/** `parallel: past a full first page, 8 ranges of createdon read at once, merged by name, revenue desc` */
function partitionText(partition: NonNullable<RemoteScanStep['partition']>, columns: readonly Column[]): string {
  const merge = partition.orderBy.length > 0
    ? `merged in the order of ${partition.orderBy.map((o) => `${columns[o.index]!.odataName}${o.descending ? ' desc' : ''}`).join(', ')}`
    : 'their rows handed out as they arrive';
  return `parallel: past a full first page, every row read as ${partition.ranges} ranges of ${partition.column} at once (bounds from two one-row reads), ${merge}`;
}

/** what runs when the service refuses the aggregate (50,000 rows): its parts over ranges, then every row read */
function limitLines(plan: PhysicalPlan, serviceRoot: string): string[] {
  const lines: string[] = [];
  const splitScan = (p: PhysicalPlan) => p.scans.find((s) => s.kind === 'remoteScan' && s.fetchXml?.split);
  const byParts = (scan: NonNullable<ReturnType<typeof splitScan>>) => {
    if (scan.kind !== 'remoteScan') return '';
    const spec = scan.fetchXml!.split!;
    const how = [
      ...(spec.distinctKey ? [`each value of ${spec.attribute} in one range only, so distinct counts add up`] : []),
      ...(spec.distinctGroup ? [`the distinct count of ${spec.distinctGroup.attribute} counted from the parts' groups of ${spec.distinctGroup.attribute}, ${spec.distinctGroup.text ? 'values equal up to case and trailing blanks counted once' : 'each value counted once'}`] : []),
      ...(spec.textGroups.length > 0 ? ['text groups equal up to case and trailing blanks merged'] : []),
    ];
    return `over ranges of ${spec.attribute}, each under the limit, combined${how.length > 0 ? ` (${how.join('; ')})` : ''}`;
  };
  // MIN / MAX of text read as the first row in the column's order (pushdown/rules/extreme-as-first-row.ts)
  const isFirstRow = (s: PhysicalPlan['scans'][number]) => s.kind === 'remoteScan' && !s.fetchXml?.split && !s.fetchXml?.aggregate && !s.aggregateOutputs && !s.countOnly;
  const firstRowHow = '(the first non-null value in the column\'s order: one row, no aggregate, not limited)';
  /** the parts past the limit (pushdown/parts-past-limit.ts), when `p` is such a plan */
  const partsLines = (p: PhysicalPlan | undefined): string[] | undefined => {
    if (!p) return undefined;
    if (p.output.kind === 'direct' && p.scans.length === 1 && isFirstRow(p.scans[0]!) && p.scans[0]!.kind === 'remoteScan') {
      return [`  if the service refuses the aggregate (50,000-row limit): GET ${serviceRoot}${p.scans[0]!.request.url} ${firstRowHow}`];
    }
    const split = p.scans.filter((s) => s.kind === 'remoteScan' && s.fetchXml?.byPartsOnly && s.fetchXml.split);
    const firstRows = p.scans.filter(isFirstRow);
    if (p.output.kind !== 'local' || p.scans.length < 2 || split.length + firstRows.length !== p.scans.length) return undefined;
    // distinct counts of two columns, or MIN / MAX of text beside the other aggregates: a part each
    const names = p.output.step.reasons.at(-1);
    const plural = (n: number, what: string) => `${n} ${what}${n > 1 ? 's' : ''}`;
    const kinds = [...(split.length > 0 ? [plural(split.length, 'FetchXML aggregate')] : []), ...(firstRows.length > 0 ? [plural(firstRows.length, 'first-row read')] : [])].join(' and ');
    const why = firstRows.length > 0
      ? 'MIN / MAX of text, which FetchXML does not compute, read as the first non-null value in the column\'s order'
      : 'each by parts, no one split answering them all';
    const lines = [`  if the service refuses the aggregate (50,000-row limit): ${kinds} (${names}), ${why}:`];
    for (const part of p.scans) if (part.kind === 'remoteScan') lines.push(`    ${part.alias}: GET ${serviceRoot}${part.request.url} ${part.fetchXml?.split ? byParts(part) : firstRowHow}`);
    return lines;
  };
  const split = splitScan(plan);
  let last = plan.fallback;
  const parts = split ? undefined : partsLines(plan.fallback);
  if (split) {
    lines.push(`  if the service refuses the aggregate (50,000-row limit): the same FetchXML ${byParts(split)}`);
  } else if (parts) {
    lines.push(...parts);
    last = last!.fallback;
  } else if (plan.scans.some((s) => s.kind === 'remoteScan' && s.fetchXml?.aggregate)) {
    lines.push('  the aggregate cannot be split into parts combined exactly (distinct counts of two columns under GROUP BY, or a part of the statement with no split)');
  } else {
    // an OData aggregate refused: as FetchXML by parts first
    const fetchSplit = plan.fallback ? splitScan(plan.fallback) : undefined;
    if (fetchSplit?.kind === 'remoteScan') {
      lines.push(`  if the service refuses the aggregate (50,000-row limit): GET ${serviceRoot}${fetchSplit.request.url} (FetchXML) ${byParts(fetchSplit)}`);
      last = plan.fallback!.fallback;
    }
  }
  if (last) {
    const urls = last.scans.flatMap((s) => (s.kind === 'remoteScan' ? [`GET ${serviceRoot}${s.request.url}`] : []));
    lines.push(`  ${last !== plan.fallback || split ? 'last resort, if a part is refused too' : 'if the service refuses the aggregate (50,000-row limit)'}: ${urls.join(', ')} and aggregate locally (every row is read)`);
  }
  return lines;
}
