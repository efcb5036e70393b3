/**
 * Walks a bound query and finds, for every scan, the SELECT block it belongs to and the conditions
 * that may be pushed into it: WHERE conjuncts when the scan is not on the null-supplying side of an
 * outer join, and ON conjuncts of the join it is a direct child of (INNER: either side; LEFT: the
 * right side; RIGHT: the left side).
 *
 * `SELECT … FROM account a LEFT JOIN contact c ON c.accountid = a.accountid AND c.statecode = 0
 *  WHERE a.name LIKE 'A%'` → scan a: [a.name LIKE 'A%']; scan c: [c.statecode = 0].
 */
import type { Expr, FromRef, Query, Select } from '../plan/index.js';

export interface ScanContext {
  block: Select;
  /** conjuncts that may be pushed into this scan (they may still fail to translate) */
  candidates: Expr[];
  /** the block reads only this scan: ORDER BY / TOP / OFFSET may go along */
  soleSource: boolean;
}

/** the conjuncts of an AND chain, left to right (added to `into`) */
export function conjuncts(expr: Expr | undefined, into: Expr[] = []): Expr[] {
  if (!expr) return into;
  if (expr.kind === 'binary' && expr.op === 'AND') {
    conjuncts(expr.left, into);
    conjuncts(expr.right, into);
  } else {
    into.push(expr);
  }
  return into;
}

/** what `scansRead` found: no scan yet, or more than one (or something that is no scan's column) */
const NONE = 0; // scan ids start at 1
const MANY = -1;

/** the one scan the expression reads, if it reads exactly one and nothing else (an outer column, a subquery, a window) */
function soleScan(expr: Expr): number | undefined {
  const found = scansRead(expr, NONE);
  return found > 0 ? found : undefined;
}

/** `seen` combined with what `e` reads: NONE, the one scan id read so far, or MANY */
function scansRead(e: Expr, seen: number): number {
  if (seen === MANY) return MANY;
  switch (e.kind) {
    case 'column':
      if (e.scanId === undefined) return MANY;
      return seen === NONE || seen === e.scanId ? e.scanId : MANY;
    case 'binary': return scansRead(e.right, scansRead(e.left, seen));
    case 'unary': return scansRead(e.operand, seen);
    case 'like': {
      const read = scansRead(e.pattern, scansRead(e.expr, seen));
      return e.escape ? scansRead(e.escape, read) : read;
    }
    case 'inList': {
      let read = scansRead(e.expr, seen);
      for (const item of e.list) read = scansRead(item, read);
      return read;
    }
    case 'between': return scansRead(e.high, scansRead(e.low, scansRead(e.expr, seen)));
    case 'isNull': case 'cast': return scansRead(e.expr, seen);
    case 'case': {
      let read = e.operand ? scansRead(e.operand, seen) : seen;
      for (const w of e.whens) read = scansRead(w.then, scansRead(w.when, read));
      return e.else ? scansRead(e.else, read) : read;
    }
    case 'function': {
      if (e.over) return MANY;
      let read = seen;
      for (const arg of e.args) read = scansRead(arg, read);
      return read;
    }
    case 'inQuery': case 'exists': case 'subquery': return MANY;
    default: return seen;
  }
}

/** the conditions that read only `scanId`, of `all` whose sole scans are `scans` */
function readingOnly(all: Expr[], scans: (number | undefined)[], scanId: number): Expr[] {
  return all.filter((_, i) => scans[i] === scanId);
}

export function scanContexts(query: Query): Map<number, ScanContext> {
  const contexts = new Map<number, ScanContext>();
  visitQuery(query, contexts);
  return contexts;
}

function visitQuery(query: Query, contexts: Map<number, ScanContext>): void {
  for (const cte of query.with) visitQuery(cte.query, contexts);
  if (query.kind === 'setop') {
    visitQuery(query.left, contexts);
    visitQuery(query.right, contexts);
    return;
  }
  const where = conjuncts(query.where);
  const block: Block = { select: query, where, whereScans: where.map(soleScan), soleSource: query.from?.kind === 'scan' };
  if (query.from) visitFrom(query.from, false, block, contexts);
  // subqueries anywhere in the block hold their own scans
  for (const c of query.columns) visitSubqueries(c.expr, contexts);
  for (const g of query.groupBy) visitSubqueries(g, contexts);
  for (const o of query.orderBy) visitSubqueries(o.expr, contexts);
  if (query.where) visitSubqueries(query.where, contexts);
  if (query.having) visitSubqueries(query.having, contexts);
  visitJoinConditions(query.from, contexts);
}

/** a SELECT block being walked, with its WHERE conjuncts and the one scan each reads */
interface Block { select: Select; where: Expr[]; whereScans: (number | undefined)[]; soleSource: boolean }

function visitFrom(from: FromRef, nullable: boolean, block: Block, contexts: Map<number, ScanContext>): void {
  switch (from.kind) {
    case 'scan':
      contexts.set(from.scanId, {
        block: block.select, soleSource: block.soleSource,
        candidates: nullable ? [] : readingOnly(block.where, block.whereScans, from.scanId),
      });
      return;
    case 'derived': visitQuery(from.query, contexts); return;
    case 'cteRef': return;
    case 'join': {
      visitFrom(from.left, nullable || from.type === 'RIGHT' || from.type === 'FULL', block, contexts);
      visitFrom(from.right, nullable || from.type === 'LEFT' || from.type === 'FULL', block, contexts);
      const on = conjuncts(from.on);
      const onScans = on.map(soleScan);
      const pushInto = (child: FromRef, allowed: boolean) => {
        if (!allowed || child.kind !== 'scan') return;
        contexts.get(child.scanId)!.candidates.push(...readingOnly(on, onScans, child.scanId));
      };
      pushInto(from.left, from.type === 'INNER' || from.type === 'RIGHT');
      pushInto(from.right, from.type === 'INNER' || from.type === 'LEFT');
      return;
    }
  }
}

function visitJoinConditions(from: FromRef | undefined, contexts: Map<number, ScanContext>): void {
  if (from?.kind !== 'join') return;
  if (from.on) visitSubqueries(from.on, contexts);
  visitJoinConditions(from.left, contexts);
  visitJoinConditions(from.right, contexts);
}

function visitSubqueries(expr: Expr, contexts: Map<number, ScanContext>): void {
  switch (expr.kind) {
    case 'inQuery': visitSubqueries(expr.expr, contexts); visitQuery(expr.query, contexts); return;
    case 'exists': case 'subquery': visitQuery(expr.query, contexts); return;
    case 'binary': visitSubqueries(expr.left, contexts); visitSubqueries(expr.right, contexts); return;
    case 'unary': visitSubqueries(expr.operand, contexts); return;
    case 'like': visitSubqueries(expr.expr, contexts); visitSubqueries(expr.pattern, contexts); return;
    case 'inList':
      visitSubqueries(expr.expr, contexts);
      for (const item of expr.list) visitSubqueries(item, contexts);
      return;
    case 'between': visitSubqueries(expr.expr, contexts); visitSubqueries(expr.low, contexts); visitSubqueries(expr.high, contexts); return;
    case 'isNull': case 'cast': visitSubqueries(expr.expr, contexts); return;
    case 'case':
      if (expr.operand) visitSubqueries(expr.operand, contexts);
      for (const w of expr.whens) {
        visitSubqueries(w.when, contexts);
        visitSubqueries(w.then, contexts);
      }
      if (expr.else) visitSubqueries(expr.else, contexts);
      return;
    case 'function': for (const arg of expr.args) visitSubqueries(arg, contexts); return;
    default: return;
  }
}
