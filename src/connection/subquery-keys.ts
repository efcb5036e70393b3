/**
 * `WHERE x IN (SELECT y FROM other WHERE …)` where no relationship joins x and y (semi-join.ts has
 * no navigation property for it): the subquery is read first, on its own (pushed down as any query),
 * and its distinct keys replace it as `x IN (key, …)`, which the push-down sends in the outer scan's
 * `$filter` (`Microsoft.Dynamics.CRM.In`, or an `or` chain where the service has no In) when it
 * translates exactly; else it stays local, where it gives the same rows. Without this the outer
 * table is read whole.
 *
 * Exact: the conjunct is one of the outer block's WHERE conjuncts and not negated, where UNKNOWN
 * (a NULL among the subquery's values, x not among the rest) drops the row just as FALSE does; so
 * the subquery's NULLs are left out of the list. NOT IN stays as it is (a NULL in the list empties
 * it). The subquery is uncorrelated (every column it reads is of a scan inside it), so its rows do
 * not depend on the outer row. The keys' and x's types compare exactly as literals (GUIDs,
 * integers, strings: keyInList in local-table-keys.ts); strings compare under the service's
 * case-insensitive, blank-padded collation, as the local engine does.
 *
 * Long lists: up to MAX_KEYS keys (and MAX_KEY_CHARS characters) go in one request. GUID and
 * integer keys beyond that are sent in chunks of MAX_KEYS, one request each (at most MAX_CHUNKS),
 * and the outer scan's rows are those of every chunk: a row has one x, equal to one key of one
 * chunk, so it comes back once. The service then only filters that scan (no `$top`, `$orderby`,
 * `$apply`: the rows of one chunk are not the statement's); the rest runs locally. String keys are
 * not chunked: two keys of two chunks may be equal under the collation ('Mark', 'MARK ') and
 * both match one row. More keys than that, or no key at all: the statement runs with the plan it
 * had (the outer table read whole).
 *
 * Example: `SELECT name FROM account WHERE name IN (SELECT lastname FROM contact WHERE firstname =
 * 'Mark')` → `contacts?$select=lastname&$filter=firstname eq 'Mark'`, then
 * `accounts?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=[…])`.
 */
import type * as P from '../plan/index.js';
import type { PhysicalPlan } from '../plan/index.js';
import type { TypeDialect } from '../types/index.js';
import { forEachNode } from '../pushdown/index.js';
import { LocalEngine } from '../local/index.js';
import { conjuncts, keyInList } from './local-table-keys.js';

/** keys in one request */
const MAX_KEYS = 100;
/** the keys' total length in one request: with GUIDs' and quoting's overhead the `$filter` stays well under a GET line's 32 KB */
const MAX_KEY_CHARS = 8000;
/** requests of MAX_KEYS keys for one list (GUIDs and integers); more keys and the statement keeps its plan */
const MAX_CHUNKS = 20;

const CHUNKABLE_TYPES = new Set(['uniqueidentifier', 'int', 'bigint', 'smallint', 'tinyint']);

export interface SubqueryKeys {
  bound: P.BoundQuery;
  /** the outer WHERE's conjuncts whose subquery is read first */
  candidates: P.InQuery[];
  dialect: TypeDialect;
}

/** the conjuncts of the outer WHERE that qualify, when the current plan reads their subqueries' tables itself; else undefined */
export function subqueryKeyCandidates(bound: P.BoundQuery, plan: PhysicalPlan, dialect: TypeDialect): SubqueryKeys | undefined {
  const q = bound.query;
  if (q.kind !== 'select' || !q.where) return undefined;
  const read = new Set(plan.scans.map((s) => s.scanId));
  const candidates = conjuncts(q.where).filter((c): c is P.InQuery => c.kind === 'inQuery' && qualifies(c, bound, read));
  return candidates.length === 0 ? undefined : { bound, candidates, dialect };
}

function qualifies(conjunct: P.InQuery, bound: P.BoundQuery, read: ReadonlySet<number>): boolean {
  const sub = conjunct.query;
  if (conjunct.negated || sub.kind !== 'select' || sub.columns.length !== 1) return false;
  const x = conjunct.expr;
  if (x.kind !== 'column' || x.scanId === undefined || bound.scans.find((s) => s.id === x.scanId)?.source !== 'remote') return false;
  const inner = scansOf(sub);
  if (!inner || inner.size === 0) return false;
  // a subquery semi-join.ts answered through a navigation property sends no request of its own: keep that plan
  return [...inner].every((id) => read.has(id));
}

/** the scans a subquery reads, when every column it reads is of one of them (uncorrelated); else undefined */
function scansOf(sub: P.Query): Set<number> | undefined {
  const defined = new Set<number>();
  const used: (number | undefined)[] = [];
  forEachNode(sub, (node) => {
    if (node.kind === 'scan' && typeof node.scanId === 'number') defined.add(node.scanId);
    if (node.kind === 'column') used.push(node.scanId as number | undefined);
  });
  // a column without a scan (of a derived table or CTE, maybe the outer query's) is not followed: not taken
  return used.every((id) => id !== undefined && defined.has(id)) ? defined : undefined;
}

/**
 * EXPLAIN's lines for the candidates (EXPLAIN reads nothing, so it shows the plan without their
 * keys); `chunks`: whether long lists may go in several requests (not with Remote Language=FetchXML)
 */
export function explainSubqueryKeys(keys: SubqueryKeys, chunks: boolean): string[] {
  return keys.candidates.map((c) => {
    const x = c.expr as P.ColumnRef;
    const bound = !chunks ? `up to ${MAX_KEYS} keys in one request`
      : CHUNKABLE_TYPES.has(x.sqlType.name) ? `up to ${MAX_KEYS} keys in one request, up to ${MAX_KEYS * MAX_CHUNKS} in requests of ${MAX_KEYS}`
        : `up to ${MAX_KEYS} keys in one request (strings are not split)`;
    return `Keys    ${x.name} IN (SELECT …) is read first and its keys sent as a condition of ${x.name}: ${bound}; with more, the plan below runs`;
  });
}

