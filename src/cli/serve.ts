/**
 * `dynasql serve`: the org (or the demo emulator) as a Postgres server for BI tools and any
 * Postgres client, on the pgwire adapter. Runs until interrupted (Ctrl-C; `io.interrupt`) or SIGTERM.
 *
 * Passwords never go on the command line (other users see it in `ps`): `--user NAME` takes its
 * password from DYNASQL_SERVE_PASSWORD. `--trust` (no password) is allowed on loopback only.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { startPgServer } from '../index.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './main.js';
import { formatError } from './error-report.js';
import { connectionStringFor, openConnection } from './open-connection.js';

interface ServeFlags {
  connection?: string;
  profile?: string;
  demo?: boolean;
  host: string;
  port: number;
  user?: string;
  trust?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new CommanderError(2, 'dynasql.port', `error: --port needs a number from 0 to 65535, got "${value}"`);
  return port;
}

const ORG_URL_KEYS = new Set(['organizationurl', 'url', 'orgurl', 'environmenturl', 'resource']);

/**
 * The org URL in a connection string, to name the Postgres schema after the org
 * (`Organization URL=https://contoso.crm.dynamics.com;...` → `contoso`). Only a name is derived
 * from it; the connection itself was parsed by the driver.
 */
export function orgUrlOf(connectionString: string): string | undefined {
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).toLowerCase().replace(/[\s_-]+/g, '');
    if (ORG_URL_KEYS.has(key)) return part.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return undefined;
}

/** Resolves when the user interrupts (Ctrl-C) or the process is asked to terminate. */
function stopRequested(interrupt: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    if (interrupt?.aborted) stop();
    interrupt?.addEventListener('abort', stop, { once: true });
  });
}

export async function runServe(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('dynasql serve')
    .description('Serve the org (or the demo emulator) to Postgres clients: psql, JDBC, ODBC, BI tools.')
    .option('-c, --connection <string>', 'connection string')
    .option('--profile <name>', 'a named connection from the config file')
    .option('--demo', 'serve the embedded emulator with sample data')
    .option('--host <host>', 'interface to listen on (anything but loopback needs TLS)', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', parsePort, 5432)
    .option('--user <name>', 'a user who logs in with the password in DYNASQL_SERVE_PASSWORD (SCRAM-SHA-256)')
    .option('--trust', 'accept any user without a password (loopback only)')
    .option('--tls-cert <file>', 'PEM certificate: enables TLS')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .addHelpText('after', '\nExample:\n  $ DYNASQL_SERVE_PASSWORD=s3cret dynasql serve --demo --user bi --port 5433\n  $ psql "postgres://bi:s3cret@127.0.0.1:5433/dynamics"\n')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (t) => void io.stdout.write(t), writeErr: (t) => void io.stderr.write(t) });

  let flags: ServeFlags;
  try {
    flags = program.parse(argv, { from: 'user' }).opts<ServeFlags>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'dynasql.port') io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  const errColors = colorsFor(io.stderr, io.env);
  const fail = (error: unknown, code: number) => {
    io.stderr.write(formatError(error, errColors));
    return code;
  };

  let connectionString: string | undefined;
  let users: { name: string; password: string }[] = [];
  let tls: { cert: string; key: string } | undefined;
  try {
    connectionString = connectionStringFor(flags, io.env);
    if (flags.user !== undefined) {
      const password = io.env.DYNASQL_SERVE_PASSWORD;
      if (!password) {
        io.stderr.write('error: --user needs its password in the DYNASQL_SERVE_PASSWORD environment variable\n');
        return 2;
      }
      users = [{ name: flags.user, password }];
    }
    if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
      io.stderr.write('error: --tls-cert and --tls-key go together\n');
      return 2;
    }
    if (flags.tlsCert !== undefined) tls = { cert: readFileSync(flags.tlsCert, 'utf8'), key: readFileSync(flags.tlsKey!, 'utf8') };
  } catch (error) {
    return fail(error, 2);
  }

  const opened = await openConnection(connectionString, io.connect).catch((error: unknown) => error as Error);
  if (opened instanceof Error) return fail(opened, 1);
  try {
    const orgUrl = opened.demo?.url ?? orgUrlOf(opened.connectionString);
    const server = await startPgServer({
      connection: opened.conn,
      host: flags.host,
      port: flags.port,
      users,
      trust: flags.trust === true,
      ...(tls ? { tls } : {}),
      ...(orgUrl ? { orgUrl } : {}),
    });
    const user = users[0]?.name ?? 'any';
    io.stdout.write(`postgres://${user}@${server.host}:${server.port}/${server.schema}\n`);
    io.stderr.write(`dynasql serve: listening on ${server.host}:${server.port} (schema ${server.schema}${opened.demo ? ', demo emulator' : ''}); Ctrl-C stops.\n`);
    await stopRequested(io.interrupt);
    await server.close();
    return 0;
  } catch (error) {
    return fail(error, 1);
  } finally {
    await opened.close();
  }
}
