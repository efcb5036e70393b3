import { readFile } from 'node:fs/promises';
import type { EmulatorOptions } from './options.js';
import { startEmulator } from './index.js';

const USAGE = 'usage: dynasql emulator [--port N] [--host 127.0.0.1] [--edition dataverse|finops] [--metadata FILE] [--rows N] [--seed N]\n';

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
