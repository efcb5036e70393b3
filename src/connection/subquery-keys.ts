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
 * case-insensitive, blank-padded collation, as the local engine does. More than MAX_KEYS keys, or a
 * list longer than MAX_KEY_CHARS, or no key at all: the statement runs with the plan it had.
 *
 * Example: `SELECT name FROM account WHERE name IN (SELECT lastname FROM contact WHERE firstname =
 * 'Mark')` → `contacts?$select=lastname&$filter=firstname eq 'Mark'`, then
 * `accounts?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=[…])`.
 */
import type * as P from '../plan/index.js';
import type { PhysicalPlan } from '../plan/index.js';
import type { TypeDialect } from '../types/index.js';
import { forEachNode } from '../pushdown/index.js';
import { conjuncts, keyInList } from './local-table-keys.js';

/** more keys than this and the statement keeps its plan */
const MAX_KEYS = 100;
/** the keys' total length: with GUIDs' and quoting's overhead the `$filter` stays well under a GET line's 32 KB */
const MAX_KEY_CHARS = 8000;

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
 * The statement with each candidate's subquery replaced by its keys, read with `readSubquery`;
 * undefined when none could be (too many keys, types that do not compare as literals, no key).
 */
export async function withSubqueryKeys(keys: SubqueryKeys, readSubquery: (bound: P.BoundQuery) => Promise<unknown[] | undefined>): Promise<P.BoundQuery | undefined> {
  const { bound } = keys;
  const replaced = new Map<P.Expr, P.Expr>();
  for (const conjunct of keys.candidates) {
    const sub = conjunct.query as P.Select;
    const inner = scansOf(sub)!;
    const item = sub.columns[0]!;
    const subBound: P.BoundQuery = {
      query: sub, scans: bound.scans.filter((s) => inner.has(s.id)), outputNames: [item.alias ?? 'key'], outputTypes: [item.expr.sqlType],
    };
    const values = await readSubquery(subBound);
    if (!values) continue;
    const list = keyInList(conjunct.expr, conjunct.expr.sqlType, item.expr.sqlType, values, keys.dialect, { maxKeys: MAX_KEYS, maxChars: MAX_KEY_CHARS });
    if (list) replaced.set(conjunct, list);
  }
  if (replaced.size === 0) return undefined;
  const q = bound.query as P.Select;
  const where = conjuncts(q.where).map((c) => replaced.get(c) ?? c).reduce((left, right): P.Expr => ({ kind: 'binary', op: 'AND', left, right, sqlType: { name: 'boolean' } }));
  const query: P.Select = { ...q, where };
  const scanned = new Set<number>();
  forEachNode(query, (node) => {
    if (node.kind === 'scan' && typeof node.scanId === 'number') scanned.add(node.scanId);
  });
  return { ...bound, query, scans: bound.scans.filter((s) => scanned.has(s.id)) };
}
