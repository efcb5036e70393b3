/**
 * A small in-test Connection for protocol mechanics only (framing, auth, portals, cancel, formats):
 * it answers `... from account ...` from fixed rows and records what it was asked. The integration
 * tests with real clients use the real `connect()` against the real emulator instead.
 */
import { DynasqlError } from '../../src/errors/index.js';
import type { Catalog, Column, Connection, QueryOptions, QueryParams, QueryResult, Row, SqlType, Table, Transaction } from '../../src/index.js';

function column(name: string, sqlType: SqlType, extra: Partial<Column> = {}): Column {
  return {
    name, odataName: name, kind: 'data', edmType: 'Edm.String', sqlType, nullable: true,
    readOnly: false, insertable: true, updatable: true, isPrimaryKey: false, ...extra,
  };
}

function table(name: string, entitySetName: string, columns: Column[], extra: Partial<Table> = {}): Table {
  return {
    name, entitySetName, entityType: `Microsoft.Dynamics.CRM.${name}`, primaryKey: [`${name}id`],
    alternateKeys: [], columns, relationships: [], capabilities: {}, ...extra,
  };
}

export const fakeCatalog: Catalog = {
  formatVersion: 1,
  edition: 'dataverse',
  namespace: 'Microsoft.Dynamics.CRM',
  containerName: 'System',
  tables: [
    table('account', 'accounts', [
      column('accountid', { name: 'uniqueidentifier' }, { isPrimaryKey: true, nullable: false, description: 'Unique identifier of the account.' }),
      column('name', { name: 'nvarchar', length: 160 }, { description: 'Company name' }),
      column('revenue', { name: 'decimal', precision: 19, scale: 4 }),
      column('numberofemployees', { name: 'int' }),
      column('createdon', { name: 'datetimeoffset' }),
      column('donotemail', { name: 'bit' }),
      column('primarycontactid', { name: 'uniqueidentifier' }, { kind: 'lookup' }),
    ], {
      description: 'Business that represents a customer or potential customer.',
      relationships: [{ navigation: 'primarycontactid', kind: 'many-to-one', fromTable: 'account', fromColumns: ['primarycontactid'], toTable: 'contact', toColumns: ['contactid'] }],
    }),
    table('contact', 'contacts', [
      column('contactid', { name: 'uniqueidentifier' }, { isPrimaryKey: true, nullable: false }),
      column('fullname', { name: 'nvarchar', length: 160 }),
      column('birthdate', { name: 'date' }),
    ]),
  ],
  procedures: [{
    name: 'WinOpportunity', qualifiedName: 'Microsoft.Dynamics.CRM.WinOpportunity', kind: 'action', bound: false, isComposable: false,
    parameters: [{ name: 'Status', edmType: 'Edm.Int32', isCollection: false, nullable: false, isBinding: false, sqlType: { name: 'int' } }],
    isQueryFunction: false,
  }],
  enumTypes: [],
  complexTypes: [],
  service: {},
  warnings: [],
};

export const accountRows: Row[] = Array.from({ length: 5 }, (_, i) => ({
  accountid: `00000000-0000-0000-0000-00000000000${i + 1}`,
  name: `Account ${i + 1}`,
  revenue: `${(i + 1) * 1000}.5000`,
  numberofemployees: (i + 1) * 10,
  createdon: new Date(Date.UTC(2024, 0, i + 1, 12, 30, 0)),
  donotemail: i % 2 === 0,
  primarycontactid: null,
}));

const accountColumns: QueryResult['columns'] = [
  { name: 'accountid', type: 'uniqueidentifier' },
  { name: 'name', type: 'nvarchar', length: 160 },
  { name: 'revenue', type: 'decimal', precision: 19, scale: 4 },
  { name: 'numberofemployees', type: 'int' },
  { name: 'createdon', type: 'datetimeoffset' },
  { name: 'donotemail', type: 'bit' },
  { name: 'primarycontactid', type: 'uniqueidentifier' },
];

export interface FakeConnection extends Connection {
  calls: { sql: string; params: unknown }[];
}

export function fakeConnection(): FakeConnection {
  const calls: { sql: string; params: unknown }[] = [];
async function answer(sql: string, params?: QueryParams, options?: { signal?: AbortSignal }): Promise<QueryResult> {
    calls.push({ sql, params });
    if (/pg_sleep_forever/.test(sql)) {
      return new Promise((_, reject) => {
        const signal = options?.signal;
        signal?.addEventListener('abort', () => reject(new DynasqlError('DYNASQL_ERR_CANCELLED', 'canceling statement due to user request')), { once: true });
      });
    }
    if (/^\s*call/i.test(sql)) return { columns: [], rows: [], rowCount: 0, command: 'EXEC' };
    if (/^\s*update/i.test(sql)) return { columns: [], rows: [], rowCount: 2, command: 'UPDATE' };
    if (/from\s+account/i.test(sql)) {
      const list = Array.isArray(params) && params.length > 0 ? accountRows.filter((r) => r.name === params[0]) : accountRows;
      const projection = /^\s*select\s+(.*?)\s+from/is.exec(sql)?.[1]?.split(',').map((c) => c.trim()) ?? ['*'];
      const columns = projection.includes('*') ? accountColumns : projection.flatMap((name) => accountColumns.filter((c) => c.name === name));
      return { columns, rows: list, rowCount: list.length, command: 'SELECT' };
    }
    if (/from\s+contact/i.test(sql)) throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', "Unknown column 'x'");
    throw new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', `Unknown table in: ${sql}`);
  }
  return {
    calls,
    async query<R extends object = Row>(sql: string, params?: QueryParams, options?: { signal?: AbortSignal }): Promise<QueryResult<R>> {
      return (await answer(sql, params, options)) as QueryResult as QueryResult<R>;
    },
    /** as the real one: the columns before the first row, then the rows (here from `query`) */
    async *stream<R extends object = Row>(sql: string, params?: QueryParams, options?: QueryOptions): AsyncIterable<R> {
      const result = await this.query<R>(sql, params, options);
      options?.onColumns?.(result.columns);
      yield* result.rows;
    },
    async explain(sql: string) {
      return `GET accounts?$select=name\n-- for: ${sql}`;
    },
    async catalog() {
      return fakeCatalog;
    },
    entity(): never {
      throw new Error('the adapter does not use the entity API');
    },
    changes(): never {
      throw new Error('the adapter does not use change tracking');
    },
    choiceOptions(): never {
      throw new Error('the adapter does not use choice labels');
    },
    async action(name: string): Promise<unknown> {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `the fake connection runs no actions (asked for ${name})`);
    },
    transaction: undefined,
    /** a transaction that runs its statements at once (the protocol tests count calls, not effects) */
    begin(): Transaction {
      let open = true;
      const query = this.query.bind(this);
      return {
        query: (sql, params, options) => query(sql, params, options),
        async commit() { open = false; return { columns: [], rows: [], rowCount: 0, command: 'COMMIT' }; },
        rollback() { open = false; },
        pendingOperations: 0,
        get isOpen() { return open; },
        async [Symbol.asyncDispose]() { open = false; },
      };
    },
    async close() {},
    async [Symbol.asyncDispose]() {},
  };
}
