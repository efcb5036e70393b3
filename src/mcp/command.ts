/**
 * `dynasql mcp`: the org (or the demo emulator) as a Model Context Protocol server for AI agents,
 * over stdio (a desktop agent starts it as a child process) or streamable HTTP (`--http PORT`).
 * Runs until standard input ends (stdio), the user interrupts (Ctrl-C) or SIGTERM.
 *
 * Safety by default: read-only unless `--allow-writes`; writes never past `--max-rows-affected`
 * (default 100, the connection's Max Rows Affected); over HTTP on anything but loopback, a bearer
 * token (`DYNASQL_MCP_TOKEN`, or `--token`) is required, or the server does not start.
 * Over stdio, standard output carries the protocol alone: every message of ours goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Command, CommanderError } from 'commander';
import type { Readable, Writable } from 'node:stream';
import { createRedactor } from '../http/index.js';
import { isLoopbackHost } from '../config/index.js';
import { colorsFor } from '../cli/colors.js';
import { connectDriver } from '../cli/driver.js';
import { formatError } from '../cli/error-report.js';
import type { CliIo } from '../cli/main.js';
import { connectionStringFor, openConnection } from '../cli/open-connection.js';
import { mcpConnectionString, secretsOf } from './connection-settings.js';
import type { McpContext } from './context.js';
import { startMcpHttpServer } from './http-server.js';
import { createMcpServer } from './server.js';

interface McpFlags {
  connection?: string;
  profile?: string;
  demo?: boolean;
  http?: number;
  host?: string;
  token?: string;
  allowWrites?: boolean;
  maxRows: number;
  maxRowsAffected: number;
}

export const DEFAULT_MAX_ROWS = 200;
export const DEFAULT_MAX_ROWS_AFFECTED = 100;
const MIN_TOKEN_LENGTH = 16;

function wholeNumber(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new CommanderError(2, 'dynasql.number', `error: ${flag} needs a whole number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

const EXAMPLES = `
Examples:
  $ dynasql mcp --demo                                   stdio, on the embedded emulator's sample data
  $ dynasql mcp --profile contoso                        stdio, read-only, on a saved connection
  $ dynasql mcp --profile contoso --allow-writes --max-rows-affected 20
  $ DYNASQL_MCP_TOKEN=$(openssl rand -hex 24) dynasql mcp --profile contoso --http 8808 --host 0.0.0.0

A desktop agent's configuration (Claude Desktop's claude_desktop_config.json):
  { "mcpServers": { "dynamics": { "command": "npx", "args": ["-y", "dynasql", "mcp", "--profile", "contoso"] } } }
`;

/** Resolves when standard input ends (stdio), the user interrupts, or the process is asked to terminate. */
function stopRequested(interrupt: AbortSignal | undefined, input: Readable | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      input?.off('end', stop);
      input?.off('close', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    input?.once('end', stop);
    input?.once('close', stop);
    if (interrupt?.aborted) stop();
    interrupt?.addEventListener('abort', stop, { once: true });
  });
}

export async function runMcp(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('dynasql mcp')
    .description('Serve the org (or the demo emulator) to AI agents over the Model Context Protocol: stdio by default, streamable HTTP with --http.')
    .option('-c, --connection <string>', 'connection string')
    .option('--profile <name>', 'a named connection from the config file')
    .option('--demo', 'serve the embedded emulator with sample data')
    .option('--http <port>', 'serve streamable HTTP on this port (0 picks a free one) instead of stdio', wholeNumber('--http', 0, 65535))
    .option('--host <host>', 'with --http: the interface to listen on (anything but loopback needs a token)')
    .option('--token <token>', 'with --http: the bearer token clients must send (better: the DYNASQL_MCP_TOKEN environment variable)')
    .option('--allow-writes', 'let agents change data (execute, and writes in query); without it only reads run')
    .option('--max-rows <n>', `rows query shows per statement by default (default ${DEFAULT_MAX_ROWS})`, wholeNumber('--max-rows', 1, 10_000), DEFAULT_MAX_ROWS)
    .option('--max-rows-affected <n>', `the most rows one execute call or write may change (default ${DEFAULT_MAX_ROWS_AFFECTED}; replaces the connection's Max Rows Affected)`, wholeNumber('--max-rows-affected', 1, 1_000_000), DEFAULT_MAX_ROWS_AFFECTED)
    .addHelpText('after', EXAMPLES)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (t) => void io.stdout.write(t), writeErr: (t) => void io.stderr.write(t) });

  let flags: McpFlags;
  try {
    flags = program.parse(argv, { from: 'user' }).opts<McpFlags>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'dynasql.number') io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  const errColors = colorsFor(io.stderr, io.env);
  const usage = (message: string) => {
    io.stderr.write(`error: ${message}\n`);
    return 2;
  };

  const token = flags.token ?? (io.env.DYNASQL_MCP_TOKEN || undefined);
  const host = flags.host ?? '127.0.0.1';
  if (flags.http === undefined && (flags.host !== undefined || flags.token !== undefined)) return usage('--host and --token go with --http PORT (without it the server speaks stdio)');
  if (flags.http !== undefined) {
    if (token === undefined && !isLoopbackHost(host)) return usage(`--host ${host} is not a loopback address: set a bearer token in DYNASQL_MCP_TOKEN (or --token) so only your clients get in`);
    if (token !== undefined && token.length < MIN_TOKEN_LENGTH) return usage(`the bearer token must be at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 24)`);
  }

  let connectionString: string | undefined;
  try {
    connectionString = connectionStringFor(flags, io.env);
  } catch (error) {
    io.stderr.write(formatError(error, errColors));
    return 2;
  }
  const connect = io.connect ?? connectDriver;
  let used = '';
  const opened = await openConnection(connectionString, (s) => connect((used = mcpConnectionString(s, flags.maxRowsAffected)))).catch((error: unknown) => error as Error);
  if (opened instanceof Error) {
    io.stderr.write(formatError(opened, errColors));
    return 1;
  }
  try {
    const ctx: McpContext = {
      conn: opened.conn,
      allowWrites: flags.allowWrites === true,
      maxRows: flags.maxRows,
      maxRowsAffected: flags.maxRowsAffected,
      redact: createRedactor([...secretsOf(used), ...(token ? [token] : [])]),
    };
    const what = `${opened.demo ? 'the demo emulator' : 'the org'}, ${ctx.allowWrites ? `writes allowed up to ${ctx.maxRowsAffected} rows` : 'read-only'}, ${ctx.maxRows} rows per result`;
    if (flags.http !== undefined) {
      const server = await startMcpHttpServer(ctx, { host, port: flags.http, ...(token !== undefined ? { token } : {}) });
      io.stdout.write(`${server.url}\n`);
      io.stderr.write(`dynasql mcp: serving ${what} at ${server.url}${token ? ' (bearer token required)' : ''}; Ctrl-C stops.\n`);
      if (!isLoopbackHost(host)) io.stderr.write('dynasql mcp: this is plain HTTP: beyond this machine, put a TLS-terminating proxy in front, or the token and the data travel in clear text.\n');
      await stopRequested(io.interrupt, undefined);
      await server.close();
      return 0;
    }
    const input = (io.stdin ?? process.stdin) as Readable;
    const server = createMcpServer(ctx);
    await server.connect(new StdioServerTransport(input, io.stdout as Writable));
    io.stderr.write(`dynasql mcp: serving ${what} over stdio.\n`);
    await stopRequested(io.interrupt, input);
    await server.close();
    return 0;
  } catch (error) {
    io.stderr.write(formatError(error, errColors));
    return 1;
  } finally {
    await opened.close();
  }
}
