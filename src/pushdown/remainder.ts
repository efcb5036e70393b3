/**
 * The local remainder of a query: the query without what the service already did exactly. Conditions
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
 * The remainder and the columns it reads, found in the one pass that makes it: its column
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
  /** the condition without its pushed conjuncts; the condition as written when none of them went out */
  const withoutPushed = (expr: P.Expr): P.Expr | undefined => {
    const all = conjuncts(expr);
    const kept = all.filter((c) => !pushed.includes(c));
    if (kept.length === all.length) return expr;
    if (kept.length === 0) return undefined;
    return kept.reduce((left, right) => ({ kind: 'binary', op: 'AND', left, right, sqlType: left.sqlType }));
  };
  const noteColumns = (node: Record<string, unknown>): void => {
    if (node.kind === 'column' && typeof node.scanId === 'number') {
      let set = names.get(node.scanId);
      if (!set) names.set(node.scanId, (set = new Set()));
      set.add(String(node.name).toLowerCase());
    } else if (node.kind === 'select') {
      noteStars(node as unknown as P.Select);
    }
  };
  /**
   * The value with what the service did taken out. Copy on write: a node none of whose parts
   * changes is kept as it is (the bound query is this statement's own), so most of the tree is shared.
   */
  const rewrite = (value: unknown, key?: string): unknown => {
    // catalog objects belong to the catalog: not walked
    if (key === 'column' || key === 'table' || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = rewrite(value[i]);
        if (next !== value[i] && !copy) copy = value.slice(0, i);
        copy?.push(next);
      }
      return copy ?? value;
    }
    const node = value as Record<string, unknown>;
    noteColumns(node);
    let copy: Record<string, unknown> | undefined;
    for (const k in node) {
      const v = node[k];
      const kept = k === 'offset' && skipPushed.includes(node as unknown as P.Select) ? undefined
        : (k === 'where' || k === 'on') && v !== undefined ? withoutPushed(v as P.Expr) : v;
      const next = kept === undefined ? undefined : rewrite(kept, k);
      if (next !== v && !copy) {
        copy = {};
        for (const earlier in node) {
          if (earlier === k) break;
          copy[earlier] = node[earlier];
        }
      }
      if (copy) copy[k] = next;
    }
    return copy ?? node;
  };
  const query = rewrite(bound.query) as P.Query;
  const columnsRead = new Map<number, Column[]>();
  for (const scan of bound.scans) {
    const read = names.get(scan.id);
    columnsRead.set(scan.id, starred.has(scan.id) ? scan.columns : scan.columns.filter((c) => read?.has(c.name.toLowerCase())));
  }
  return { query, columnsRead };
}
