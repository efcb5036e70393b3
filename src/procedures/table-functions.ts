/**
 * Table-valued functions in FROM (`SELECT v.Version FROM RetrieveVersion() AS v WHERE …`): found in
 * a parsed query and replaced by references to per-statement local tables, which the connection fills
 * with the function's rows before binding. Filters, joins and aggregates then run in the local engine.
 *
 * `replaceTableFunctions(query)` → the query with `RetrieveVersion()` as table `RetrieveVersion#1`
 * (alias `RetrieveVersion`), and the calls `[{table:'RetrieveVersion#1', name:'RetrieveVersion', args:[]}]`.
 */
import type { Expr, Query, TableRef } from '../sql/ast.js';

export interface TableFunctionCall {
  /** the name of the local table standing in for this call */
  table: string;
  /** the function as written */
  name: string;
  args: Expr[];
}

function isTableFunction(node: unknown): node is TableRef & { args: Expr[] } {
  return typeof node === 'object' && node !== null && (node as TableRef).kind === 'table' && Array.isArray((node as TableRef).args);
}

export function hasTableFunctions(query: Query): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || typeof node !== 'object' || node === null) return;
    if (isTableFunction(node)) {
      found = true;
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(query);
  return found;
}

/** a copy of the query with every table-valued function call replaced, and the calls in order */
export function replaceTableFunctions(query: Query): { query: Query; calls: TableFunctionCall[] } {
  const calls: TableFunctionCall[] = [];
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    if (isTableFunction(node)) {
      // `#` cannot appear in an identifier users write, so the stand-in never meets a real table
      const table = `${node.name}#${calls.length + 1}`;
      calls.push({ table, name: node.name, args: node.args });
      return { kind: 'table', name: table, alias: node.alias ?? node.name.split('.').pop()! } satisfies TableRef;
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rewrite(v)]));
  };
  return { query: rewrite(query) as Query, calls };
}
