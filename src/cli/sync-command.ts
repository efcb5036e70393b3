/**
 * `dynasql sync`: keeps copies of Dynamics tables in a DuckDB file (the default), a folder of Parquet
 * files or a PostgreSQL database, reading only what changed where the service tracks changes
 * (src/sync/, docs/sync.md). `--watch N` runs again every N seconds until interrupted.
 *
 *   dynasql sync --profile contoso --to analytics.duckdb account contact opportunity
 *   dynasql sync --demo --to parquet:lake --watch 60 account
 */
import { Command, CommanderError } from 'commander';
import { describeTarget, openTarget, parseTarget, resolveTables, runSyncPass, type SyncTarget, type TableReport } from '../sync/index.js';
import { colorsFor } from './colors.js';
import { formatError } from './error-report.js';
import { renderTable } from './format/table.js';
import type { CliIo } from './main.js';
import { connectionStringFor, openConnection, type OpenConnection } from './open-connection.js';
import { statusLine, summaryResult, tableLine } from './sync-output.js';

interface SyncFlags {
  connection?: string;
  profile?: string;
  demo?: boolean;
  to: string;
  watch?: number;
  batchSize?: number;
}

function positive(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new CommanderError(2, 'dynasql.number', `error: ${flag} needs a whole number of 1 or more, got "${value}"`);
    return Number(value);
  };
}

/** waits `ms`, or less if `signal` fires */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runSync(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('dynasql sync')
    .description('Copy Dynamics tables into a DuckDB file, Parquet files or PostgreSQL, then keep them up to date with only what changed.')
    .argument('<tables...>', 'the tables to copy (logical or entity-set names)')
    .option('-c, --connection <string>', 'connection string')
    .option('--profile <name>', 'a named connection from the config file')
    .option('--demo', 'the embedded emulator\'s sample data')
    .requiredOption('--to <target>', 'a DuckDB file (default kind), parquet:FOLDER (or an existing folder), or postgres://…')
    .option('--watch <seconds>', 'run again every N seconds until interrupted (Ctrl-C)', positive('--watch'))
    .option('--batch-size <n>', 'changes (or copied rows) per target transaction', positive('--batch-size'))
    .addHelpText('after', `
Examples:
  $ dynasql sync --profile contoso --to analytics.duckdb account contact opportunity
  $ dynasql sync --profile contoso --to parquet:lake/dynamics --watch 300 account
  $ dynasql sync --profile contoso --to postgres://sync@db.internal/analytics account

Tables with change tracking are copied whole once, then only their changes are read; tables without it
are copied whole on every run. Each run can be interrupted at any point: the next one resumes without
losing or repeating a row. See docs/sync.md.
`)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (t) => void io.stdout.write(t), writeErr: (t) => void io.stderr.write(t) });

  let flags: SyncFlags;
  let names: string[];
  try {
    program.parse(argv, { from: 'user' });
    flags = program.opts<SyncFlags>();
    names = program.args;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'dynasql.number') io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  const colors = colorsFor(io.stderr, io.env);
  const fail = (error: unknown, code: number) => {
    io.stderr.write(formatError(error, colors));
    return code;
  };

  let connectionString: string | undefined;
  let address: ReturnType<typeof parseTarget>;
  try {
    connectionString = connectionStringFor(flags, io.env);
    address = parseTarget(flags.to);
  } catch (error) {
    return fail(error, 2);
  }

  let opened: OpenConnection | undefined;
  let target: SyncTarget | undefined;
  const reports: TableReport[] = [];
  const status = statusLine(io.stderr, colors, io.stderr.isTTY === true);
  let failed = false;
  try {
    opened = await openConnection(connectionString, io.connect);
    const tables = await resolveTables(opened.conn, names);
    target = await openTarget(address);
    io.stderr.write(`dynasql sync: ${tables.length} ${tables.length === 1 ? 'table' : 'tables'} into ${describeTarget(address)}\n`);
    for (let pass = 1; ; pass++) {
      try {
        await runSyncPass(opened.conn, tables, target, {
          ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
          ...(io.interrupt ? { signal: io.interrupt } : {}),
          onProgress: (p) => status.update(p),
          onTable: (report) => {
            status.clear();
            reports.push(report);
            io.stderr.write(`${tableLine(report)}\n`);
          },
        });
      } catch (error) {
        status.clear();
        if (io.interrupt?.aborted) break;
        // watching: a failed pass (the network, the service) is reported and the next one tried
        if (flags.watch === undefined) throw error;
        failed = true;
        io.stderr.write(formatError(error, colors));
      }
      if (flags.watch === undefined || io.interrupt?.aborted) break;
      io.stderr.write(colors.dim(`next run in ${flags.watch}s (Ctrl-C stops)\n`));
      await pause(flags.watch * 1000, io.interrupt);
      if (io.interrupt?.aborted) break;
    }
    if (reports.length > 0) io.stdout.write(renderTable(summaryResult(reports), { colors: colorsFor(io.stdout, io.env), expanded: 'off' }));
    if (io.interrupt?.aborted) io.stderr.write('dynasql sync: interrupted; the next run resumes where this one stopped.\n');
    return failed ? 1 : 0;
  } catch (error) {
    status.clear();
    if (reports.length > 0) io.stdout.write(renderTable(summaryResult(reports), { colors: colorsFor(io.stdout, io.env), expanded: 'off' }));
    return fail(error, 1);
  } finally {
    await target?.close().catch(() => undefined);
    await opened?.close();
  }
}
