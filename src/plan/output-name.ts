/**
 * The name of an unaliased select item: a column keeps its name, a function call is named after the
 * function in lower case, as PostgreSQL names it (`SELECT COUNT(*), UPPER(name)` → `count`, `upper`;
 * T-SQL shows "(No column name)", which cannot key a row), and anything else is `column<N>` with N
 * its 1-based position (`SELECT 1 + 1` → `column1`). Binding makes repeated names unique
 * (`count`, `count_2`); binding and the local engine both use this, so derived tables and results
 * agree on names.
 */
import type { Expr } from './logical.js';

export function outputName(expr: Expr, index: number): string {
  if (expr.kind === 'column') return expr.name;
  if (expr.kind === 'function' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(expr.name)) return expr.name.toLowerCase();
  return `column${index + 1}`;
}
