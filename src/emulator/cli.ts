import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import type { EmulatorOptions } from './options.js';
import { startEmulator } from './index.js';
import { parseFaultFlags } from './faults/parse-fault-flags.js';
import { parseAuthFlags } from './identity/parse-auth-flags.js';
import { parseLimitFlags } from './limits/parse-limit-flags.js';

// The limit, fault and auth flags have parsers of their own (they check combinations, issue 3); the
// help lists them here and commander reads the rest.
const MORE_FLAGS = `
Service protection limits (429 with Retry-After):
  --limit-requests N           requests per user per window
  --limit-window SECONDS       window length (default 300)
  --limit-execution-ms MS      combined execution time per user per window
  --limit-concurrent N         requests in flight per user
  --limit-connector-tps N      connector model: transactions per second per node
  --limit-connector-nodes N    connector model: node count (default 2)
  --limit-retry-penalty S      seconds added to Retry-After per refusal under continued pressure

Seeded faults (also PUT /_emulator/faults at run time):
  --faults JSON                all fault options as one JSON object
  --fault-seed N  --fault-latency-ms MS  --fault-jitter-ms MS  --fault-5xx-rate R  --fault-5xx-status S
  --fault-reset-rate R  --fault-reset-after-write-rate R  --fault-truncate-rate R  --fault-slow-body-rate R
  --fault-429-burst-rate R  --fault-429-burst-length N

OAuth 2.0 identity provider over HTTPS:
  --auth  --auth-audience URL  --auth-client ID:SECRET  --auth-token-lifetime SECONDS  --auth-port N

Example:
  $ dynasql emulator --port 0 --rows 100000 --seed 1
  $ dynasql emulator --edition finops --limit-requests 100 --limit-window 10
`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

interface CoreFlags {
  port?: number;
  host?: string;
  edition?: 'dataverse' | 'finops';
  metadata?: string;
  rows?: number;
  seed?: number;
  multiCurrency?: boolean;
  changeRetentionDays?: number;
  keepSeedRows?: boolean;
}

// a plain Error from a value parser reaches parseEmulatorArgs as it is (commander's InvalidArgumentError would be reworded)
const integer = (flag: string, min: number, max: number) => (text: string): number => {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new Error(`${flag} needs an integer from ${min} to ${max}, got '${text}'`);
  return Number(text);
};

function edition(text: string): 'dataverse' | 'finops' {
  if (text !== 'dataverse' && text !== 'finops') throw new Error(`--edition must be dataverse or finops, got '${text}'`);
  return text;
}

function emulatorCommand(write: { out: (text: string) => void; err: (text: string) => void }): Command {
  return new Command('dynasql emulator')
    .description('Start the embedded Dynamics emulator (the Dataverse Web API, or F&O with --edition finops) on loopback.\nPrints its service root URL as the first line of stdout; Ctrl+C or SIGTERM stops it.')
    .option('--port <n>', 'TCP port (0 picks a free one)', integer('--port', 0, 65535))
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--edition <edition>', 'dataverse or finops (default dataverse)', edition)
    .option('--metadata <file>', 'serve this $metadata (EDMX) document instead of the built-in one')
    .option('--rows <n>', 'sample rows per table (default 100)', integer('--rows', 0, 10_000_000))
    .option('--seed <n>', 'seed of the sample data (default 1)', integer('--seed', 0, 2 ** 31 - 1))
    .option('--multi-currency', 'an org with EUR and JPY beside the base currency USD (default: USD only)')
    .option('--change-retention-days <n>', 'days a change tracking token is honoured (default 7)', integer('--change-retention-days', 0, 36_500))
    .option('--keep-seed-rows', 'keep each sample row once built (faster repeated reads of big tables, more memory)')
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err });
}

/** Parses the command's flags; returns a message for the first bad one. */
export function parseEmulatorArgs(argv: string[]): { options: EmulatorOptions & { metadataFile?: string }; help?: boolean } | { error: string } {
  const options: EmulatorOptions & { metadataFile?: string } = {};
  try {
    const limits = parseLimitFlags(argv);
    const faults = parseFaultFlags(limits.rest);
    const auth = parseAuthFlags(faults.rest);
    if (limits.limits) options.limits = limits.limits;
    if (faults.faults) options.faults = faults.faults;
    if (auth.auth) options.auth = auth.auth;
    const flags = emulatorCommand({ out: () => undefined, err: () => undefined }).parse(auth.rest, { from: 'user' }).opts<CoreFlags>();
    if (flags.host !== undefined) {
      if (flags.host === '') throw new Error('--host needs an address');
      options.host = flags.host;
    }
    if (flags.port !== undefined) options.port = flags.port;
    if (flags.edition !== undefined) options.edition = flags.edition;
    if (flags.metadata !== undefined) options.metadataFile = flags.metadata;
    if (flags.rows !== undefined) options.rows = flags.rows;
    if (flags.seed !== undefined) options.seed = flags.seed;
    if (flags.multiCurrency) options.multiCurrency = true;
    if (flags.changeRetentionDays !== undefined) options.changeRetentionDays = flags.changeRetentionDays;
    if (flags.keepSeedRows) options.keepSeedRows = true;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return { options, help: true };
      return { error: error.message.replace(/^error: /, '') };
    }
    return { error: (error as Error).message };
  }
  return { options };
}

/**
 * `dynasql emulator ...`: starts the emulator, prints its service root URL as the first line of
 * stdout, and resolves with 0 when SIGINT or SIGTERM closes it.
 */
export async function runEmulatorCli(argv: string[], io: Io): Promise<number> {
  const help = () => `${emulatorCommand({ out: () => undefined, err: () => undefined }).helpInformation()}${MORE_FLAGS}`;
  const parsed = parseEmulatorArgs(argv);
  if ('error' in parsed) {
    io.stderr.write(`dynasql emulator: ${parsed.error}\n\n${help()}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(help());
    return 0;
  }
  const { metadataFile, ...options } = parsed.options;
  try {
    if (metadataFile) options.metadataXml = await readFile(metadataFile, 'utf8');
    const emulator = await startEmulator(options);
    io.stdout.write(`${emulator.url}\n`);
    io.stderr.write(`dynasql emulator: ${emulator.url} (edition ${options.edition ?? 'dataverse'}, ${options.rows ?? 100} accounts, seed ${options.seed ?? 1}); Ctrl+C stops it\n`);
    if (emulator.identity) io.stderr.write(`dynasql emulator: tokens from authority ${emulator.identity.authority} (AD FS: ${emulator.identity.adfsAuthority}); its CA certificate is at ${emulator.identity.url}/ca.pem\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void emulator.close().then(resolve, resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  } catch (error) {
    io.stderr.write(`dynasql emulator: ${(error as Error).message}\n`);
    return 1;
  }
}
