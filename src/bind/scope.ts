/**
 * Name resolution scopes: what a column name can refer to at one point of a query. A SELECT's scope
 * holds its FROM sources (scans, derived tables, CTE references); a subquery's scope has its outer
 * query's scope as parent, so correlated references resolve.
 */
import type { Column } from '../catalog/types.js';
import type { Scan } from '../plan/index.js';

export type Source =
  | { kind: 'scan'; alias: string; scan: Scan; visibleColumns: readonly Column[] }
  | { kind: 'named'; alias: string; columns: string[] };

export class Scope {
  readonly sources: Source[] = [];
  /** select-list aliases, visible to ORDER BY only */
  selectAliases: string[] = [];

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
