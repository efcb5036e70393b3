import { readFile } from 'node:fs/promises';
import type { EmulatorOptions } from './options.js';
import { startEmulator } from './index.js';
import { parseFaultFlags } from './faults/parse-fault-flags.js';
import { parseAuthFlags } from './identity/parse-auth-flags.js';
import { parseLimitFlags } from './limits/parse-limit-flags.js';

const USAGE = 'usage: dynasql emulator [--port N] [--host 127.0.0.1] [--edition dataverse|finops] [--metadata FILE] [--rows N] [--seed N]\n'
  + '  limits: [--limit-requests N] [--limit-window SECONDS] [--limit-execution-ms MS] [--limit-concurrent N] [--limit-connector-tps N] [--limit-connector-nodes N] [--limit-retry-penalty SECONDS]\n'
  + '  faults: [--faults JSON] [--fault-seed N] [--fault-latency-ms MS] [--fault-jitter-ms MS] [--fault-5xx-rate R] [--fault-5xx-status S] [--fault-reset-rate R]\n'
  + '          [--fault-reset-after-write-rate R] [--fault-truncate-rate R] [--fault-slow-body-rate R] [--fault-429-burst-rate R] [--fault-429-burst-length N]\n'
  + '  auth:   [--auth] [--auth-audience URL] [--auth-client ID:SECRET] [--auth-token-lifetime SECONDS] [--auth-port N]\n';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Parses the command's flags; returns a message for the first bad one. */
export function parseEmulatorArgs(argv: string[]): { options: EmulatorOptions & { metadataFile?: string }; help?: boolean } | { error: string } {
  const options: EmulatorOptions & { metadataFile?: string } = {};
  const integer = (flag: string, text: string | undefined, min: number, max: number) => {
    if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new Error(`${flag} needs an integer from ${min} to ${max}, got '${text ?? ''}'`);
    return Number(text);
  };
  try {
    // Limits, faults and auth have their own parsers (issue 3); what they leave is parsed here.
    const limits = parseLimitFlags(argv);
    const faults = parseFaultFlags(limits.rest);
    const auth = parseAuthFlags(faults.rest);
    if (limits.limits) options.limits = limits.limits;
    if (faults.faults) options.faults = faults.faults;
    if (auth.auth) options.auth = auth.auth;
    argv = auth.rest;
    for (let i = 0; i < argv.length; i++) {
      const flag = argv[i]!;
      const value = argv[i + 1];
      switch (flag) {
        case '--port': options.port = integer(flag, value, 0, 65535); i++; break;
        case '--host':
          if (!value) throw new Error('--host needs an address');
          options.host = value; i++; break;
        case '--edition':
          if (value !== 'dataverse' && value !== 'finops') throw new Error(`--edition must be dataverse or finops, got '${value ?? ''}'`);
          options.edition = value; i++; break;
        case '--metadata':
          if (!value) throw new Error('--metadata needs a file name');
          options.metadataFile = value; i++; break;
        case '--rows': options.rows = integer(flag, value, 0, 10_000_000); i++; break;
        case '--seed': options.seed = integer(flag, value, 0, 2 ** 31 - 1); i++; break;
        case '--help': case '-h': return { options, help: true };
        default: throw new Error(`unknown option '${flag}'`);
      }
    }
  } catch (error) {
    return { error: (error as Error).message };
  }
  return { options };
}

/**
 * `dynasql emulator ...`: starts the emulator, prints its service root URL as the first line of
 * stdout, and resolves with 0 when SIGINT or SIGTERM closes it.
 */
export async function runEmulatorCli(argv: string[], io: Io): Promise<number> {
  const parsed = parseEmulatorArgs(argv);
  if ('error' in parsed) {
    io.stderr.write(`dynasql emulator: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(USAGE);
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
