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
 * Cached plans are shared by every later execution, so they are frozen (all but the catalog objects
 * they point to, which belong to the catalog).
 */
import { LRUCache } from 'lru-cache';
import type { Catalog, Table } from '../catalog/types.js';

/** how many plans are kept per catalog (the parse cache keeps 500 statements too) */
const PLANS_PER_CATALOG = 500;

export interface PlanScope {
  catalog: Catalog;
  systemTables: readonly Table[];
  /** the capability facts the plan was made with (any object; compared by identity) */
  facts: object;
}

interface ScopeCache<T extends object> {
  plans: LRUCache<string, T>;
  /** the catalog's own objects (tables, columns): shared with the catalog, never frozen here */
  catalogObjects: WeakSet<object>;
}

export class PlanCache<T extends object> {
  private readonly scopes = new WeakMap<Catalog, WeakMap<readonly Table[], WeakMap<object, ScopeCache<T>>>>();

  get(scope: PlanScope, key: string): T | undefined {
    return this.scopeCache(scope).plans.get(key);
  }

  /** freezes the plan and keeps it; returns it */
  set(scope: PlanScope, key: string, plan: T): T {
    const cache = this.scopeCache(scope);
    deepFreeze(plan, cache.catalogObjects);
    cache.plans.set(key, plan);
    return plan;
  }

  private scopeCache(scope: PlanScope): ScopeCache<T> {
    let bySystem = this.scopes.get(scope.catalog);
    if (!bySystem) this.scopes.set(scope.catalog, (bySystem = new WeakMap()));
    let byFacts = bySystem.get(scope.systemTables);
    if (!byFacts) bySystem.set(scope.systemTables, (byFacts = new WeakMap()));
    let cache = byFacts.get(scope.facts);
    if (!cache) {
      cache = { plans: new LRUCache<string, T>({ max: PLANS_PER_CATALOG }), catalogObjects: catalogObjectsOf(scope) };
      byFacts.set(scope.facts, cache);
    }
    return cache;
  }
}

function catalogObjectsOf(scope: PlanScope): WeakSet<object> {
  const objects = new WeakSet<object>();
  for (const table of [...scope.catalog.tables, ...scope.systemTables]) {
    objects.add(table);
    objects.add(table.columns);
    for (const column of table.columns) objects.add(column);
  }
  return objects;
}

function deepFreeze(value: unknown, skip: WeakSet<object>): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || skip.has(value)) return;
  // Dates and Maps hold their state in internal slots that freezing does not protect; they are
  // replaced or left as they are by the planner and never changed after planning
  Object.freeze(value);
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v, skip);
    return;
  }
  for (const v of Object.values(value)) deepFreeze(v, skip);
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
