/**
 * Prepared plans of repeated statements, so a repeat skips bind and push-down as well as the parse.
 *
 * A plan is only valid for what it was planned against, so the cache is split by the identity of the
 * catalog, the system tables and the capability facts (a metadata refresh swaps those objects, and the
 * new ones start with an empty cache), and the key holds everything else the plan reads: dialect,
 * settings and the parameter values, which planning writes into request URLs:
 *
 *   planCache.get({catalog, system, facts}, key) → the frozen plan of `SELECT … WHERE x = @p` with p = 1,
 *   not the one with p = '1'.
 *
 * Cached plans are shared by every later execution, so what their users reach is frozen: the plan, its
 * scans with their requests, headers and reports, and its output (see freezePlan).
 */
import { LRUCache } from 'lru-cache';
import type { Catalog, Table } from '../catalog/types.js';
import type { PhysicalPlan } from './physical.js';

/** how many plans are kept per catalog (the parse cache keeps 500 statements too) */
const PLANS_PER_CATALOG = 500;

export interface PlanScope {
  catalog: Catalog;
  systemTables: readonly Table[];
  /** the capability facts the plan was made with (any object; compared by identity) */
  facts: object;
}

/** a plan with whatever the caller keeps along with it (`{plan, explain}`) */
export interface CachedPlan {
  plan: PhysicalPlan;
}

export class PlanCache<T extends CachedPlan> {
  private readonly scopes = new WeakMap<Catalog, WeakMap<readonly Table[], WeakMap<object, LRUCache<string, T>>>>();

  get(scope: PlanScope, key: string): T | undefined {
    return this.plansOf(scope).get(key);
  }

  /** freezes the entry and its plan and keeps it; returns it */
  set(scope: PlanScope, key: string, entry: T): T {
    freezePlan(entry.plan);
    this.plansOf(scope).set(key, Object.freeze(entry));
    return entry;
  }

  private plansOf(scope: PlanScope): LRUCache<string, T> {
    let bySystem = this.scopes.get(scope.catalog);
    if (!bySystem) this.scopes.set(scope.catalog, (bySystem = new WeakMap()));
    let byFacts = bySystem.get(scope.systemTables);
    if (!byFacts) bySystem.set(scope.systemTables, (byFacts = new WeakMap()));
    let plans = byFacts.get(scope.facts);
    if (!plans) byFacts.set(scope.facts, (plans = new LRUCache<string, T>({ max: PLANS_PER_CATALOG })));
    return plans;
  }
}

/**
 * Freezes what the users of a plan get hold of: the plan and its fallback, each scan with its request,
 * headers, columns list, expands and reports, and the output with its names, columns and reasons. Left
 * as they are: the catalog's tables and columns (they belong to the catalog), the parameter Map
 * (freezing does not reach a Map's entries; its Dates are copies made for the plan) and the local
 * step's query tree, which only the local engine reads, to render it. Freezing that tree too meant a
 * walk over every node of every new plan, ~5 % of a first translation.
 */
function freezePlan(plan: PhysicalPlan): void {
  for (const scan of plan.scans) {
    Object.freeze(scan.columns);
    if (scan.kind === 'remoteScan') {
      Object.freeze(scan.request.headers);
      Object.freeze(scan.request);
      Object.freeze(scan.pushed);
      Object.freeze(scan.notPushed);
      for (const e of scan.expand ?? []) Object.freeze(Object.freeze(e).columns);
      if (scan.expand) Object.freeze(scan.expand);
      for (const o of scan.aggregateOutputs ?? []) Object.freeze(o);
      if (scan.aggregateOutputs) Object.freeze(scan.aggregateOutputs);
    }
    Object.freeze(scan);
  }
  Object.freeze(plan.scans);
  if (plan.output.kind === 'direct') {
    Object.freeze(plan.output.names);
    Object.freeze(plan.output.columns);
  } else {
    Object.freeze(plan.output.step.reasons);
    Object.freeze(plan.output.step);
  }
  Object.freeze(plan.output);
  if (plan.fallback) freezePlan(plan.fallback);
  Object.freeze(plan);
}

/**
 * Parameter values as an unambiguous key part: each with its type and, for text, its length, so
 * 1, '1', 1n and true differ, and `'a|b'` cannot pose as two values. Dates by their ISO value.
 * `undefined` when a value has no such form (then the statement is not cached).
 */
export function parameterKey(values: Iterable<unknown>): string | undefined {
  let key = '';
  for (const value of values) {
    if (value === null || value === undefined) key += 'z;';
    else if (typeof value === 'string') key += `s${value.length}:${value};`;
    else if (typeof value === 'number') key += `n${Object.is(value, -0) ? '-0' : String(value)};`;
    else if (typeof value === 'bigint') key += `i${value};`;
    else if (typeof value === 'boolean') key += value ? 't;' : 'f;';
    else if (value instanceof Date) key += `d${Number.isNaN(value.getTime()) ? 'NaN' : value.toISOString()};`;
    else return undefined;
  }
  return key;
}
