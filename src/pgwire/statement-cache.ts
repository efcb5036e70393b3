/**
 * Routes and descriptions of statements already seen, shared by all sessions of a server.
 * The mirror never changes while the server runs, so a statement's route and result columns
 * depend only on its text, its declared parameter types and the session's search_path.
 * BI tools repeat the same statements; a hit saves the two engine round trips (plan and describe).
 */
import { LRUCache } from 'lru-cache';
import type { FieldDescription } from './backend-messages.js';
import type { Route } from './statement-router.js';

export interface CachedStatement {
  route: Route;
  parameterTypes: number[];
  fields: FieldDescription[] | null | undefined;
}

export class StatementCache {
  private readonly entries = new LRUCache<string, CachedStatement>({ max: 1000 });

  private static key(sql: string, parameterTypes: readonly number[], searchPath: string): string {
    return `${searchPath}\u0000${parameterTypes.join(',')}\u0000${sql}`;
  }

  get(sql: string, parameterTypes: readonly number[], searchPath: string): CachedStatement | undefined {
    return this.entries.get(StatementCache.key(sql, parameterTypes, searchPath));
  }

  set(sql: string, parameterTypes: readonly number[], searchPath: string, entry: CachedStatement): void {
    this.entries.set(StatementCache.key(sql, parameterTypes, searchPath), entry);
  }
}
