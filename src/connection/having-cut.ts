/**
 * The groups of a FetchXML aggregate whose HAVING keeps only groups with a count past a bound
 * (`HAVING count(*) > 1`), read as few as needed: the request orders the groups by that count
 * (pushdown/fetchxml-aggregate.ts), so every group HAVING keeps comes before every group it drops.
 * The first 100 groups are asked for with `top`; if the last of them still passes, the first 1,000;
 * then, if it still passes, the whole aggregate as planned. 2,000 names of one account each with
 * `HAVING count(*) > 1`: one request, 100 groups read instead of 2,000.
 */
import { fetchXmlUrl, withAttributes } from '../fetchxml/index.js';
import type { Executor } from '../http/index.js';
import { sourceKey, type DecodedValue } from '../odata/index.js';
import type { RemoteScanStep } from '../plan/index.js';
import { remotePages, type ScanCounters } from './remote-rows.js';

/** the `top`s tried before the whole read; each read repeats the groups of the one before */
const TOPS = [100, 1000];

/** the groups, or undefined when the last group of the largest `top` still passes (the whole read is needed) */
export async function groupsUntilCut(executor: Executor, step: RemoteScanStep, signal: AbortSignal | undefined, counters: ScanCounters): Promise<DecodedValue[][] | undefined> {
  const fx = step.fetchXml!;
  const cut = fx.cut!;
  const position = step.columns.findIndex((c) => sourceKey(c) === cut.alias);
  const passes = (value: DecodedValue): boolean => {
    const n = Number(value);
    switch (cut.op) {
      case '>': return n > cut.value;
      case '>=': return n >= cut.value;
      case '<': return n < cut.value;
      case '<=': return n <= cut.value;
    }
  };
  for (const top of TOPS) {
    const fetch = withAttributes(fx.fetch, { top: String(top) });
    const first: RemoteScanStep = { ...step, request: { ...step.request, url: fetchXmlUrl(fx.entitySet, fetch) }, fetchXml: { ...fx, fetch } };
    const rows: DecodedValue[][] = [];
    for await (const page of remotePages(executor, first, signal, counters)) rows.push(...page);
    const last = rows.at(-1);
    if (rows.length < top || last === undefined || !passes(last[position]!)) return rows;
  }
  return undefined;
}
