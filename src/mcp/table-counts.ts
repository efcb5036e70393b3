/**
 * Row counts for search_tables where they are cheap: on Dataverse one `RetrieveTotalRecordCount`
 * call answers every listed table from the service's snapshot of its counts (refreshed about once a
 * day, so it may lag; it reads no rows). Finance & Operations has no such function: there the answer
 * says so instead of counting, which would read whole tables.
 *
 *   GET RetrieveTotalRecordCount(EntityNames=@p1)?@p1=["account","contact"]
 *     → { EntityRecordCountCollection: { Keys: ["account","contact"], Values: [100, 200] } }
 */
import type { Catalog, Connection } from '../index.js';

export interface TableCounts {
  rows?: ReadonlyMap<string, number>;
  /** how the counts were found, or why there are none */
  note: string;
}

interface CountAnswer {
  EntityRecordCountCollection?: { Keys?: unknown[]; Values?: unknown[] };
}

export async function tableCounts(conn: Connection, catalog: Catalog, tables: readonly string[], signal: AbortSignal | undefined): Promise<TableCounts> {
  if (catalog.edition !== 'dataverse') return { note: 'not shown: Finance & Operations has no cheap count (SELECT COUNT(*) counts one table).' };
  try {
    const answer = (await conn.action('RetrieveTotalRecordCount', { EntityNames: tables }, signal ? { signal } : {})) as CountAnswer;
    const keys = answer?.EntityRecordCountCollection?.Keys ?? [];
    const values = answer?.EntityRecordCountCollection?.Values ?? [];
    const rows = new Map<string, number>();
    keys.forEach((key, i) => {
      if (typeof key === 'string' && typeof values[i] === 'number') rows.set(key, values[i]);
    });
    return { rows, note: "the service's RetrieveTotalRecordCount snapshot (no rows read; may lag by up to a day). SELECT COUNT(*) counts exactly." };
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
    return { note: `not shown: RetrieveTotalRecordCount was refused${code}. SELECT COUNT(*) counts one table.` };
  }
}
