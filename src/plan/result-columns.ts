/**
 * The result columns of a statement the local engine answered: names as the engine returned them,
 * types as the binder derived them (T-SQL's rules: `AVG(int)` is an int, `revenue / 3` money), not
 * read back from the engine's own types.
 *
 * `resultColumns(query, ['n'])` for `SELECT COUNT(*) AS n …` → `[{name:'n', type:'int'}]`.
 */
import { resultType } from '../types/index.js';
import type { Query } from './logical.js';

export interface TypedResultColumn { name: string; type: string; precision?: number; scale?: number; length?: number }

export function resultColumns(query: Query, names: readonly string[]): TypedResultColumn[] {
  return names.map((name, i) => {
    const bound = query.outputTypes[i];
    if (!bound) return { name, type: 'nvarchar' };
    const t = resultType(bound);
    return {
      name, type: t.name,
      ...(t.precision !== undefined ? { precision: t.precision } : {}),
      ...(t.scale !== undefined ? { scale: t.scale } : {}),
      ...(t.length !== undefined ? { length: t.length } : {}),
    };
  });
}
