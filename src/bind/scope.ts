/**
 * Name resolution scopes: what a column name can refer to at one point of a query. A SELECT's scope
 * holds its FROM sources (scans, derived tables, CTE references); a subquery's scope has its outer
 * query's scope as parent, so correlated references resolve.
 */
import type { Column, SqlType } from '../catalog/types.js';
import type { ColumnRef, Scan } from '../plan/index.js';

/** a derived table, CTE or set operation result: its column names and their types */
export type Source =
  | { kind: 'scan'; alias: string; scan: Scan; visibleColumns: readonly Column[] }
  | { kind: 'named'; alias: string; columns: string[]; types: SqlType[] };

export class Scope {
  readonly sources: Source[] = [];
  /** the select list's output names with their items' positions and types, visible to ORDER BY only */
  outputs: { name: string; index: number; type: SqlType; sameAs?: string; column?: ColumnRef }[] = [];

  constructor(readonly parent?: Scope) {}

  add(source: Source): void {
    this.sources.push(source);
  }

  find(alias: string): Source | undefined {
    const lower = alias.toLowerCase();
    return this.sources.find((s) => s.alias.toLowerCase() === lower);
  }

  /** every column name visible here and above, for "did you mean" */
  candidateNames(): string[] {
    const own = this.sources.flatMap((s) => (s.kind === 'scan' ? s.scan.table.columns.map((c) => c.name) : s.columns));
    return [...own, ...(this.parent?.candidateNames() ?? [])];
  }
}
