/**
 * Walks a bound query and finds, for every scan, the SELECT block it belongs to and the conditions
 * that may be pushed into it: WHERE conjuncts when the scan is not on the null-supplying side of an
 * outer join, and ON conjuncts of the join it is a direct child of (INNER: either side; LEFT: the
 * right side; RIGHT: the left side).
 *
 * `SELECT … FROM account a LEFT JOIN contact c ON c.accountid = a.accountid AND c.statecode = 0
 *  WHERE a.name LIKE 'A%'` → scan a: [a.name LIKE 'A%']; scan c: [c.statecode = 0].
 *
 * Conditions on a derived table's, a CTE's or a UNION's outputs are carried down into the scans
 * below as `inherited` conditions, wherever the rules in rules/ prove that gives the same rows
 * (through-select.ts, through-set-operation.ts, single-reference-cte.ts). The outer condition
 * stays where it is; the inherited one only lets fewer rows come from the service.
 *
 * `SELECT TOP 10 name FROM (SELECT accountid, name FROM account) a WHERE name = 'Data8'` → scan
 * account: inherited [name = 'Data8'].
 */
import type { Cte, Expr, FromRef, Query, Select } from '../plan/index.js';
import { outputNames, outputPredicate, type OutputPredicate } from './rules/output-predicate.js';
import { singleReferenceCtes } from './rules/single-reference-cte.js';
import { throughSelect } from './rules/through-select.js';
import { throughSetOperation } from './rules/through-set-operation.js';

