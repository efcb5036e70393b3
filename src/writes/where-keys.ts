/**
 * Values a write takes as they are (literals and parameters in VALUES and SET), the target rows of a
 * read each once, and INSERT … SELECT by position. Anything computed is left to the SELECT engine.
 *
 * `constantInput(parse("@n"), params)` → `{ value: 'x' }`; `constantInput(parse("UPPER(@n)"))` → undefined.
 */
import type { Column } from '../catalog/types.js';
import { constantValue, type ParamValues } from '../pushdown/index.js';
import type * as S from '../sql/index.js';
import type { InputValue } from './types.js';

const BRACED_GUID = /^\s*\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}\s*$/;

/** the value of a literal, a parameter or a signed number; undefined for anything to compute */
export function constantInput(expr: S.Expr, params: ParamValues): { value: InputValue } | undefined {
  if (expr.kind !== 'literal' && expr.kind !== 'param' && expr.kind !== 'unary') return undefined;
  // these three kinds have the same shape in the SQL AST and in the bound plan
  const c = constantValue(expr as never, params);
  return c ? { value: c.value as InputValue } : undefined;
}

/**
 * A join can return a target row more than once; it is written once. Keys compare as the service
 * compares them: case-insensitively, and a GUID with or without braces (`{5A69…}` = `5a69…`).
 */
export function uniqueByKey<T extends { key: ReadonlyMap<Column, InputValue> }>(rows: readonly T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const id = JSON.stringify([...r.key.values()].map((v) => (typeof v === 'string' ? v.toLowerCase().replace(BRACED_GUID, '$1') : String(v))));
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** INSERT … SELECT maps by position: the select list is renamed `__c0, __c1, …` so equal names cannot collide. */
export function positional(query: S.Query): S.Query {
  if (query.kind === 'setop') return { ...query, left: positional(query.left) };
  if (query.columns.some((c) => c.expr.kind === 'star')) return query;
  return { ...query, columns: query.columns.map((c, i) => ({ expr: c.expr, alias: `__c${i}` })) };
}
