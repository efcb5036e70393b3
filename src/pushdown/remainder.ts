/**
 * The local remainder of a query: a copy without what the service already did exactly. Conditions
 * that went out in `$filter` are dropped (the rows that come back already satisfy them), and OFFSET
 * is dropped from blocks whose offset went out as `$skip`. Then each scan needs only the columns
 * the remainder still reads: `WHERE statecode = 0` pushed → `statecode` leaves `$select`.
 *
 * `SELECT name FROM account a JOIN … WHERE a.statecode = 0` → local `… JOIN …` (no WHERE), and
 * `account` reads `name` (and the join key) only.
 */
import type { Column } from '../catalog/types.js';
import type * as P from '../plan/index.js';
import { conjuncts, type ScanContext } from './walk.js';

export interface LocalRemainder {
  query: P.Query;
  /** per scan, the columns the remainder reads, in table order */
  columnsRead: Map<number, Column[]>;
}

/**
 * The copy and the columns it reads, found in the one pass that makes the copy: its column
 * references, plus every bound column of a scan that a `*` of its block reads.
 */
export function localRemainder(
  bound: P.BoundQuery, pushed: readonly P.Expr[], skipPushed: readonly P.Select[], contexts: ReadonlyMap<number, ScanContext>,
): LocalRemainder {
  const names = new Map<number, Set<string>>();
  const starred = new Set<number>();
  const noteStars = (block: P.Select): void => {
    for (const item of block.columns) {
      if (item.expr.kind !== 'star') continue;
      const qualifier = item.expr.qualifier?.toLowerCase();
      for (const scan of bound.scans) {
        if (contexts.get(scan.id)?.block === block && (qualifier === undefined || qualifier === scan.alias.toLowerCase())) starred.add(scan.id);
      }
    }
  };
  const withoutPushed = (expr: P.Expr | undefined): P.Expr | undefined => {
    const kept = conjuncts(expr).filter((c) => !pushed.includes(c));
    if (kept.length === 0) return undefined;
    return kept.reduce((left, right) => ({ kind: 'binary', op: 'AND', left, right }));
  };
  const copy = (value: unknown, key?: string): unknown => {
    // catalog objects are shared, never copied
    if (key === 'column' || key === 'table' || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => copy(v));
    const node = value as Record<string, unknown>;
    if (node.kind === 'column' && typeof node.scanId === 'number') {
      let set = names.get(node.scanId);
      if (!set) names.set(node.scanId, (set = new Set()));
      set.add(String(node.name).toLowerCase());
    } else if (node.kind === 'select') {
      noteStars(node as unknown as P.Select);
    }
    const out: Record<string, unknown> = {};
    for (const k in node) {
      if (k === 'offset' && skipPushed.includes(node as unknown as P.Select)) continue;
      const v = node[k];
      const next = (k === 'where' || k === 'on') && v !== undefined ? withoutPushed(v as P.Expr) : v;
      if (next === undefined) continue;
      out[k] = copy(next, k);
    }
    return out;
  };
  const query = copy(bound.query) as P.Query;
  const columnsRead = new Map<number, Column[]>();
  for (const scan of bound.scans) {
    const read = names.get(scan.id);
    columnsRead.set(scan.id, starred.has(scan.id) ? scan.columns : scan.columns.filter((c) => read?.has(c.name.toLowerCase())));
  }
  return { query, columnsRead };
}
