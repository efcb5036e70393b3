/**
 * OData or FetchXML, per statement. Both are exact where they are used; the choice is the form that
 * sends the fewest rows and requests. OData stands when it already answers the whole statement on
 * the service (its rows are the result). Otherwise FetchXML is used when it answers the whole
 * statement in one request (a join on any columns, a semi-join, a date-bucketed GROUP BY, a distinct
 * count: fetchxml-plan.ts), since the OData plan would read more rows and finish them locally.
 * `Remote Language=OData` or `=FetchXML` forces one; a statement FetchXML cannot express as a whole
 * keeps its OData plan, and EXPLAIN says why.
 *
 * `SELECT YEAR(createdon), COUNT(*) FROM account GROUP BY YEAR(createdon)` → FetchXML
 * (`dategrouping="year"`), where OData would read every `createdon` and group locally.
 */
import { DynasqlError } from '../errors/index.js';
import type * as P from '../plan/index.js';
import { CURRENT_USER_ID, SERVICE_PREDICATES } from '../plan/index.js';
import type { Capabilities } from '../capabilities/index.js';
import { fetchXmlPlan } from './fetchxml-plan.js';
import type { ParamValues } from './values.js';
import type { MetadataReader } from './service-metadata.js';

export type RemoteLanguage = 'auto' | 'odata' | 'fetchxml';

export interface LanguageOptions {
  facts: Capabilities;
  params: ParamValues;
  pushdown: boolean;
  remoteLanguage?: RemoteLanguage;
  pageSize?: number;
  metadata?: MetadataReader;
}

export function chooseRemoteLanguage(bound: P.BoundQuery, options: LanguageOptions, odata: P.PhysicalPlan): P.PhysicalPlan {
  const language = options.remoteLanguage ?? 'auto';
  if (language === 'odata' || !options.pushdown) return withoutServicePredicates(bound, odata, language === 'odata' ? 'Remote Language=OData' : 'push-down is off');
  if (!options.facts.supportsFetchXml) {
    if (language === 'fetchxml') throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Remote Language=FetchXML: ${options.facts.edition} has no FetchXML`);
    return withoutServicePredicates(bound, odata, `${options.facts.edition} has no FetchXML`);
  }
  if (language === 'auto' && odata.output.kind === 'direct') return withSplitFallback(bound, options, odata);
  const fetch = fetchXmlPlan(bound, { facts: options.facts, params: options.params, pageSize: options.pageSize, metadata: options.metadata });
  if (!fetch.ok) {
    if (language === 'fetchxml') note(odata, `Remote Language=FetchXML, but OData is used: ${fetch.reason}`);
    return withoutServicePredicates(bound, odata, fetch.reason);
  }
  const step = fetch.plan.scans[0] as P.RemoteScanStep;
  step.fetchXml!.reason = language === 'fetchxml'
    ? 'Remote Language=FetchXML'
    : `it answers the whole statement (${fetch.shape}) in one request, where OData would read ${requestCount(odata)} and finish locally (${localReason(odata)})`;
  // the service may refuse an aggregate (50,000 rows, 5,000 groups): then the OData plan runs, as it would have
  if (step.fetchXml!.aggregate) fetch.plan.fallback = odata.fallback ?? odata;
  return fetch.plan;
}

/**
 * An OData aggregate (`$apply`) whose groups are the result: refused by the service (50,000 rows),
 * the same statement as a FetchXML aggregate answered by parts over ranges (connection/fetchxml-split.ts)
 * before the last resort of reading every row. `SELECT name, COUNT(*) FROM account GROUP BY name`
 * over 200,000 accounts: `$apply` refused, then FetchXML by ranges of `createdon` (the whole not asked
 * again), 10 requests instead of 40 pages of rows.
 */
function withSplitFallback(bound: P.BoundQuery, options: LanguageOptions, odata: P.PhysicalPlan): P.PhysicalPlan {
  const apply = odata.scans[0];
  if (!odata.fallback || odata.scans.length !== 1 || apply?.kind !== 'remoteScan' || !apply.aggregateOutputs) return odata;
  const fetch = fetchXmlPlan(bound, { facts: options.facts, params: options.params, pageSize: options.pageSize, metadata: options.metadata });
  const step = fetch.ok ? fetch.plan.scans[0] as P.RemoteScanStep : undefined;
  if (!fetch.ok || !step?.fetchXml?.split) return odata;
  step.fetchXml.reason = 'the service refused the OData aggregate, and FetchXML answers it by parts';
  step.fetchXml.byPartsOnly = true;
  fetch.plan.fallback = odata.fallback;
  return { ...odata, fallback: fetch.plan };
}

/**
 * The OData plan, unless the statement uses a predicate only the service answers
 * (plan/service-predicates.ts): then it is refused while planning, saying why it is not FetchXML,
 * where the local step would only say that it has no local form.
 */
function withoutServicePredicates(bound: P.BoundQuery, odata: P.PhysicalPlan, whyNotFetchXml: string): P.PhysicalPlan {
  // such a predicate never reaches the service as OData: a plan with no local step has none
  if (odata.output.kind !== 'local') return odata;
  const name = servicePredicateIn(bound.query);
  if (!name) return odata;
  throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL',
    `Unsupported SQL: ${name}() is answered by the service alone, as a FetchXML condition, and this statement does not go as FetchXML: ${whyNotFetchXml}`);
}

/** the first service-only call anywhere in the query (subqueries, CTEs, set operations included) */
function servicePredicateIn(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = servicePredicateIn(item);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  if (record.kind === 'function' && typeof record.name === 'string' && (SERVICE_PREDICATES[record.name] || record.name === CURRENT_USER_ID)) return record.name;
  for (const [key, value] of Object.entries(record)) {
    // a column's catalog entry and the types hold no expression
    if (key === 'column' || key === 'sqlType' || key === 'outputTypes') continue;
    const found = servicePredicateIn(value);
    if (found) return found;
  }
  return undefined;
}

function requestCount(plan: P.PhysicalPlan): string {
  const n = plan.scans.filter((s) => s.kind === 'remoteScan').length;
  return n === 1 ? 'one table' : `${n} tables`;
}

function localReason(plan: P.PhysicalPlan): string {
  return plan.output.kind === 'local' ? plan.output.step.reasons[0] ?? 'a local step' : 'a local step';
}

/** a note in EXPLAIN, on the local step or else the first remote scan */
function note(plan: P.PhysicalPlan, text: string): void {
  if (plan.output.kind === 'local') plan.output.step.reasons.push(text);
  else plan.scans.find((s): s is P.RemoteScanStep => s.kind === 'remoteScan')?.notPushed.push(text);
}
