/**
 * The name of an unaliased select item: a column keeps its name, anything else is `column<N>`
 * with N its 1-based position (`SELECT name, UPPER(name)` → `name`, `column2`). Binding and the
 * local engine both use this, so derived tables and results agree on names.
 */
import type { Expr } from './logical.js';

export function outputName(expr: Expr, index: number): string {
  return expr.kind === 'column' ? expr.name : `column${index + 1}`;
}
