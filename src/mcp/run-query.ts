/**
 * The `query` tool: each statement of the batch in order, its rows capped. A read is streamed and
 * left as soon as one row more than the cap has arrived, so a large table costs one page, not all of
 * them; other statements (EXEC, writes when allowed) are answered whole and cut for display.
 * Without --allow-writes every statement runs with QueryOptions.readOnly, the connection's own
 * refusal of writes and actions (DYNASQL_ERR_READ_ONLY_CONNECTION).
 */
import type { QueryOptions, ResultColumn, Row } from '../index.js';
import { statementLabel, type McpContext } from './context.js';
import { resultText, type ResultFormat } from './result-text.js';
import { toolStatements, type ToolStatement } from './statements.js';

export interface QueryArgs {
  sql: string;
  maxRows: number;
  format: ResultFormat;
  signal?: AbortSignal;
}

/** a statement of a batch failed: the results of those before it travel with the error */
export class BatchFailure extends Error {
  constructor(override readonly cause: unknown, readonly done: string, readonly label: string | undefined) {
    super('batch failed');
  }
}

async function runOne(ctx: McpContext, statement: ToolStatement, args: QueryArgs): Promise<string> {
  const options: QueryOptions = { readOnly: !ctx.allowWrites, ...(args.signal ? { signal: args.signal } : {}) };
  if (statement.kind === 'read') {
    let columns: ResultColumn[] = [];
    const rows: Row[] = [];
    let truncated = false;
    for await (const row of ctx.conn.stream(statement.sql, undefined, { ...options, onColumns: (c) => (columns = c) })) {
      if (rows.length === args.maxRows) {
        truncated = true;
        break;
      }
      rows.push(row);
    }
    return resultText({ columns, rows, rowCount: rows.length, command: 'SELECT' }, args.format, { maxRows: args.maxRows, truncated });
  }
  const result = await ctx.conn.query(statement.sql, undefined, options);
  const truncated = result.rows.length > args.maxRows;
  return resultText({ ...result, rows: result.rows.slice(0, args.maxRows) }, args.format, { maxRows: args.maxRows, truncated, total: result.rows.length });
}

export async function runQuery(ctx: McpContext, args: QueryArgs): Promise<string> {
  const statements = toolStatements(args.sql);
  const parts: string[] = [];
  for (const [index, statement] of statements.entries()) {
    const label = statements.length > 1 ? statementLabel(index, statement.line) : undefined;
    try {
      const text = await runOne(ctx, statement, args);
      parts.push(label ? `-- ${label}\n${text}` : text);
    } catch (error) {
      throw new BatchFailure(error, parts.join('\n'), label);
    }
  }
  return parts.join('\n');
}
