/**
 * Rule: a scalar subquery in the select list that reads one row of a table by its key is a LEFT
 * JOIN on that key, which push-down can then answer with `$expand` (expand.ts) or one filtered
 * request, instead of reading the table for every row's lookup locally.
 *
 * Before: `SELECT a.name, (SELECT c.fullname FROM contact c WHERE c.contactid = a.primarycontactid) AS pc FROM account a`
 * After:  `SELECT a.name, __sq2.fullname AS pc FROM account a LEFT JOIN contact __sq2 ON __sq2.contactid = a.primarycontactid`
 *
 * Exact because the key matches at most one row: the subquery's value is that row's column, or NULL
 * when there is none, which is what the LEFT JOIN gives. Further conditions of the subquery on its
 * own table go into the ON (a row they reject is no row: NULL again). It does not apply when
 * - the key is not the table's single GUID key (a string key could match several spellings);
 * - the subquery aggregates, groups, limits, sorts, deduplicates, or reads a derived table or a join;
 * - its value is not a plain column of its table, or a condition reads anything but its table;
 * - the block groups or aggregates (the joined column would be neither grouped nor aggregated);
 * - the correlated column is not one of the block's own FROM sources (it reads an enclosing block).
 */
import type { Column } from '../../catalog/types.js';
import type { ColumnRef, Expr, FromRef, Query, Scan, Select, SelectItem } from '../../plan/index.js';
import { containsAggregate, outputName } from '../../plan/index.js';
import { mapTree } from './map-tree.js';

/** the scans a FROM item reads directly (not inside derived tables) */
function scansOf(from: FromRef): number[] {
  if (from.kind === 'scan') return [from.scanId];
  if (from.kind === 'join') return [...scansOf(from.left), ...scansOf(from.right)];
  return [];
}

/** every column reference of an expression reads `scanId` (and nothing is a subquery) */
function readsOnly(expr: Expr, scanId: number): boolean {
  let only = true;
  mapTree(expr, (node) => {
    if (node.kind === 'column' && (node as unknown as ColumnRef).scanId !== scanId) only = false;
    if (node.kind === 'subquery' || node.kind === 'exists' || node.kind === 'inQuery' || node.kind === 'star') only = false;
    if (node.kind === 'function' && (node as { over?: unknown }).over) only = false;
    return node;
  });
  return only;
}

function conjunctsOf(expr: Expr | undefined, into: Expr[] = []): Expr[] {
  if (!expr) return into;
  if (expr.kind === 'binary' && expr.op === 'AND') {
    conjunctsOf(expr.left, into);
    conjunctsOf(expr.right, into);
  } else {
    into.push(expr);
  }
  return into;
}

/** the expression with every reference to `scanId` under the qualifier `alias` */
function requalified<T>(node: T, scanId: number, alias: string): T {
  return mapTree(node, (n) => (n.kind === 'column' && (n as unknown as ColumnRef).scanId === scanId ? { ...n, qualifier: alias } : n));
}

interface KeyLookup { scan: number; value: ColumnRef; on: Expr }

/** `(SELECT c.x FROM T c WHERE c.key = outer.col AND <conditions on c>)` as the parts of a LEFT JOIN */
function keyLookup(expr: Expr, sources: ReadonlySet<number>, scans: readonly Scan[]): KeyLookup | undefined {
  if (expr.kind !== 'subquery') return undefined;
  const sub: Query = expr.query;
  if (sub.kind !== 'select' || sub.with.length > 0 || sub.from?.kind !== 'scan' || sub.distinct) return undefined;
  if (sub.groupBy.length > 0 || sub.having || sub.limit || sub.offset || sub.orderBy.length > 0 || sub.columns.length !== 1) return undefined;
  const innerId = sub.from.scanId;
  const inner = scans.find((s) => s.id === innerId);
  const value = sub.columns[0]!.expr;
  if (!inner || value.kind !== 'column' || value.scanId !== innerId || containsAggregate(value)) return undefined;
  const key: Column | undefined = inner.table.primaryKey.length === 1 ? inner.table.columns.find((c) => c.name === inner.table.primaryKey[0]) : undefined;
  if (!key || key.edmType !== 'Edm.Guid') return undefined;
  let correlated = false;
  for (const condition of conjunctsOf(sub.where)) {
    if (!correlated && condition.kind === 'binary' && condition.op === '=') {
      const [mine, theirs] = condition.left.kind === 'column' && condition.left.scanId === innerId ? [condition.left, condition.right] : [condition.right, condition.left];
      if (mine.kind === 'column' && mine.scanId === innerId && mine.column === key
        && theirs.kind === 'column' && theirs.scanId !== undefined && sources.has(theirs.scanId)) {
        correlated = true;
        continue;
      }
    }
    if (!readsOnly(condition, innerId)) return undefined;
  }
  if (!correlated || !sub.where) return undefined;
  return { scan: innerId, value, on: sub.where };
}

export function scalarSubqueryByKey(query: Query, scans: readonly Scan[]): Query {
  return mapTree(query, (node) => {
    if (node.kind !== 'select') return node;
    const block = node as unknown as Select;
    if (!block.from || block.groupBy.length > 0 || block.having || block.columns.some((c) => containsAggregate(c.expr))) return node;
    const sources = new Set(scansOf(block.from));
    let from: FromRef = block.from;
    let changed = false;
    const columns = block.columns.map((item, index): SelectItem => {
      const lookup = keyLookup(item.expr, sources, scans);
      if (!lookup) return item;
      changed = true;
      // a fresh alias: the subquery's own may be one the block already uses
      const alias = `__sq${lookup.scan}`;
      from = { kind: 'join', type: 'LEFT', left: from, right: { kind: 'scan', scanId: lookup.scan, alias }, on: requalified(lookup.on, lookup.scan, alias) };
      return { expr: requalified(lookup.value, lookup.scan, alias), alias: item.alias ?? outputName(item.expr, index) };
    });
    return changed ? { ...node, from, columns } as unknown as Record<string, unknown> : node;
  });
}
