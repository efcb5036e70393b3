/**
 * The PostgreSQL target's database, through node-postgres: one client, rows loaded by multi-row
 * INSERTs of text parameters (the server casts each to its column's type), as many rows per
 * statement as the protocol's 65,535 parameters allow.
 */
import type { Client } from 'pg';
import { quoteName } from './column-types.js';
import { targetError, type SqlSession } from './sql-session.js';

const MAX_PARAMETERS = 65_535;

export class PostgresSession implements SqlSession {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<PostgresSession> {
    // loaded here: only the PostgreSQL target needs it
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect().catch(targetError);
    // a server going away mid-run surfaces as the failed statement's error, not as an unhandled event
    client.on('error', () => undefined);
    return new PostgresSession(client);
  }

  async query(sql: string, params: readonly (string | null)[] = []): Promise<Record<string, unknown>[]> {
    const result = await this.client.query(sql, [...params]).catch(targetError);
    return result.rows as Record<string, unknown>[];
  }

  async load(table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<void> {
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(columns.length, 1)));
    const names = columns.map(quoteName).join(', ');
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const params: (string | null)[] = [];
      const tuples = chunk.map((row) => `(${row.map((value) => { params.push(value); return `$${params.length}`; }).join(', ')})`);
      await this.client.query(`INSERT INTO ${quoteName(table)} (${names}) VALUES ${tuples.join(', ')}`, params).catch(targetError);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
