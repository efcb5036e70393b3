/**
 * One MCP server over a connection: the tools (search_tables, describe_table, query, explain,
 * execute), a resource per table schema (`dynasql://table/{name}`) and the naming prompt. Every
 * answer passes through the context's redactor; every failure is a tool error with its dynasql code
 * and a hint (tool-errors.ts), never a thrown stack.
 *
 * Over stdio there is one server; over HTTP one per request (stateless), all on the same connection.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { indexCatalog } from '../catalog/index.js';
import { packageVersion } from '../cli/version.js';
import type { ChoiceLabel, Table } from '../index.js';
import type { McpContext } from './context.js';
import { describeTable } from './describe-table.js';
import { namingPromptText } from './naming-prompt.js';
import { runExecute } from './run-execute.js';
import { runQuery } from './run-query.js';
import { searchTables } from './search-tables.js';
import { tableCounts } from './table-counts.js';
import { toolError } from './tool-errors.js';

const MAX_ROWS_CEILING = 10_000;

export function createMcpServer(ctx: McpContext): McpServer {
  const server = new McpServer(
    { name: 'dynasql', version: packageVersion() },
    { instructions: 'SQL over Microsoft Dynamics 365. Read the dynasql_naming prompt for how lookups and choices are named; find tables with search_tables, read them with describe_table, then query.' },
  );
  const text = (body: string): CallToolResult => ({ content: [{ type: 'text', text: ctx.redact(body) }] });
  const guarded = async (work: () => Promise<string>): Promise<CallToolResult> => {
    try {
      return text(await work());
    } catch (error) {
      return toolError(error, ctx.redact);
    }
  };
  const table = async (name: string) => indexCatalog(await ctx.conn.catalog()).requireTable(name);
  /** the table's CREATE TABLE with each choice's labels, read in parallel (a column whose read fails shows none) */
  const describeWithLabels = async (t: Table, signal?: AbortSignal) => {
    const choices = t.columns.filter((c) => c.kind === 'data' && t.columns.some((l) => l.kind === 'choiceLabel' && l.sourceColumn === c.name));
    const labels = new Map<string, readonly ChoiceLabel[]>();
    await Promise.all(choices.map(async (c) => {
      const options = await ctx.conn.choiceOptions(t.name, c.name, signal ? { signal } : {}).catch(() => null);
      if (options) labels.set(c.name, options);
    }));
    return describeTable(t, labels);
  };

  server.registerTool(
    'search_tables',
    {
      title: 'Find tables',
      description:
        'Find the tables whose logical name, entity-set name or description contain the given words (Dynamics $metadata has no display names), ' +
        'best matches first: tables matching more of the words, then a whole-name match before a prefix before a substring. ' +
        'Each line gives the table name (use it in SQL), its entity-set name, its primary key and, on Dataverse, its row count as the service\'s ' +
        'RetrieveTotalRecordCount snapshot (one request for all the listed tables; the count may lag by up to a day).',
      inputSchema: {
        words: z.string().min(1).describe('words to look for, e.g. "sales order" or "invoice"'),
        limit: z.number().int().min(1).max(200).default(20).describe('at most this many tables (default 20)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    ({ words, limit }, extra) =>
      guarded(async () => {
        const catalog = await ctx.conn.catalog();
        const all = searchTables(catalog, words);
        const shown = all.slice(0, limit);
        if (shown.length === 0) return `No table's name or description contains any of: ${words}. There are ${catalog.tables.length} tables; try other words.`;
        const counts = await tableCounts(ctx.conn, catalog, shown.map((m) => m.table.name), extra.signal);
        const lines = shown.map(({ table: t }) => {
          const count = counts.rows?.get(t.name);
          return `- ${t.name} (entity set ${t.entitySetName}; key ${t.primaryKey.join(', ') || 'none'}${count !== undefined ? `; ${count.toLocaleString('en-US')} rows` : ''})${t.description ? `: ${t.description.replace(/\s+/g, ' ')}` : ''}`;
        });
        const more = all.length > shown.length ? `\n${all.length - shown.length} more match; raise limit or use more words.` : '';
        return `${lines.join('\n')}${more}\nRow counts: ${counts.note}`;
      }),
  );

  server.registerTool(
    'describe_table',
    {
      title: 'Describe a table',
      description:
        'The table as a T-SQL CREATE TABLE: every column with its SQL type and nullability, the primary and alternate keys, ' +
        'each lookup with the table(s) it points to and its name column, each choice with its numbers and labels where known and its label column, ' +
        'read-only columns marked, then one line per relationship (many-to-one, one-to-many, many-to-many) with the columns to join on.',
      inputSchema: { table: z.string().min(1).describe('the table\'s logical name (account) or entity-set name (accounts)') },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    ({ table: name }, extra) => guarded(async () => describeWithLabels(await table(name), extra.signal)),
  );

  server.registerTool(
    'query',
    {
      title: 'Run SQL',
      description:
        'Run one T-SQL statement, or a batch separated by ; (joins, aggregates, subqueries, CTEs, window functions all work; dynasql sends what it can to the service and computes the rest locally). ' +
        `Returns a Markdown table (or CSV) of at most max_rows rows (default ${ctx.maxRows}) and a line saying whether the result was cut short. ` +
        'Only the rows shown are read from the service, so prefer aggregates, WHERE and TOP over reading many rows. ' +
        (ctx.allowWrites
          ? 'Writes run too (within Max Rows Affected); prefer the execute tool for changes, which runs them all or nothing and can dry-run them.'
          : 'Read-only: this server refuses every write and action (use execute with dry_run: true to preview one).'),
      inputSchema: {
        sql: z.string().min(1).describe('T-SQL, e.g. SELECT TOP 10 name, revenue FROM account ORDER BY revenue DESC'),
        max_rows: z.number().int().min(1).max(MAX_ROWS_CEILING).optional().describe(`rows to show per statement (default ${ctx.maxRows})`),
        format: z.enum(['markdown', 'csv']).default('markdown').describe('markdown (default) or csv'),
      },
      annotations: { readOnlyHint: !ctx.allowWrites, destructiveHint: ctx.allowWrites, openWorldHint: true },
    },
    ({ sql, max_rows, format }, extra) => guarded(() => runQuery(ctx, { sql, maxRows: max_rows ?? ctx.maxRows, format, signal: extra.signal })),
  );

  server.registerTool(
    'explain',
    {
      title: 'Explain SQL',
      description:
        'Show how a statement would run without running it: each HTTP request to the service (with its $filter, $apply, $expand or FetchXML), ' +
        'each step computed locally and why it did not go to the service, and for a write, the rows it reads first and the write requests it sends.',
      inputSchema: { sql: z.string().min(1).describe('one T-SQL statement') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ sql }, extra) => guarded(() => ctx.conn.explain(sql, undefined, { signal: extra.signal })),
  );

  server.registerTool(
    'execute',
    {
      title: 'Change data',
      description:
        'Run INSERT, UPDATE, DELETE or UPSERT statements (one, or a batch separated by ;) all or nothing, in one $batch change set. ' +
        `Never changes more than ${ctx.maxRowsAffected} rows in all (Max Rows Affected): past it, nothing is written. ` +
        'With dry_run: true nothing is written; the answer gives each statement\'s exact row count (the rows it touches are read) and the requests it would send. ' +
        'An EXEC of an action runs alone, outside a change set. ' +
        (ctx.allowWrites ? '' : 'This server was started without --allow-writes: only dry runs are allowed.'),
      inputSchema: {
        sql: z.string().min(1).describe("e.g. UPDATE contact SET jobtitle = 'Buyer' WHERE contactid = '…'"),
        dry_run: z.boolean().default(false).describe('true: count the rows and show the requests, write nothing'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    ({ sql, dry_run }, extra) => guarded(() => runExecute(ctx, { sql, dryRun: dry_run, signal: extra.signal })),
  );

  server.registerResource(
    'table',
    new ResourceTemplate('dynasql://table/{name}', {
      list: async () => ({
        resources: (await ctx.conn.catalog()).tables.map((t) => ({
          uri: `dynasql://table/${encodeURIComponent(t.name)}`,
          name: t.name,
          mimeType: 'text/x-sql',
          description: `the schema of ${t.name} as CREATE TABLE`,
        })),
      }),
    }),
    { title: 'Table schema', description: 'A table as a T-SQL CREATE TABLE, with its lookups, choices and relationships', mimeType: 'text/x-sql' },
    async (uri, variables) => {
      const name = decodeURIComponent(String(variables.name));
      return { contents: [{ uri: uri.href, mimeType: 'text/x-sql', text: ctx.redact(await describeWithLabels(await table(name))) }] };
    },
  );

  server.registerPrompt(
    'dynasql_naming',
    { title: 'How dynasql names Dynamics data', description: 'The naming conventions for lookups (and their name columns), choices (and their label columns), with examples from this org' },
    async () => ({
      messages: [{ role: 'user', content: { type: 'text', text: ctx.redact(namingPromptText(await ctx.conn.catalog())) } }],
    }),
  );
  return server;
}
