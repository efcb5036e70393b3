/**
 * Reduces a disagreeing statement to a minimal one: drops clauses, select items and predicate
 * branches, and replaces expressions by their same-typed operands, keeping each step only while the
 * disagreement stays.
 */
import type { Select } from './ast.js';

const PRED_KINDS = new Set(['cmp', 'and', 'or', 'not', 'isnull', 'like', 'in', 'between', 'distinct', 'insub', 'exists']);
type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** every smaller variant of q, roughly biggest cut first */
export function* reductions(q: Select): Generator<Select> {
  const nodes: { path: (string | number)[]; node: Json }[] = [];
  const walk = (x: unknown, path: (string | number)[]) => {
    if (Array.isArray(x)) x.forEach((v, i) => walk(v, [...path, i]));
    else if (isObject(x)) {
      nodes.push({ path, node: x });
      // a PIVOT's source and its written-out equivalent change together or not at all
      if (x.k === 'derived' && x.pivot !== undefined) return;
      for (const [key, v] of Object.entries(x)) walk(v, [...path, key]);
    }
  };
  walk(q, []);
  const withReplaced = (path: (string | number)[], value: unknown): Select => {
    const copy = structuredClone(q) as unknown as Json;
    let at: unknown = copy;
    for (const step of path.slice(0, -1)) at = (at as Record<string | number, unknown>)[step];
    const last = path[path.length - 1]!;
    if (value === undefined && !Array.isArray(at)) delete (at as Json)[last as string];
    else if (value === undefined) (at as unknown[]).splice(last as number, 1);
    else (at as Record<string | number, unknown>)[last] = value;
    return copy as unknown as Select;
  };
  for (const { path, node } of nodes) {
    if (node.k === 'select') {
      for (const clause of ['joins', 'where', 'having', 'distinct', 'ctes']) if (node[clause] !== undefined) yield withReplaced([...path, clause], undefined);
      if (node.union !== undefined) {
        // a set operation's order is total only because its rows are distinct: without it, no order is kept
        const single = withReplaced([...path, 'union'], undefined) as unknown as Json;
        let at: Json = single;
        for (const step of path) at = (at as Record<string | number, Json>)[step]!;
        for (const key of ['orderBy', 'orderTotal', 'top', 'offset']) delete at[key];
        yield single as unknown as Select;
      }
      if (node.top !== undefined) yield withReplaced([...path, 'top'], undefined);
      if (node.offset !== undefined) yield withReplaced([...path, 'offset'], undefined);
      if (node.orderBy !== undefined && node.top === undefined && node.offset === undefined) {
        const copy = withReplaced([...path, 'orderBy'], undefined);
        yield copy;
      }
      const items = node.items as Json[];
      const ordered = new Set(((node.orderBy as { alias: string }[] | undefined) ?? []).map((o) => o.alias));
      if (items.length > 1 && path.length === 0) {
        for (let i = 0; i < items.length; i++) if (!ordered.has(items[i]!.alias as string)) yield withReplaced([...path, 'items', i], undefined);
      }
    } else if (PRED_KINDS.has(node.k as string)) {
      if (node.k === 'and' || node.k === 'or') {
        yield withReplaced(path, node.l);
        yield withReplaced(path, node.r);
      } else if (node.k === 'not') yield withReplaced(path, node.p);
      else if (node.k === 'in' && (node.list as unknown[]).length > 1) {
        for (let i = 0; i < (node.list as unknown[]).length; i++) yield withReplaced([...path, 'list', i], undefined);
      }
    } else if (typeof node.ty === 'string') {
      const children: unknown[] = [];
      if (node.k === 'bin') children.push(node.l, node.r);
      if (node.k === 'neg') children.push(node.e);
      if (node.k === 'fn') children.push(...(node.args as unknown[]));
      if (node.k === 'case') children.push(...(node.whens as { then: unknown }[]).map((w) => w.then), node.else);
      for (const c of children) if (isObject(c) && c.ty === node.ty) yield withReplaced(path, c);
    }
  }
}

/** Greedy reduction: applies the first reduction that keeps `stillFails`, until none does (bounded). */
export async function shrink(q: Select, stillFails: (q: Select) => Promise<boolean>, budget = 250): Promise<Select> {
  let current = q;
  let tries = 0;
  let progressed = true;
  while (progressed && tries < budget) {
    progressed = false;
    for (const candidate of reductions(current)) {
      if (++tries > budget) break;
      if (await stillFails(candidate)) {
        current = candidate;
        progressed = true;
        break;
      }
    }
  }
  return current;
}