export interface ScanContext {
  block: Select;
  /** conjuncts that may be pushed into this scan (they may still fail to translate) */
  candidates: Expr[];
  /**
   * conditions of outer blocks carried down to this scan by the rules (rules/): they may be sent
   * too, but the outer block keeps its own condition, so they are no part of this block's WHERE
   */
  inherited: Expr[];
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

/** what the whole walk shares: the CTEs a condition may enter, their definitions, and the conditions carried to each */
interface Walk {
  contexts: Map<number, ScanContext>;
  /** CTEs read once, not recursive (lower-case names) */
  enterable: Set<string>;
  definitions: Map<string, Cte>;
  /** per CTE (lower-case name), the conditions on its outputs from the block that reads it */
  cteConditions: Map<string, OutputPredicate[]>;
}

export function scanContexts(query: Query): Map<number, ScanContext> {
  const walk: Walk = { contexts: new Map(), enterable: singleReferenceCtes(query), definitions: new Map(), cteConditions: new Map() };
  visitQuery(query, walk, []);
  return walk.contexts;
}

/** `inherited`: conditions on the query's outputs from the block that reads it */
function visitQuery(query: Query, walk: Walk, inherited: OutputPredicate[]): void {
  for (const cte of query.with) walk.definitions.set(cte.name.toLowerCase(), cte);
  if (query.kind === 'setop') {
    const left: OutputPredicate[] = [];
    const right: OutputPredicate[] = [];
    for (const predicate of inherited) {
      const sides = throughSetOperation(predicate, query);
      if (!sides.ok) continue;
      left.push(sides.left);
      right.push(sides.right);
    }
    visitQuery(query.left, walk, left);
    visitQuery(query.right, walk, right);
  } else {
    visitSelect(query, walk, inherited);
  }
  // the body first: it gathers the conditions on each CTE; a later CTE may read an earlier one
  for (const cte of [...query.with].reverse()) visitQuery(cte.query, walk, walk.cteConditions.get(cte.name.toLowerCase()) ?? []);
}

function visitSelect(query: Select, walk: Walk, inheritedOutputs: OutputPredicate[]): void {
  const contexts = walk.contexts;
  const where = conjuncts(query.where);
  const inherited: Expr[] = [];
  for (const predicate of inheritedOutputs) {
    const passed = throughSelect(predicate, query);
    if (passed.ok) inherited.push(...conjuncts(passed.condition));
  }
  const block: Block = {
    select: query, where, whereScans: where.map(soleScan), inherited, inheritedScans: inherited.map(soleScan), soleSource: query.from?.kind === 'scan',
  };
  if (query.from) visitFrom(query.from, false, block, walk, []);
  // subqueries anywhere in the block hold their own scans
  for (const c of query.columns) visitSubqueries(c.expr, walk);
  for (const g of query.groupBy) visitSubqueries(g, walk);
  for (const o of query.orderBy) visitSubqueries(o.expr, walk);
  if (query.where) visitSubqueries(query.where, walk);
  if (query.having) visitSubqueries(query.having, walk);
  visitJoinConditions(query.from, walk);
}

/** a SELECT block being walked, with its WHERE conjuncts, the conditions carried into it, and the one scan each reads */
interface Block {
  select: Select; where: Expr[]; whereScans: (number | undefined)[]; inherited: Expr[]; inheritedScans: (number | undefined)[]; soleSource: boolean;
}

/**
 * `on`: the ON conjuncts of the joins above `from` that may filter it (INNER: either side; LEFT:
 * the right side; RIGHT: the left side)
 */
function visitFrom(from: FromRef, nullable: boolean, block: Block, walk: Walk, on: Expr[]): void {
  switch (from.kind) {
    case 'scan':
      walk.contexts.set(from.scanId, {
        block: block.select, soleSource: block.soleSource,
        candidates: [...(nullable ? [] : readingOnly(block.where, block.whereScans, from.scanId)), ...on.filter((c) => soleScan(c) === from.scanId)],
        inherited: nullable ? [] : readingOnly(block.inherited, block.inheritedScans, from.scanId),
      });
      return;
    case 'derived': {
      const names = outputNames(from.query);
      visitQuery(from.query, walk, names ? sourceConditions(from.alias, names, nullable, block, on) : []);
      return;
    }
    case 'cteRef': {
      const name = from.name.toLowerCase();
      const cte = walk.definitions.get(name);
      const names = cte ? cte.columns ?? outputNames(cte.query) : undefined;
      if (!names || !walk.enterable.has(name)) return;
      const conditions = walk.cteConditions.get(name) ?? [];
      conditions.push(...sourceConditions(from.alias, names, nullable, block, on));
      walk.cteConditions.set(name, conditions);
      return;
    }
    case 'join': {
      const conditions = conjuncts(from.on);
      const leftOn = from.type === 'INNER' || from.type === 'RIGHT' ? conditions : [];
      const rightOn = from.type === 'INNER' || from.type === 'LEFT' ? conditions : [];
      // the ON conditions of this join filter its direct children only (a nested join's side is its own)
      visitFrom(from.left, nullable || from.type === 'RIGHT' || from.type === 'FULL', block, walk, from.left.kind === 'join' ? [] : leftOn);
      visitFrom(from.right, nullable || from.type === 'LEFT' || from.type === 'FULL', block, walk, from.right.kind === 'join' ? [] : rightOn);
      return;
    }
  }
}

/** the block's conditions (WHERE and inherited, unless the source is null-supplying; ON) on the source `alias`'s outputs only */
function sourceConditions(alias: string, names: readonly string[], nullable: boolean, block: Block, on: Expr[]): OutputPredicate[] {
  const conditions = [...(nullable ? [] : [...block.where, ...block.inherited]), ...on];
  return conditions.flatMap((c) => outputPredicate(c, alias, names) ?? []);
}

function visitJoinConditions(from: FromRef | undefined, walk: Walk): void {
  if (from?.kind !== 'join') return;
  if (from.on) visitSubqueries(from.on, walk);
  visitJoinConditions(from.left, walk);
  visitJoinConditions(from.right, walk);
}

function visitSubqueries(expr: Expr, walk: Walk): void {
  switch (expr.kind) {
    case 'inQuery': visitSubqueries(expr.expr, walk); visitQuery(expr.query, walk, []); return;
    case 'exists': case 'subquery': visitQuery(expr.query, walk, []); return;
    case 'binary': visitSubqueries(expr.left, walk); visitSubqueries(expr.right, walk); return;
    case 'unary': visitSubqueries(expr.operand, walk); return;
    case 'like': visitSubqueries(expr.expr, walk); visitSubqueries(expr.pattern, walk); return;
    case 'inList':
      visitSubqueries(expr.expr, walk);
      for (const item of expr.list) visitSubqueries(item, walk);
      return;
    case 'between': visitSubqueries(expr.expr, walk); visitSubqueries(expr.low, walk); visitSubqueries(expr.high, walk); return;
    case 'isNull': case 'cast': visitSubqueries(expr.expr, walk); return;
    case 'case':
      if (expr.operand) visitSubqueries(expr.operand, walk);
      for (const w of expr.whens) {
        visitSubqueries(w.when, walk);
        visitSubqueries(w.then, walk);
      }
      if (expr.else) visitSubqueries(expr.else, walk);
      return;
    case 'function': for (const arg of expr.args) visitSubqueries(arg, walk); return;
    default: return;
  }
}
