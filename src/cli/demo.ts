/**
 * `dynasql --demo`: the embedded Dynamics emulator started in this process. Until the emulator's
 * `startEmulator` lands (issue 2) this says so plainly instead of pretending.
 */
import { DynasqlError } from '../errors/index.js';

export interface Demo {
  url: string;
  connectionString: string;
  banner: string;
  close(): Promise<void>;
}

export async function startDemo(_options: { rows?: number; seed?: number } = {}): Promise<Demo> {
  throw new DynasqlError('DYNASQL_ERR_CONFIG', 'The embedded emulator is not built yet (issue 2); --demo needs it.');
}
