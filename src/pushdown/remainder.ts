/**
 * The local remainder of a query: a copy without what the service already did exactly. Conditions
 * that went out in `$filter` are dropped (the rows that come back already satisfy them), and OFFSET
 * is dropped from blocks whose offset went out as `$skip`. Then each scan needs only the columns
 * the remainder still reads: `WHERE statecode = 0` pushed → `statecode` leaves `$select`.
 *
 * `SELECT name FROM account a JOIN … WHERE a.statecode = 0` → local `… JOIN …` (no WHERE).
 */
import type { Column } from '../catalog/types.js';
import type * as P from '../plan/index.js';
import { conjuncts, type ScanContext } from './walk.js';

export function localRemainder(query: P.Query, pushed: ReadonlySet<P.Expr>, skipPushed: ReadonlySet<P.Select>): P.Query {
  const withoutPushed = (expr: P.Expr | undefined): P.Expr | undefined => {
    const kept = conjuncts(expr).filter((c) => !pushed.has(c));
    if (kept.length === 0) return undefined;
    return kept.reduce((left, right) => ({ kind: 'binary', op: 'AND', left, right }));
  };
  const copy = (value: unknown, key?: string): unknown => {
    // catalog objects are shared, never copied
    if (key === 'column' || key === 'table' || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => copy(v));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'offset' && skipPushed.has(value as P.Select)) continue;
      const next = (k === 'where' || k === 'on') && v !== undefined ? withoutPushed(v as P.Expr) : v;
      if (next === undefined) continue;
      out[k] = copy(next, k);
    }
    return out;
  };
  return copy(query) as P.Query;
}

/**
 * The columns of each scan the remainder reads: its column references, plus every bound column of a
 * scan a `*` reads (stars are found in the bound query; the remainder keeps them all).
 */
export function columnsRead(remainder: P.Query, bound: P.BoundQuery, contexts: ReadonlyMap<number, ScanContext>): Map<number, Column[]> {
  const names = new Map<number, Set<string>>();
  const starred = new Set<number>();
  walk(remainder, (node) => {
    if (node.kind === 'column' && typeof node.scanId === 'number') {
      let set = names.get(node.scanId);
      if (!set) names.set(node.scanId, (set = new Set()));
      set.add(String(node.name).toLowerCase());
    }
  });
  walk(bound.query, (node) => {
    if (node.kind !== 'select') return;
    const block = node as unknown as P.Select;
    for (const item of block.columns) {
      if (item.expr.kind !== 'star') continue;
      const qualifier = item.expr.qualifier?.toLowerCase();
      for (const scan of bound.scans) {
        if (contexts.get(scan.id)?.block === block && (qualifier === undefined || qualifier === scan.alias.toLowerCase())) starred.add(scan.id);
      }
    }
  });
  const result = new Map<number, Column[]>();
  for (const scan of bound.scans) {
    const read = names.get(scan.id);
    result.set(scan.id, starred.has(scan.id) ? scan.columns : scan.columns.filter((c) => read?.has(c.name.toLowerCase())));
  }
  return result;
}

/** calls `fn` for every plan node (objects with a `kind`), skipping shared catalog objects */
function walk(value: unknown, fn: (node: Record<string, unknown>) => void): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walk(v, fn);
    return;
  }
  const node = value as Record<string, unknown>;
  if (typeof node.kind === 'string') fn(node);
  for (const [k, v] of Object.entries(node)) if (k !== 'column' && k !== 'table') walk(v, fn);
}
