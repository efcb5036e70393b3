/**
 * The `dynasql` command. `runCli` takes its edges (argv, streams, env, stdin) so tests drive it
 * in-process; src/cli/run.ts runs it on the real process.
 *
 * Modes: a REPL when standard input is a terminal and no SQL was given; otherwise the statements of
 * `-e` / `-f` (in the order given) or of standard input, then exit. `dynasql emulator ...` is the
 * emulator's own command.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { colorsFor } from './colors.js';
import type { ConnectFunction } from './driver.js';
import { formatError } from './error-report.js';
import { OUTPUT_FORMATS, type OutputFormat } from './format/index.js';
import { fileSink, streamSink, type OutputSink } from './output-sink.js';
import { connectionStringFor, openConnection, type OpenConnection } from './open-connection.js';
import { historyFile } from './paths.js';
import { startProgress } from './progress.js';
import { runRepl } from './repl.js';
import { runScript, type ScriptSource } from './script.js';
import { Session } from './session.js';
import { scriptStatements } from './split-statements.js';
import { packageVersion } from './version.js';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface CliIo {
  argv: string[];
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  /** standard input; a terminal opens the REPL, anything else is read as a script */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** the driver's connect(); defaults to the real one */
  connect?: ConnectFunction;
  /** fires when the user interrupts (Ctrl-C outside the REPL): a script's running statement is cancelled */
  interrupt?: AbortSignal;
}

export const DEFAULT_CONFIRM_THRESHOLD = 100;

const EXAMPLES = `
Examples:
  $ dynasql --demo                                   REPL on the embedded emulator's sample data
  $ dynasql -c "Organization URL=https://contoso.crm.dynamics.com;Auth Scheme=DeviceCode;Client Id=<app id>"
  $ dynasql --profile contoso                        a connection saved in ~/.config/dynasql/config.json
  $ dynasql --demo -e "SELECT TOP 5 name, revenue FROM account ORDER BY revenue DESC"
  $ dynasql --profile contoso -f report.sql --format csv -o report.csv
  $ echo "SELECT COUNT(*) FROM contact" | dynasql --profile contoso --format json
  $ DYNASQL_SERVE_PASSWORD=... dynasql serve --demo --user bi   Postgres clients on port 5432
  $ dynasql emulator --port 5555                     run the emulator on its own

Commands:
  dynasql serve [options]      serve the org to Postgres clients and BI tools (dynasql serve --help)
  dynasql emulator [options]   run the embedded Dynamics emulator (dynasql emulator --help)
  dynasql types [options]      write TypeScript row interfaces from the org's metadata (dynasql types --help)
  dynasql mcp [options]        serve the org to AI agents over the Model Context Protocol (dynasql mcp --help)
  dynasql sync [options] T...  copy tables into DuckDB, Parquet or PostgreSQL and keep them current (dynasql sync --help)

The connection comes from -c, else --profile, else the DYNASQL_CONNECTION environment variable.
In the REPL, type \\? for the backslash commands.
`;

interface ParsedOptions {
  connection?: string;
  profile?: string;
  demo?: boolean;
  format: OutputFormat;
  output?: string;
  confirmThreshold: number;
}

type Source = { kind: 'execute' | 'file'; value: string };

function parseThreshold(value: string): number {
  if (!/^\d+$/.test(value)) throw new CommanderError(2, 'dynasql.threshold', `error: --confirm-threshold needs a whole number, got "${value}"`);
  return Number(value);
}

function buildProgram(io: CliIo, sources: Source[]): Command {
  const collect = (kind: Source['kind']) => (value: string) => {
    sources.push({ kind, value });
    return undefined;
  };
  return new Command('dynasql')
    .description('SQL for Microsoft Dynamics 365 (Dataverse and Finance & Operations): a REPL, scripts, and an emulator.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .option('-c, --connection <string>', 'connection string ("Organization URL=...;Auth Scheme=...")')
    .option('--profile <name>', 'a named connection from the config file')
    .option('--demo', 'start the embedded emulator with sample data and connect to it')
    .option('-e, --execute <sql>', 'run SQL and exit (repeatable)', collect('execute'))
    .option('-f, --file <path>', 'run the statements in a file and exit (repeatable; ; or GO separate them)', collect('file'))
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write results to a file')
    .option('--confirm-threshold <n>', 'in the REPL, ask before an UPDATE/DELETE touching more rows than this', parseThreshold, DEFAULT_CONFIRM_THRESHOLD)
    .addHelpText('after', EXAMPLES)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(text),
    });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return text;
}

