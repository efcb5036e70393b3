/**
 * The driver's `connect()` as the command uses it. Until `connect` is exported from src/index.ts
 * (issue 6) this reports that plainly.
 */
import type { Connection } from '../index.js';
import * as api from '../index.js';
import { DynasqlError } from '../errors/index.js';

export type ConnectFunction = (connection: string) => Promise<Connection>;

export const connectDriver: ConnectFunction = async (connection) => {
  const connect = (api as unknown as { connect?: ConnectFunction }).connect;
  if (!connect) throw new DynasqlError('DYNASQL_ERR_CONFIG', 'connect() is not built yet (issue 6).');
  return connect(connection);
};
