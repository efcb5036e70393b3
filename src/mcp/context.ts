/**
 * What every tool of one MCP server shares: the connection, the limits the server was started
 * with, and the redactor every text passes through before it leaves the server.
 */
import type { Connection } from '../index.js';
import type { Redactor } from '../http/index.js';

export interface McpContext {
  conn: Connection;
  /** `--allow-writes`: without it every statement runs read-only (QueryOptions.readOnly) and execute only dry-runs */
  allowWrites: boolean;
  /** `--max-rows`: the default cap of the rows `query` shows */
  maxRows: number;
  /** the connection's Max Rows Affected (`--max-rows-affected`), also the bound on an execute batch's total */
  maxRowsAffected: number;
  redact: Redactor;
}

/** a statement's position in a batch, for messages: `statement 2 (line 3)` */
export function statementLabel(index: number, line: number): string {
  return `statement ${index + 1} (line ${line})`;
}