export interface Planners {
  plan(bound: P.BoundQuery): PhysicalPlan;
  /** the plan of one chunk's statement, `chunkedScan` read in several requests (PlanOptions.chunkedScan); undefined when it cannot be */
  planChunk(bound: P.BoundQuery, chunkedScan: number): PhysicalPlan | undefined;
}

/**
 * The plan with each candidate's subquery replaced by its keys, read with `readSubquery`; undefined
 * when none could be (too many keys, types that do not compare as literals, no key). One list
 * longer than a request takes is read in chunks (at most one per statement: the chunks of two
 * lists would multiply).
 */
export async function planWithKeys(keys: SubqueryKeys, readSubquery: (bound: P.BoundQuery) => Promise<unknown[] | undefined>, planners: Planners): Promise<PhysicalPlan | undefined> {
  const { bound } = keys;
  const replaced = new Map<P.Expr, P.Expr>();
  let chunked: { conjunct: P.InQuery; chunks: P.InList[] } | undefined;
  for (const conjunct of keys.candidates) {
    const sub = conjunct.query as P.Select;
    const inner = scansOf(sub)!;
    const item = sub.columns[0]!;
    const subBound: P.BoundQuery = {
      query: sub, scans: bound.scans.filter((s) => inner.has(s.id)), outputNames: [item.alias ?? 'key'], outputTypes: [item.expr.sqlType],
    };
    const values = await readSubquery(subBound);
    if (!values) continue;
    const x = conjunct.expr;
    const list = keyInList(x, x.sqlType, item.expr.sqlType, values, keys.dialect, { maxKeys: MAX_KEYS, maxChars: MAX_KEY_CHARS });
    if (list) {
      replaced.set(conjunct, list);
      continue;
    }
    if (chunked || !CHUNKABLE_TYPES.has(x.sqlType.name)) continue;
    // GUIDs and integers: at most 36 characters a key, so MAX_KEYS of them stay within MAX_KEY_CHARS
    const long = keyInList(x, x.sqlType, item.expr.sqlType, values, keys.dialect, { maxKeys: MAX_KEYS * MAX_CHUNKS });
    if (long) chunked = { conjunct, chunks: inChunks(long) };
  }
  if (chunked) {
    const { conjunct, chunks } = chunked;
    const scanId = (conjunct.expr as P.ColumnRef).scanId!;
    const plans = chunks.map((chunk) => planners.planChunk(withConjuncts(bound, new Map(replaced).set(conjunct, chunk)), scanId));
    const combined = chunkedPlan(plans, scanId);
    if (combined) return combined;
  }
  return replaced.size === 0 ? undefined : planners.plan(withConjuncts(bound, replaced));
}

/** `x IN (k1, …, k250)` → `x IN (k1 … k100)`, `x IN (k101 … k200)`, `x IN (k201 … k250)` */
function inChunks(list: P.InList): P.InList[] {
  const chunks: P.InList[] = [];
  for (let i = 0; i < list.list.length; i += MAX_KEYS) chunks.push({ ...list, list: list.list.slice(i, i + MAX_KEYS) });
  return chunks;
}

/**
 * One plan whose chunked scan reads every chunk's request, when the chunks' plans differ in that
 * scan's request alone (the list went to the service in each, and what runs locally is the same);
 * else undefined.
 */
function chunkedPlan(plans: (PhysicalPlan | undefined)[], scanId: number): PhysicalPlan | undefined {
  const first = plans[0];
  if (!first || first.output.kind !== 'local' || first.fallback) return undefined;
  const local = LocalEngine.render(first.output.step.query, first.params);
  const requestOf = (s: P.ScanStep) => (s.kind === 'remoteScan' ? s.request.url : `local ${s.table.name}`);
  const steps: P.RemoteScanStep[] = [];
  for (const p of plans) {
    if (!p) return undefined;
    const step = p.scans.find((s): s is P.RemoteScanStep => s.kind === 'remoteScan' && s.scanId === scanId);
    if (!step || step.fetchXml || step.aggregateOutputs || step.countOnly || step.rowLimit !== undefined) return undefined;
    if (p.output.kind !== 'local' || p.fallback || LocalEngine.render(p.output.step.query, p.params) !== local) return undefined;
    const others = p.scans.filter((s) => s !== step).map(requestOf);
    if (others.join('\n') !== first.scans.filter((s) => s.scanId !== scanId).map(requestOf).join('\n')) return undefined;
    if (steps.some((s) => s.request.url === step.request.url)) return undefined;
    steps.push(step);
  }
  const [head, ...rest] = steps;
  return { ...first, scans: first.scans.map((s) => (s === head ? { ...head!, keyChunks: rest } : s)) };
}

function withConjuncts(bound: P.BoundQuery, replaced: ReadonlyMap<P.Expr, P.Expr>): P.BoundQuery {
  const q = bound.query as P.Select;
  const where = conjuncts(q.where).map((c) => replaced.get(c) ?? c).reduce((left, right): P.Expr => ({ kind: 'binary', op: 'AND', left, right, sqlType: { name: 'boolean' } }));
  const query: P.Select = { ...q, where };
  const scanned = new Set<number>();
  forEachNode(query, (node) => {
    if (node.kind === 'scan' && typeof node.scanId === 'number') scanned.add(node.scanId);
  });
  return { ...bound, query, scans: bound.scans.filter((s) => scanned.has(s.id)) };
}
