/**
 * Joins to a parent table over a lookup, read with `$expand` on the child's request instead of a
 * request of their own. The join itself still runs locally, so this is exact whenever the parent's
 * rows that the child rows do not refer to cannot matter: the parent is the right side of an INNER
 * or LEFT join (or either side of an INNER join) whose ON holds `child.lookup = parent.key`, and the
 * lookup has a navigation to that parent table, and no other parent of the same child is read
 * through that navigation. (Push-down skips parents that have conditions of their own: a filtered
 * request of their own does that work at the source.)
 *
 * `SELECT c.fullname, a.name FROM contact c LEFT JOIN account a ON c.parentcustomerid = a.accountid`
 * → `GET contacts?$select=_parentcustomerid_value,fullname&$expand=parentcustomerid_account($select=name,accountid)`.
 */
import type { Column } from '../catalog/types.js';
import type * as P from '../plan/index.js';
import { conjuncts } from './walk.js';

export interface ExpandLink {
  childScanId: number;
  parent: P.Scan;
  navigation: string;
  key: Column;
}

function scansIn(from: P.FromRef): number[] {
  if (from.kind === 'scan') return [from.scanId];
  if (from.kind === 'join') return [...scansIn(from.left), ...scansIn(from.right)];
  return [];
}

/** the expandable joins of every block, at most `maxPerChild` per child request */
export function expandLinks(query: P.Query, scans: readonly P.Scan[], maxPerChild: number): ExpandLink[] {
  const links: ExpandLink[] = [];
  const remote = new Set(scans.filter((s) => s.source === 'remote').map((s) => s.id));
  const visitFrom = (from: P.FromRef | undefined): void => {
    if (!from || from.kind !== 'join') {
      if (from?.kind === 'derived') visitQuery(from.query);
      return;
    }
    visitFrom(from.left);
    visitFrom(from.right);
    // the parent is the right side of INNER / LEFT, or (INNER only) the left side
    if (from.type === 'INNER' || from.type === 'LEFT') linkParent(from.on, from.right, from.left);
    if (from.type === 'INNER') linkParent(from.on, from.left, from.right);
  };
  const linkParent = (on: P.Expr | undefined, parentSide: P.FromRef, childSide: P.FromRef): void => {
    if (parentSide.kind !== 'scan' || !remote.has(parentSide.scanId)) return;
    const parentId = parentSide.scanId;
    const leftScans = new Set(scansIn(childSide));
    for (const conjunct of conjuncts(on)) {
      if (conjunct.kind !== 'binary' || conjunct.op !== '=') continue;
      for (const [a, b] of [[conjunct.left, conjunct.right], [conjunct.right, conjunct.left]] as const) {
        if (a.kind !== 'column' || b.kind !== 'column' || a.scanId === undefined || b.scanId !== parentId || !leftScans.has(a.scanId) || !remote.has(a.scanId)) continue;
        const parent = scans.find((s) => s.id === parentId)!;
        const key = b.column;
        if (!key || parent.table.primaryKey.length !== 1 || parent.table.primaryKey[0]!.toLowerCase() !== key.name.toLowerCase()) continue;
        const target = a.column?.kind === 'lookup' ? a.column.lookupTargets?.find((t) => t.table === parent.table.name && t.referencedProperty === key.odataName) : undefined;
        if (!target || links.some((l) => l.parent === parent)) continue;
        // one `$expand` per navigation: a second join through the same lookup (`k2`, `k3` both on
        // `k1.parentcustomerid`) would send the option twice and the service keeps one `$select`,
        // so that parent reads its own request
        if (links.some((l) => l.childScanId === a.scanId && l.navigation === target.navigation)) continue;
        if (links.filter((l) => l.childScanId === a.scanId).length >= maxPerChild) continue;
        links.push({ childScanId: a.scanId, parent, navigation: target.navigation, key });
      }
    }
  };
  const visitQuery = (q: P.Query): void => {
    for (const cte of q.with) visitQuery(cte.query);
    if (q.kind === 'setop') {
      visitQuery(q.left);
      visitQuery(q.right);
      return;
    }
    visitFrom(q.from);
  };
  visitQuery(query);
  // a parent read through an expand has no request of its own to expand further
  const parents = new Set(links.map((l) => l.parent.id));
  return links.filter((l) => !parents.has(l.childScanId));
}
