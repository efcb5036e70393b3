/**
 * The rows a write touches when its statement names them outright, so no read is needed: keys in
 * the WHERE, constants in VALUES and SET. Anything else is left to the SELECT engine.
 *
 * `keysFromWhere(account, 'account', [accountid], parse("accountid IN (@a, @b)"), params)` →
 * two keys; `… WHERE name = 'x'` → undefined (the keys must be read).
 */
import type { Column, Table } from '../catalog/types.js';
import { constantValue, type ParamValues } from '../pushdown/index.js';
import type * as S from '../sql/index.js';
import type { InputValue } from './types.js';

/** the value of a literal, a parameter or a signed number; undefined for anything to compute */
export function constantInput(expr: S.Expr, params: ParamValues): { value: InputValue } | undefined {
  if (expr.kind !== 'literal' && expr.kind !== 'param' && expr.kind !== 'unary') return undefined;
  // these three kinds have the same shape in the SQL AST and in the bound plan
  const c = constantValue(expr as never, params);
  return c ? { value: c.value as InputValue } : undefined;
}

/**
 * The keys a WHERE names directly (`accountid = @id`, `accountid IN (…)`, F&O: every key column
 * `=` a value), or undefined when the rows must be read.
 */
export function keysFromWhere(table: Table, alias: string, keyColumns: readonly Column[], where: S.Expr | undefined, params: ParamValues): Map<Column, InputValue>[] | undefined {
  if (!where) return undefined;
  const conjuncts: S.Expr[] = [];
  const split = (e: S.Expr) => { if (e.kind === 'binary' && e.op === 'AND') { split(e.left); split(e.right); } else conjuncts.push(e); };
  split(where);
  const byColumn = new Map<Column, InputValue[]>();
  const qualifiers = new Set([table.name, table.entitySetName, alias].map((q) => q.toLowerCase()));
  const columnOf = (e: S.Expr) => (e.kind === 'column' && (!e.table || qualifiers.has(e.table.toLowerCase()))
    ? keyColumns.find((k) => k.name.toLowerCase() === e.name.toLowerCase()) : undefined);
  for (const c of conjuncts) {
    if (c.kind === 'binary' && c.op === '=') {
      const column = columnOf(c.left) ?? columnOf(c.right);
      const other = columnOf(c.left) ? c.right : c.left;
      const value = constantInput(other, params);
      if (!column || !value || value.value === null || byColumn.has(column)) return undefined;
      byColumn.set(column, [value.value]);
    } else if (c.kind === 'inList' && !c.negated) {
      const column = columnOf(c.expr);
      const values = c.list.map((e) => constantInput(e, params));
      if (!column || values.some((v) => !v || v.value === null) || byColumn.has(column)) return undefined;
      byColumn.set(column, [...new Set(values.map((v) => v!.value))]);
    } else {
      return undefined;
    }
  }
  if (keyColumns.some((k) => !byColumn.has(k)) || byColumn.size !== keyColumns.length) return undefined;
  // one key column with several values, or every column with one value each
  const multi = keyColumns.filter((k) => byColumn.get(k)!.length > 1);
  if (multi.length > 1) return undefined;
  const count = multi.length === 1 ? byColumn.get(multi[0]!)!.length : 1;
  return Array.from({ length: count }, (_, i) => new Map(keyColumns.map((k) => {
    const list = byColumn.get(k)!;
    return [k, list.length > 1 ? list[i]! : list[0]!] as [Column, InputValue];
  })));
}

/** a join can return a target row more than once; it is written once (GUIDs compare case-insensitively) */
export function uniqueByKey<T extends { key: ReadonlyMap<Column, InputValue> }>(rows: readonly T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const id = JSON.stringify([...r.key.values()].map((v) => (typeof v === 'string' ? v.toLowerCase() : String(v))));
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
