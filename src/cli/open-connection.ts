/**
 * Opens the connection a command works on: the embedded emulator for `--demo` (started in this
 * process), else the connection string from -c / --profile / DYNASQL_CONNECTION. `close()` ends
 * both, connection first.
 */
import type { Connection } from '../index.js';
import { DynasqlError } from '../errors/index.js';
import { resolveConnectionString } from './connection-source.js';
import { startDemo, type Demo } from './demo.js';
import { connectDriver, type ConnectFunction } from './driver.js';

export interface ConnectionFlags {
  connection?: string;
  profile?: string;
  demo?: boolean;
}

export interface OpenConnection {
  conn: Connection;
  /** the demo's emulator, when --demo started one */
  demo?: Demo;
  /** the connection string used (may hold secrets: never print it) */
  connectionString: string;
  close(): Promise<void>;
}

/** Checks the flags and finds the connection string without connecting; usage problems throw DYNASQL_ERR_CONFIG. */
export function connectionStringFor(flags: ConnectionFlags, env: Record<string, string | undefined>): string | undefined {
  if (flags.demo && (flags.connection !== undefined || flags.profile !== undefined)) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', '--demo connects to the embedded emulator; leave out -c and --profile.');
  }
  if (flags.demo) return undefined;
  const found = resolveConnectionString(flags, env);
  if (found === undefined) {
    throw new DynasqlError(
      'DYNASQL_ERR_CONFIG',
      'No connection given. Use -c "<connection string>", --profile NAME, or DYNASQL_CONNECTION; or try --demo. See dynasql --help.',
    );
  }
  return found;
}

export async function openConnection(connectionString: string | undefined, connect: ConnectFunction = connectDriver): Promise<OpenConnection> {
  const demo = connectionString === undefined ? await startDemo() : undefined;
  const used = demo?.connectionString ?? connectionString!;
  let conn: Connection;
  try {
    conn = await connect(used);
  } catch (error) {
    await demo?.close();
    throw error;
  }
  return {
    conn,
    ...(demo ? { demo } : {}),
    connectionString: used,
    close: async () => {
      await conn.close().catch(() => undefined);
      await demo?.close().catch(() => undefined);
    },
  };
}
