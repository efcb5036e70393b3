/**
 * A tiny `Connection` for testing the command's printing and REPL mechanics before (and apart
 * from) the real driver: it answers from a table of canned results and records what it was asked.
 * Integration tests use the real connect() against the real emulator instead.
 */
import { Writable } from 'node:stream';
import type { Catalog } from '../../src/catalog/types.js';
import type { EntityApi } from '../../src/connection/entity-api.js';
import type { Connection, QueryOptions, QueryResult, Row, Transaction } from '../../src/connection/types.js';
import { DynasqlError } from '../../src/errors/index.js';

export interface Call {
  method: 'query' | 'stream' | 'explain';
  sql: string;
}

export type Answer = QueryResult | Error | ((options?: QueryOptions) => Promise<QueryResult>);

export function result(columns: [string, string][], rows: unknown[][], command = 'SELECT'): QueryResult {
  return {
    columns: columns.map(([name, type]) => ({ name, type })),
    rows: rows.map((values) => Object.fromEntries(columns.map(([name], i) => [name, values[i]])) as Row),
    rowCount: rows.length,
    command,
  };
}

export const SAMPLE_CATALOG = {
  formatVersion: 1,
  edition: 'dataverse',
  namespace: 'Microsoft.Dynamics.CRM',
  containerName: 'System',
  tables: [
    { name: 'account', entitySetName: 'accounts', columns: ['accountid', 'name', 'revenue', 'numberofemployees'] },
    { name: 'contact', entitySetName: 'contacts', columns: ['contactid', 'fullname', 'emailaddress1', 'parentcustomerid'] },
  ].map((t) => ({
    name: t.name,
    entitySetName: t.entitySetName,
    entityType: `Microsoft.Dynamics.CRM.${t.name}`,
    primaryKey: [t.columns[0]!],
    alternateKeys: [],
    columns: t.columns.map((c) => ({ name: c })),
    relationships: [],
    capabilities: {},
  })),
  procedures: [{ name: 'WhoAmI' }, { name: 'WinOpportunity' }],
  enumTypes: [],
  complexTypes: [],
  service: {},
  warnings: [],
} as unknown as Catalog;

export class InMemoryConnection implements Connection {
  readonly calls: Call[] = [];
  closed = false;
  constructor(
    private readonly answers: Record<string, Answer>,
    private readonly plan = 'GET accounts?$select=name',
    /** rows served by stream() one at a time, for tests of row-by-row output and cancellation */
    private readonly streams: Record<string, (options?: QueryOptions) => AsyncIterable<Row>> = {},
  ) {}

  private answer(sql: string, options?: QueryOptions): Promise<QueryResult> {
    const answer = this.answers[sql.trim()] ?? this.answers[sql.replace(/\s+/g, ' ').trim()];
    if (answer === undefined) return Promise.reject(new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', `No canned answer for: ${sql}`));
    if (answer instanceof Error) return Promise.reject(answer);
    if (typeof answer === 'function') return answer(options);
    return Promise.resolve(answer);
  }

  async query<R extends object = Row>(sql: string, _params?: unknown, options?: QueryOptions): Promise<QueryResult<R>> {
    this.calls.push({ method: 'query', sql });
    return (await this.answer(sql, options)) as QueryResult as QueryResult<R>;
  }

  async *stream<R extends object = Row>(sql: string, _params?: unknown, options?: QueryOptions): AsyncIterable<R> {
    this.calls.push({ method: 'stream', sql });
    const rows = this.streams[sql.trim()];
    for await (const row of rows ? rows(options) : (await this.answer(sql, options)).rows) yield row as R;
  }

  async explain(sql: string): Promise<string> {
    this.calls.push({ method: 'explain', sql });
    return this.plan;
  }

  entity(): EntityApi {
    throw new Error('the in-memory connection has no entity API; the command does not use it');
  }

  async action(name: string): Promise<unknown> {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `the in-memory connection runs no actions (asked for ${name})`);
  }

  changes(): never {
    throw new Error('the in-memory connection has no change tracking; the command does not use it');
  }

  choiceOptions(): never {
    throw new Error('the in-memory connection has no choice labels; the command does not use them');
  }

  async catalog(): Promise<Catalog> {
    return SAMPLE_CATALOG;
  }

  readonly transaction = undefined;

  begin(): Transaction {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'the CLI tests answer statements one by one; BEGIN goes through query()');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A Writable that keeps what was written, optionally pretending to be a terminal of some width. */
export class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  columns?: number;
  constructor(tty?: { columns: number }) {
    super({ decodeStrings: false });
    if (tty) {
      this.isTTY = true;
      this.columns = tty.columns;
    }
  }
  override _write(chunk: string | Buffer, _encoding: string, done: () => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
}
