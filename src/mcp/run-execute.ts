/**
 * The `execute` tool: a write, or a batch of writes, run all or nothing and never past Max Rows
 * Affected.
 *
 * The batch runs in a transaction of its own (`conn.begin()`): each statement is checked and
 * lowered as it runs, reading the rows it touches then, so its row count is exact and the
 * connection's Max Rows Affected stops any one statement past it. The sum over the batch is held to
 * the same bound. Then a dry run rolls back (nothing was sent; the answer is each statement's plan,
 * from `conn.explain`, and the rows it would change); a real run commits, as one `$batch` change set
 * the service applies whole or not at all.
 *
 * An EXEC (an action) cannot run inside a change set: alone in the call it runs by itself (a dry
 * run says it cannot be previewed), and in a batch with other statements it is refused.
 */
import { DynasqlError } from '../index.js';
import { statementLabel, type McpContext } from './context.js';
import { BatchFailure } from './run-query.js';
import { toolStatements } from './statements.js';

export interface ExecuteArgs {
  sql: string;
  dryRun: boolean;
  signal?: AbortSignal;
}

const isExec = (sql: string) => /^\s*(EXEC|EXECUTE|CALL)\b/i.test(sql);
const rows = (n: number) => `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`;

export async function runExecute(ctx: McpContext, args: ExecuteArgs): Promise<string> {
  const statements = toolStatements(args.sql);
  const read = statements.findIndex((s) => s.kind === 'read');
  if (read >= 0) {
    throw new DynasqlError('DYNASQL_ERR_INVALID_ARGUMENT', `${statementLabel(read, statements[read]!.line)} only reads: run it with the query tool; execute takes INSERT, UPDATE, DELETE, UPSERT and EXEC.`);
  }
  if (!args.dryRun && !ctx.allowWrites) {
    throw new DynasqlError('DYNASQL_ERR_READ_ONLY_CONNECTION', 'This MCP server was started without --allow-writes: execute runs only with dry_run: true, and nothing is written.');
  }
  const options = args.signal ? { signal: args.signal } : {};
  if (statements.length === 1 && isExec(statements[0]!.sql)) {
    const { sql } = statements[0]!;
    // EXPLAIN does not take EXEC, and an action's effect is the service's to decide: nothing to preview
    if (args.dryRun) return 'Dry run: nothing was sent. An action (EXEC) cannot be previewed: what it changes is decided by the service when it runs.';
    const result = await ctx.conn.query(sql, undefined, options);
    return `${result.command}: done.${result.rows.length ? ` It answered ${rows(result.rows.length)}.` : ''}`;
  }
  const exec = statements.findIndex((s) => isExec(s.sql));
  if (exec >= 0) {
    throw new DynasqlError('DYNASQL_ERR_TRANSACTION', `${statementLabel(exec, statements[exec]!.line)} is an EXEC: an action cannot run inside the batch's change set. Send it in an execute call of its own.`);
  }

  const tx = ctx.conn.begin();
  const lines: string[] = [];
  let total = 0;
  try {
    for (const [index, statement] of statements.entries()) {
      const label = statementLabel(index, statement.line);
      try {
        const result = await tx.query(statement.sql, undefined, options);
        total += result.rowCount;
        lines.push(`-- ${label}: ${result.command} of ${rows(result.rowCount)}`);
      } catch (error) {
        throw new BatchFailure(error, '', statements.length > 1 ? label : undefined);
      }
    }
    if (total > ctx.maxRowsAffected) {
      throw new DynasqlError('DYNASQL_ERR_MAX_ROWS_AFFECTED', `The batch would change ${total} rows, more than Max Rows Affected (${ctx.maxRowsAffected}); nothing was written`, { details: { rows: total, max: ctx.maxRowsAffected } });
    }
    if (args.dryRun) {
      tx.rollback();
      const plans: string[] = [];
      for (const [index, statement] of statements.entries()) {
        plans.push(`${lines[index]}\n${await ctx.conn.explain(statement.sql, undefined, options)}`);
      }
      return `Dry run: nothing was written. The batch would change ${rows(total)} (Max Rows Affected ${ctx.maxRowsAffected}), all or nothing in one $batch change set.\n${plans.join('\n')}`;
    }
    await tx.commit(options);
    return `Written: ${rows(total)}, all or nothing in one $batch change set.\n${lines.join('\n')}`;
  } finally {
    if (tx.isOpen) tx.rollback();
  }
}