/** Resolves with the exit code once the command is done (the REPL resolves when the user quits). */
export async function runCli(io: CliIo): Promise<number> {
  const [first, ...rest] = io.argv;
  // subcommands load their modules when asked for, so the others start without them
  if (first === 'emulator') return (await import('../emulator/cli.js')).runEmulatorCli(rest, io);
  if (first === 'serve') return (await import('./serve.js')).runServe(rest, io);
  if (first === 'types') return (await import('./types-command.js')).runTypes(rest, io);
  if (first === 'mcp') return (await import('../mcp/command.js')).runMcp(rest, io);
  if (first === 'sync') return (await import('./sync-command.js')).runSync(rest, io);

  const sources: Source[] = [];
  let options: ParsedOptions;
  try {
    options = buildProgram(io, sources).parse(io.argv, { from: 'user' }).opts<ParsedOptions>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'dynasql.threshold') io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }

  const errColors = colorsFor(io.stderr, io.env);
  const fail = (error: unknown, code = 1) => {
    io.stderr.write(formatError(error, errColors));
    return code;
  };

  let connectionString: string | undefined;
  let out: OutputSink | undefined;
  const scripts: ScriptSource[] = [];
  try {
    connectionString = connectionStringFor(options, io.env);
    // Read script files before connecting, so a typo in a file name costs no sign-in.
    for (const source of sources) {
      scripts.push(
        source.kind === 'execute'
          ? { name: '-e', statements: scriptStatements(source.value) }
          : { name: source.value, statements: scriptStatements(readFileSync(source.value, 'utf8')) },
      );
    }
    out = options.output !== undefined ? fileSink(options.output) : streamSink(io.stdout, colorsFor(io.stdout, io.env));
  } catch (error) {
    return fail(error, 2);
  }

  let opened: OpenConnection | undefined;
  try {
    const stdin = io.stdin ?? process.stdin;
    const interactive = scripts.length === 0 && stdin.isTTY === true;
    if (scripts.length === 0 && !interactive) scripts.push({ name: 'stdin', statements: scriptStatements(await readAll(stdin)) });

    // a person at a terminal sees what the wait is for (the demo's emulator, sign-in, $metadata)
    const connecting = startProgress(io.stderr, {
      colors: errColors,
      enabled: interactive && io.stderr.isTTY === true,
      label: connectionString === undefined ? 'starting the embedded emulator and connecting' : 'connecting',
      hint: '',
    });
    try {
      opened = await openConnection(connectionString, io.connect);
    } finally {
      connecting.stop();
    }
    const sessionOptions = {
      conn: opened.conn,
      out,
      stderr: io.stderr,
      errColors,
      progress: io.stderr.isTTY === true,
      format: options.format,
      confirmThreshold: options.confirmThreshold,
    };
    if (!interactive) {
      const session = new Session({ ...sessionOptions, expanded: 'off' });
      return await runScript(session, scripts, io.interrupt ?? new AbortController().signal);
    }
    return await runRepl({
      createSession: (confirm) => new Session({ ...sessionOptions, expanded: 'auto', confirm }),
      input: stdin,
      output: io.stdout,
      terminal: io.stdout.isTTY === true,
      terminalOut: streamSink(io.stdout, colorsFor(io.stdout, io.env)),
      historyFile: historyFile(io.env),
      env: io.env,
      ...(opened.demo ? { banner: opened.demo.banner } : {}),
    });
  } catch (error) {
    return fail(error);
  } finally {
    out.close();
    await opened?.close();
  }
}
